-- Forwarding that survives Telegram's refusals: long SMS resume at the part Telegram has not
-- accepted; chats Telegram refuses are backed off; groups upgraded to supergroups are followed.

-- The parts of a long SMS (more than one Telegram message) on their way to one chat. Stored,
-- rendered, before the first part is posted; each part gets its message id in the transaction
-- that records Telegram's answer, so a retry, a restart or a crash resumes at the first part
-- without one and posts none twice. Deleted with the forward they belong to (a forward moved
-- to another chat starts there from part 0) and once the last part went.
CREATE TABLE forward_parts (
    chat_id INTEGER NOT NULL,
    incoming_id INTEGER NOT NULL,
    part INTEGER NOT NULL CHECK (part >= 0),
    text TEXT NOT NULL CHECK (text <> ''),
    message_id INTEGER,
    sent_at TEXT,
    PRIMARY KEY (chat_id, incoming_id, part),
    FOREIGN KEY (chat_id, incoming_id) REFERENCES forwards (chat_id, incoming_id)
        ON DELETE CASCADE,
    CHECK ((message_id IS NULL) = (sent_at IS NULL))
);

-- Chats Telegram refuses for good (the bot was removed, the chat is gone): their SMS go
-- elsewhere, and they are not asked again before retry_at (growing with each refusal).
CREATE TABLE refused_chats (
    chat_id INTEGER PRIMARY KEY,
    reason TEXT NOT NULL,
    refusals INTEGER NOT NULL CHECK (refusals > 0),
    first_refused_at TEXT NOT NULL,
    refused_at TEXT NOT NULL,
    retry_at TEXT NOT NULL
);

-- Groups upgraded to supergroups: the id Telegram answered with, to use instead of the old one
-- (also for config routes, which keep naming the old id until someone edits the config).
-- Chains are kept flat: new_chat_id is never itself an old_chat_id.
CREATE TABLE chat_migrations (
    old_chat_id INTEGER PRIMARY KEY,
    new_chat_id INTEGER NOT NULL CHECK (new_chat_id <> old_chat_id),
    migrated_at TEXT NOT NULL
);
