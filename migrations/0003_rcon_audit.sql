-- RCON from Discord: role grants per action, and the audit log of every attempt and change.

-- A role may run an action (players, say, kick, ban, exec) on one server or, with a NULL
-- server_id, on every server of the guild. Administrator needs no grant.
CREATE TABLE rcon_grants (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    role_id     INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    server_id   INTEGER REFERENCES servers (id) ON DELETE CASCADE,
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- NULL is distinct from NULL in a UNIQUE constraint: the expression makes "every server" unique.
CREATE UNIQUE INDEX rcon_grants_unique
    ON rcon_grants (guild_id, role_id, action, COALESCE(server_id, 0));

-- One row per attempt or change, written before the action runs (outcome 'pending') and
-- completed after it. No foreign keys: the trail outlives the servers it names.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),  -- UTC
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    user_name    TEXT    NOT NULL,
    allowed_by   TEXT    NOT NULL DEFAULT '',  -- "administrator", "role <id>", or ''
    server_id    INTEGER,
    server_name  TEXT    NOT NULL DEFAULT '',
    action       TEXT    NOT NULL,             -- "rcon kick", "server edit", "permissions grant"
    arguments    TEXT    NOT NULL DEFAULT '',
    outcome      TEXT    NOT NULL DEFAULT 'pending',  -- pending, ok, denied, error, timeout
    excerpt      TEXT    NOT NULL DEFAULT '',
    latency_ms   REAL
);

CREATE INDEX audit_log_guild ON audit_log (guild_id, id);

-- Where new audit entries of a guild are mirrored.
CREATE TABLE audit_channels (
    guild_id    INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL
);
