-- Forwarding that survives Telegram's refusals (mirrors storage/sqlite/migrations/0002): long
-- SMS resume at the part Telegram has not accepted; chats Telegram refuses are backed off;
-- groups upgraded to supergroups are followed.

-- The parts of a long SMS on their way to one chat, stored rendered before the first is posted.
CREATE TABLE forward_parts (
    chat_id BIGINT NOT NULL,
    incoming_id BIGINT NOT NULL,
    part INTEGER NOT NULL CHECK (part >= 0),
    text TEXT NOT NULL CHECK (text <> ''),
    message_id BIGINT,
    sent_at TIMESTAMPTZ,
    PRIMARY KEY (chat_id, incoming_id, part),
    FOREIGN KEY (chat_id, incoming_id) REFERENCES forwards (chat_id, incoming_id)
        ON DELETE CASCADE,
    CHECK ((message_id IS NULL) = (sent_at IS NULL))
);

-- Chats Telegram refuses for good: not asked again before retry_at (growing with each refusal).
CREATE TABLE refused_chats (
    chat_id BIGINT PRIMARY KEY,
    reason TEXT NOT NULL,
    refusals INTEGER NOT NULL CHECK (refusals > 0),
    first_refused_at TIMESTAMPTZ NOT NULL,
    refused_at TIMESTAMPTZ NOT NULL,
    retry_at TIMESTAMPTZ NOT NULL
);

-- Groups upgraded to supergroups; chains kept flat (new_chat_id is never an old_chat_id).
CREATE TABLE chat_migrations (
    old_chat_id BIGINT PRIMARY KEY,
    new_chat_id BIGINT NOT NULL CHECK (new_chat_id <> old_chat_id),
    migrated_at TIMESTAMPTZ NOT NULL
);
