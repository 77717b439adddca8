-- Population pings (#19): one role mention when a server's player count crosses a threshold,
-- then quiet until it has moved back past the hysteresis and the cooldown is over.
CREATE TABLE population_pings (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    server_id  INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL,
    role_id    INTEGER NOT NULL,
    direction  TEXT    NOT NULL CHECK (direction IN ('above', 'below')),
    threshold  INTEGER NOT NULL CHECK (threshold >= 0 AND threshold <= 100000),
    cooldown   REAL    NOT NULL DEFAULT 3600 CHECK (cooldown >= 0),
    armed      INTEGER,          -- NULL until the first round saw the server; 0/1 after
    last_fired REAL,
    created_by INTEGER NOT NULL,
    UNIQUE (server_id, channel_id, direction, threshold)
);
CREATE INDEX population_pings_guild ON population_pings (guild_id);
