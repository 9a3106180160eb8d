-- Conversations (mirrors storage/sqlite/migrations/0004): a route may give each customer of its
-- line a forum topic in its chat.

ALTER TABLE routes ADD COLUMN topics BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE topics (
    chat_id BIGINT NOT NULL,
    line TEXT NOT NULL CHECK (line <> ''),
    number TEXT NOT NULL CHECK (number <> ''),
    thread_id BIGINT NOT NULL,
    name TEXT NOT NULL CHECK (name <> ''),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chat_id, line, number),
    UNIQUE (chat_id, thread_id)
);

CREATE INDEX topics_by_number ON topics (number);

CREATE TABLE topic_mirrors (
    chat_id BIGINT NOT NULL,
    message_id BIGINT NOT NULL,
    recipient_id BIGINT NOT NULL REFERENCES send_recipients (id) ON DELETE CASCADE,
    head TEXT NOT NULL CHECK (head <> ''),
    shown_state TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);

CREATE INDEX topic_mirrors_by_recipient ON topic_mirrors (recipient_id);

CREATE INDEX incoming_by_line ON incoming (line, received_at, id);
CREATE INDEX incoming_by_sender ON incoming (line, sender, received_at, id);
CREATE INDEX sends_by_line ON sends (line, created_at, id);
