-- Conversations: a route may give each customer of its line a forum topic in its chat.

-- 1: the chat (a forum) gets one topic per (line, customer number) for this line's SMS.
ALTER TABLE routes ADD COLUMN topics INTEGER NOT NULL DEFAULT 0 CHECK (topics IN (0, 1));

-- The topic of one customer of one line in one chat. Forgotten when Telegram says it is gone
-- (deleted or closed by a person); the next SMS from that customer opens a new one.
CREATE TABLE topics (
    chat_id INTEGER NOT NULL,
    line TEXT NOT NULL CHECK (line <> ''),
    number TEXT NOT NULL CHECK (number <> ''),
    thread_id INTEGER NOT NULL,
    name TEXT NOT NULL CHECK (name <> ''),
    created_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, line, number),
    UNIQUE (chat_id, thread_id)
);

CREATE INDEX topics_by_number ON topics (number);

-- Our sends to a customer mirrored into their topics: one short message per (topic, recipient)
-- whose delivery state is edited in as it changes (shown_state: the state the message shows).
CREATE TABLE topic_mirrors (
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    recipient_id INTEGER NOT NULL REFERENCES send_recipients (id) ON DELETE CASCADE,
    head TEXT NOT NULL CHECK (head <> ''),
    shown_state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);

CREATE INDEX topic_mirrors_by_recipient ON topic_mirrors (recipient_id);

-- /export of a whole line or one customer's conversation reads in (line, time) order.
CREATE INDEX incoming_by_line ON incoming (line, received_at, id);
CREATE INDEX incoming_by_sender ON incoming (line, sender, received_at, id);
CREATE INDEX sends_by_line ON sends (line, created_at, id);
