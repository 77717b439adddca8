-- Player ids besides the BattlEye GUID (#16 "Feed"): SteamID64, EOS id, Minecraft UUID, as the
-- consoles name them, on each event and session; validated by shape before they are stored
-- (bot/services/feed/ids.py), bounded here too.
ALTER TABLE feed_events ADD COLUMN steam_id TEXT CHECK (length(steam_id) = 17);
ALTER TABLE feed_events ADD COLUMN eos_id TEXT CHECK (length(eos_id) = 32);
ALTER TABLE feed_events ADD COLUMN mc_uuid TEXT CHECK (length(mc_uuid) = 36);
ALTER TABLE player_sessions ADD COLUMN steam_id TEXT CHECK (length(steam_id) = 17);
ALTER TABLE player_sessions ADD COLUMN eos_id TEXT CHECK (length(eos_id) = 32);
ALTER TABLE player_sessions ADD COLUMN mc_uuid TEXT CHECK (length(mc_uuid) = 36);

-- /player lookup by id (each an index search in the OR of the lookup).
CREATE INDEX player_sessions_steam ON player_sessions (steam_id) WHERE steam_id IS NOT NULL;
CREATE INDEX player_sessions_eos ON player_sessions (eos_id) WHERE eos_id IS NOT NULL;
CREATE INDEX player_sessions_mc ON player_sessions (mc_uuid) WHERE mc_uuid IS NOT NULL;

-- New categories (deaths, server lifecycle): a feed set to "all" (every category there was)
-- keeps getting every event. Categories are stored sorted, comma-separated.
UPDATE feeds SET kinds = 'admin,bans,chat,deaths,joins,kicks,leaves,server,status'
WHERE kinds = 'admin,bans,chat,joins,kicks,leaves,status';
