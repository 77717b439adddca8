-- The guild ban list (#18): one ban reaches every server of the guild (or the ones chosen),
-- by the player's identifiers; each server's own state is kept in ban_targets and retried
-- until the console has it. ``expires_at`` NULL: permanent. A lifted ban keeps its row (the
-- history /ban info and /player info show).
CREATE TABLE bans (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id        INTEGER NOT NULL,
    player_id       INTEGER REFERENCES players (id) ON DELETE SET NULL,
    label           TEXT    NOT NULL CHECK (length(label) <= 128),  -- who, as shown
    reason          TEXT    NOT NULL CHECK (length(reason) <= 200),
    created_at      REAL    NOT NULL,
    created_by      INTEGER NOT NULL,
    created_by_name TEXT    NOT NULL CHECK (length(created_by_name) <= 100),
    expires_at      REAL,
    all_servers     INTEGER NOT NULL DEFAULT 1,  -- servers added later get it too
    lifted_at       REAL,
    lifted_by       INTEGER,
    lift_reason     TEXT    CHECK (lift_reason IN ('expired', 'removed'))
);
CREATE INDEX bans_guild ON bans (guild_id, lifted_at);
CREATE INDEX bans_expiry ON bans (expires_at) WHERE lifted_at IS NULL;

CREATE TABLE ban_identifiers (
    ban_id   INTEGER NOT NULL REFERENCES bans (id) ON DELETE CASCADE,
    guild_id INTEGER NOT NULL,
    kind     TEXT    NOT NULL CHECK (kind IN ('steam', 'guid', 'eos', 'mc_uuid', 'name')),
    value    TEXT    NOT NULL CHECK (length(value) <= 128),
    PRIMARY KEY (ban_id, kind, value)
);
CREATE INDEX ban_identifiers_value ON ban_identifiers (guild_id, kind, value);

-- pending: not reached yet (offline, console down); failed: the console refused (its answer
-- in detail); both retried with a growing pause. kick: no native ban on that console, the
-- ban is enforced by kicking on join. lifting: an unban to send; lifted / cancelled: done.
CREATE TABLE ban_targets (
    ban_id     INTEGER NOT NULL REFERENCES bans (id) ON DELETE CASCADE,
    server_id  INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    state      TEXT    NOT NULL CHECK (state IN
                   ('pending', 'applied', 'failed', 'kick', 'lifting', 'lifted', 'cancelled')),
    detail     TEXT    NOT NULL DEFAULT '' CHECK (length(detail) <= 300),
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_try   REAL    NOT NULL DEFAULT 0,
    updated_at REAL    NOT NULL,
    PRIMARY KEY (ban_id, server_id)
);
CREATE INDEX ban_targets_due ON ban_targets (state, next_try);
CREATE INDEX ban_targets_server ON ban_targets (server_id, state);
