-- Scheduled announcements, restarts and console commands (#19). ``next_run`` is the claim: a
-- process runs a due schedule only if its ``UPDATE … SET next_run = <after> WHERE id = ? AND
-- next_run = <due>`` changed the row, so two processes on one database never both run it.
CREATE TABLE schedules (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id        INTEGER NOT NULL,
    server_id       INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('message', 'restart', 'command')),
    timing          TEXT    NOT NULL,   -- "mon,fri 04:00,16:00" or "every 6h" (normalised)
    zone            TEXT    NOT NULL,   -- IANA time zone of the daily times
    anchor          REAL    NOT NULL,   -- intervals count from here
    payload         TEXT    NOT NULL DEFAULT '',  -- the message, the command, the restart text
    steps           TEXT    NOT NULL DEFAULT '',  -- restart countdown minutes, "15,5,1"
    channel_id      INTEGER,
    missed          TEXT    NOT NULL DEFAULT 'skip' CHECK (missed IN ('late', 'skip')),
    paused          INTEGER NOT NULL DEFAULT 0,
    next_run        REAL    NOT NULL,
    last_run        REAL,
    last_outcome    TEXT    NOT NULL DEFAULT '',
    created_by      INTEGER NOT NULL,
    created_by_name TEXT    NOT NULL
);
CREATE INDEX schedules_guild ON schedules (guild_id);
CREATE INDEX schedules_due ON schedules (next_run);

-- A restart countdown in progress (one per server): announcements at ``steps`` minutes before
-- ``shutdown_at``, then the shutdown. ``next_at`` is claimed like ``schedules.next_run``; the
-- shutdown is claimed by deleting the row, so it runs at most once.
CREATE TABLE countdowns (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id        INTEGER NOT NULL,
    server_id       INTEGER NOT NULL UNIQUE REFERENCES servers (id) ON DELETE CASCADE,
    schedule_id     INTEGER REFERENCES schedules (id) ON DELETE SET NULL,
    shutdown_at     REAL    NOT NULL,
    steps           TEXT    NOT NULL DEFAULT '',
    message         TEXT    NOT NULL DEFAULT '',
    channel_id      INTEGER,
    missed          TEXT    NOT NULL DEFAULT 'late' CHECK (missed IN ('late', 'skip')),
    next_at         REAL    NOT NULL,
    created_by      INTEGER NOT NULL,
    created_by_name TEXT    NOT NULL
);
CREATE INDEX countdowns_due ON countdowns (next_at);
