-- Outpost's first schema: application state and the per-guild server registry.
-- Discord ids are INTEGER (64-bit snowflakes fit).

-- Small key/value facts about the installation (e.g. the hash of the last command sync).
CREATE TABLE app_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE servers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id      INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    -- Case-folded name: uniqueness per guild ignores case, as users type names freely.
    name_key      TEXT    NOT NULL,
    game          TEXT    NOT NULL,
    host          TEXT    NOT NULL,
    game_port     INTEGER NOT NULL CHECK (game_port BETWEEN 1 AND 65535),
    query_port    INTEGER NOT NULL CHECK (query_port BETWEEN 1 AND 65535),
    rcon_port     INTEGER CHECK (rcon_port IS NULL OR rcon_port BETWEEN 1 AND 65535),
    -- Fernet token (never the plain password).
    rcon_password TEXT,
    created_by    INTEGER NOT NULL,
    created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- Also the index for per-guild listing and autocomplete.
    UNIQUE (guild_id, name_key)
);
