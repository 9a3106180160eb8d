-- Mirrors storage/sqlite/migrations/0007: multi-step flows (the guided /send) in the database, one per (chat, person, kind),
-- so a step typed on one replica is continued on another; data is a JSON object of texts.
CREATE TABLE flows (
    chat_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind <> ''),
    step TEXT NOT NULL CHECK (step <> ''),
    data TEXT NOT NULL,
    preview_id BIGINT,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chat_id, user_id, kind)
);

CREATE INDEX flows_by_preview ON flows (chat_id, preview_id) WHERE preview_id IS NOT NULL;
