-- Status features: player history, status boards, up/down alerts, per-server display options.

-- One sample per polled address per round. Keyed by the queried address, not by server id:
-- servers registered in several guilds at one address share one poll and one history.
CREATE TABLE status_samples (
    target      TEXT    NOT NULL,  -- "host:query_port"
    at          REAL    NOT NULL,  -- Unix time, seconds
    online      INTEGER NOT NULL,  -- 0/1 (the debounced state)
    players     INTEGER NOT NULL,
    max_players INTEGER NOT NULL,
    bots        INTEGER NOT NULL,
    map         TEXT    NOT NULL,
    ping_ms     REAL,
    PRIMARY KEY (target, at)
) WITHOUT ROWID;

-- Pruning deletes by time across every target.
CREATE INDEX status_samples_at ON status_samples (at);

-- Display options per server (absent row: defaults).
CREATE TABLE server_display (
    server_id    INTEGER PRIMARY KEY REFERENCES servers (id) ON DELETE CASCADE,
    hide_connect INTEGER NOT NULL DEFAULT 0
);

-- A status board: one or more messages in a channel showing up to 10 servers each.
CREATE TABLE boards (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     INTEGER NOT NULL,
    channel_id   INTEGER NOT NULL,
    -- JSON list of server ids, in display order; empty: every server of the guild.
    server_ids   TEXT    NOT NULL DEFAULT '[]',
    paused       TEXT,              -- why the board is paused (NULL: running)
    created_by   INTEGER NOT NULL,
    created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (guild_id, channel_id)
);

-- The messages of a board, in order; ``digest`` is the hash of what was last rendered into it.
CREATE TABLE board_messages (
    board_id   INTEGER NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    digest     TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (board_id, position)
);

-- Up/down alerts of one server into one channel. ``last_state`` makes alerts idempotent across
-- restarts: a message is sent only when the observed state differs from the stored one.
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    server_id   INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    channel_id  INTEGER NOT NULL,
    role_id     INTEGER,
    last_state  TEXT,               -- 'up', 'down' or NULL (not observed yet)
    down_since  REAL,               -- Unix time of the first failed poll of the outage
    created_by  INTEGER NOT NULL,
    UNIQUE (server_id, channel_id)
);
CREATE INDEX alerts_guild ON alerts (guild_id);
