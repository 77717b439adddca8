-- Indexes for what runs before an interaction's first answer (#12 "interactions under flood").

-- /player lookup: a name (player_key, indexed already) or a GUID compared case-insensitively;
-- without this the OR makes every lookup scan all sessions of every guild.
CREATE INDEX player_sessions_guid_lower ON player_sessions (lower(guid));

-- /player autocomplete: a substring match cannot use player_key, so read only the rows of the
-- guild's servers (covering: the name and its recency are in the index).
CREATE INDEX player_sessions_server_key ON player_sessions (server_id, player_key, joined_at, player);

-- /audit view filtered by member, by server, or by time (page and count).
CREATE INDEX audit_log_guild_user ON audit_log (guild_id, user_id, id);
CREATE INDEX audit_log_guild_server ON audit_log (guild_id, server_id, id);
CREATE INDEX audit_log_guild_at ON audit_log (guild_id, at);
