-- Issue 13: multi-step flows (the guided /send) in the database, one per (chat, person, kind),
-- so a step typed on one replica is continued on another (PostgreSQL); data is a JSON object.
CREATE TABLE flows (
    chat_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind <> ''),
    step TEXT NOT NULL CHECK (step <> ''),
    data TEXT NOT NULL,
    preview_id INTEGER,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, user_id, kind)
);

CREATE INDEX flows_by_preview ON flows (chat_id, preview_id) WHERE preview_id IS NOT NULL;
