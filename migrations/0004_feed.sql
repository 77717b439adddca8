-- Live feed: subscriptions (feeds, watches), the stored events and player sessions.

-- Server events mirrored into one channel. ``kinds`` is a comma-separated list of categories
-- (joins, leaves, chat, kicks, bans, admin, status). ``delivered_through`` is the id of the last
-- event of this server delivered (or reported dropped) in the channel: a restart replays only
-- what comes after it, so nothing is posted twice and nothing queued is lost.
CREATE TABLE feeds (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id          INTEGER NOT NULL,
    server_id         INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    channel_id        INTEGER NOT NULL,
    kinds             TEXT    NOT NULL,
    delivered_through INTEGER NOT NULL DEFAULT 0,
    created_by        INTEGER NOT NULL,
    created_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (server_id, channel_id)
);
CREATE INDEX feeds_guild ON feeds (guild_id);

-- Every event of every server (pruned with the history retention).
CREATE TABLE feed_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    server_id INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    at        REAL    NOT NULL,             -- Unix time, seconds
    kind      TEXT    NOT NULL,             -- join, leave, chat, kick, ban, admin_login...
    player    TEXT    NOT NULL DEFAULT '',
    guid      TEXT,                         -- BattlEye GUID when known
    text      TEXT    NOT NULL DEFAULT '',
    source    TEXT    NOT NULL              -- 'battleye', 'a2s' (approximate) or 'status'
);
CREATE INDEX feed_events_server ON feed_events (server_id, id);
CREATE INDEX feed_events_at ON feed_events (at);

-- One row per stay of a player on a server; ``left_at`` NULL while connected.
CREATE TABLE player_sessions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    server_id  INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    player     TEXT    NOT NULL,
    player_key TEXT    NOT NULL,            -- case-folded name, what lookups compare
    guid       TEXT,
    source     TEXT    NOT NULL,
    joined_at  REAL    NOT NULL,
    left_at    REAL
);
CREATE INDEX player_sessions_key ON player_sessions (player_key, joined_at);
CREATE INDEX player_sessions_guid ON player_sessions (guid) WHERE guid IS NOT NULL;
CREATE INDEX player_sessions_open ON player_sessions (server_id) WHERE left_at IS NULL;
CREATE INDEX player_sessions_left ON player_sessions (left_at);

-- Watched players: a join matching ``pattern_key`` (a case-folded name or a lower-case GUID)
-- posts in ``channel_id``, mentioning ``role_id``. ``delivered_through`` as for feeds.
CREATE TABLE watches (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id          INTEGER NOT NULL,
    server_id         INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    pattern           TEXT    NOT NULL,
    pattern_key       TEXT    NOT NULL,
    channel_id        INTEGER NOT NULL,
    role_id           INTEGER,
    delivered_through INTEGER NOT NULL DEFAULT 0,
    created_by        INTEGER NOT NULL,
    created_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (server_id, pattern_key)
);
CREATE INDEX watches_guild ON watches (guild_id);
