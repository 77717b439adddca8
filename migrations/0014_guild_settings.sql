-- Per-guild settings (#20). ``language``: the catalogue language of the guild's shared messages
-- (boards, feeds, alerts); NULL follows the guild's preferred locale, then English.
CREATE TABLE guild_settings (
    guild_id INTEGER PRIMARY KEY,
    language TEXT CHECK (language IS NULL OR length(language) BETWEEN 2 AND 10)
);
