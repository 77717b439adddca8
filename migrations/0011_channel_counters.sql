-- Channel counters (#19): a channel renamed to a server's status ("🟢 DayZ: 42/60") within
-- Discord's limit of two renames per channel per ten minutes. ``renamed_at``: the last rename
-- (kept across restarts, so a restart never spends a rename the limit has not given back).
CREATE TABLE channel_counters (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL UNIQUE,
    server_id  INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    format     TEXT    NOT NULL CHECK (length(format) BETWEEN 1 AND 100),
    shown      TEXT,
    renamed_at REAL,
    created_by INTEGER NOT NULL
);
CREATE INDEX channel_counters_guild ON channel_counters (guild_id);
