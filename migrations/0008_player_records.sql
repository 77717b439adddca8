-- Player records (#18): one per player per guild, found by any identifier the consoles gave
-- (SteamID64, BattlEye GUID, EOS id, Minecraft UUID; a name where nothing else is known),
-- merged when two identifiers are seen together. Sessions point at their player; existing
-- sessions are carried over by bot.storage.players.PlayerRepository.backfill at start.
CREATE TABLE players (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    name       TEXT    NOT NULL CHECK (length(name) <= 128),  -- the latest name seen
    first_seen REAL    NOT NULL,
    last_seen  REAL    NOT NULL
);
CREATE INDEX players_guild ON players (guild_id, last_seen);

CREATE TABLE player_identifiers (
    guild_id  INTEGER NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN ('steam', 'guid', 'eos', 'mc_uuid', 'name')),
    value     TEXT    NOT NULL CHECK (length(value) <= 128),
    player_id INTEGER NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    PRIMARY KEY (guild_id, kind, value)
);
CREATE INDEX player_identifiers_player ON player_identifiers (player_id);

-- Every name a player was seen with; ``name_key`` as player_sessions.player_key.
CREATE TABLE player_names (
    player_id  INTEGER NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL CHECK (length(name) <= 128),
    name_key   TEXT    NOT NULL,
    first_seen REAL    NOT NULL,
    last_seen  REAL    NOT NULL,
    PRIMARY KEY (player_id, name_key)
);
CREATE INDEX player_names_key ON player_names (name_key);

CREATE TABLE player_notes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    player_id INTEGER NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL,
    at        REAL    NOT NULL,
    text      TEXT    NOT NULL CHECK (length(text) <= 1000)
);
CREATE INDEX player_notes_player ON player_notes (player_id, at);

ALTER TABLE player_sessions ADD COLUMN player_id INTEGER REFERENCES players (id) ON DELETE SET NULL;
CREATE INDEX player_sessions_player ON player_sessions (player_id, joined_at);
CREATE INDEX player_sessions_unlinked ON player_sessions (id) WHERE player_id IS NULL;
