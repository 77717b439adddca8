-- What members see (#17): a style per status board, and an http(s) join link per server that
-- /status and boards show as a link button.
ALTER TABLE boards ADD COLUMN style TEXT NOT NULL DEFAULT 'compact'
    CHECK (style IN ('compact', 'detailed'));
ALTER TABLE server_display ADD COLUMN join_url TEXT CHECK (length(join_url) <= 512);
