-- The bridge's first schema. Timestamps are UTC text, 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (fixed
-- width, so text order is time order). Never edit this file once released: add 0002_….sql.

CREATE TABLE users (
    user_id INTEGER PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    granted_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE user_settings (
    user_id INTEGER PRIMARY KEY,
    language TEXT NOT NULL CHECK (length(language) BETWEEN 2 AND 16),
    updated_at TEXT NOT NULL
);

CREATE TABLE chat_settings (
    chat_id INTEGER PRIMARY KEY,
    account TEXT NOT NULL CHECK (account <> ''),
    line TEXT NOT NULL CHECK (line <> ''),
    updated_at TEXT NOT NULL
);

CREATE TABLE routes (
    line TEXT NOT NULL CHECK (line <> ''),
    chat_id INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('config', 'admin')),
    created_by INTEGER,
    created_at TEXT NOT NULL,
    PRIMARY KEY (line, chat_id)
);

CREATE INDEX routes_by_source ON routes (source);

-- A send is stored (status 'submitting') before the provider is called (SPEC §5).
CREATE TABLE sends (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE CHECK (idempotency_key <> ''),
    account TEXT NOT NULL CHECK (account <> ''),
    line TEXT NOT NULL CHECK (line <> ''),
    text TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    requested_by INTEGER NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('submitting', 'submitted', 'partial', 'failed', 'unknown')),
    error TEXT,
    recipient_count INTEGER NOT NULL CHECK (recipient_count > 0),
    confirmation_chat_id INTEGER,
    confirmation_message_id INTEGER,
    -- The confirmation message is stale while version > rendered_version.
    confirmation_version INTEGER NOT NULL DEFAULT 0,
    confirmation_rendered_version INTEGER NOT NULL DEFAULT 0,
    confirmation_digest TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((confirmation_chat_id IS NULL) = (confirmation_message_id IS NULL))
);

CREATE INDEX sends_history ON sends (chat_id, created_at, id);
CREATE INDEX sends_in_flight ON sends (id) WHERE status = 'submitting';
CREATE INDEX sends_confirmation_stale ON sends (id)
    WHERE confirmation_version > confirmation_rendered_version;

CREATE TABLE send_recipients (
    id INTEGER PRIMARY KEY,
    send_id INTEGER NOT NULL REFERENCES sends (id) ON DELETE CASCADE,
    account TEXT NOT NULL,  -- the send's, copied so the poller's index needs no join
    recipient TEXT NOT NULL CHECK (recipient <> ''),
    state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'pending', 'at_carrier', 'delivered',
                                         'undelivered', 'failed', 'blocked', 'unknown')),
    raw_code TEXT,
    provider_message_id TEXT,
    provider_group_id TEXT,
    polls INTEGER NOT NULL DEFAULT 0 CHECK (polls >= 0),
    next_poll_at TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (send_id, recipient),
    -- Only a tracked recipient (an id to ask about) that is not final is ever polled.
    CHECK (next_poll_at IS NULL
           OR ((provider_message_id IS NOT NULL OR provider_group_id IS NOT NULL)
               AND state NOT IN ('delivered', 'undelivered', 'failed', 'blocked')))
);

-- /status lists a send's recipients in the order they were given.
CREATE INDEX send_recipients_by_send ON send_recipients (send_id, id);
CREATE INDEX send_recipients_due ON send_recipients (account, next_poll_at, id)
    WHERE next_poll_at IS NOT NULL;

-- Per-send counts of recipient states, kept by triggers, so /history summarises a bulk send of
-- 50,000 recipients without reading them.
CREATE TABLE send_state_counts (
    send_id INTEGER NOT NULL REFERENCES sends (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    n INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (send_id, state)
) WITHOUT ROWID;

CREATE TRIGGER send_recipients_count_insert AFTER INSERT ON send_recipients
BEGIN
    INSERT INTO send_state_counts (send_id, state, n) VALUES (new.send_id, new.state, 1)
        ON CONFLICT (send_id, state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER send_recipients_count_update AFTER UPDATE OF state ON send_recipients
    WHEN old.state <> new.state
BEGIN
    UPDATE send_state_counts SET n = n - 1 WHERE send_id = old.send_id AND state = old.state;
    INSERT INTO send_state_counts (send_id, state, n) VALUES (new.send_id, new.state, 1)
        ON CONFLICT (send_id, state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER send_recipients_count_delete AFTER DELETE ON send_recipients
BEGIN
    UPDATE send_state_counts SET n = n - 1 WHERE send_id = old.send_id AND state = old.state;
END;

-- An incoming SMS is stored once per (account, dedupe_key) before it is forwarded (SPEC §5).
CREATE TABLE incoming (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL CHECK (account <> ''),
    line TEXT NOT NULL CHECK (line <> ''),
    sender TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    dedupe_key TEXT NOT NULL CHECK (dedupe_key <> ''),
    created_at TEXT NOT NULL,
    UNIQUE (account, dedupe_key)
);

-- Where the inbox poller of one line resumes; moved in the same transaction as the store.
CREATE TABLE inbox_cursors (
    account TEXT NOT NULL,
    line TEXT NOT NULL,
    cursor TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (account, line)
);

-- One row per incoming SMS × routed chat; pending while message_id is NULL.
CREATE TABLE forwards (
    chat_id INTEGER NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming (id) ON DELETE CASCADE,
    received_at TEXT NOT NULL,  -- the incoming's, copied for the /history index
    message_id INTEGER,
    forwarded_at TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, incoming_id),
    CHECK ((message_id IS NULL) = (forwarded_at IS NULL))
);

CREATE INDEX forwards_pending ON forwards (chat_id, incoming_id) WHERE message_id IS NULL;
CREATE INDEX forwards_history ON forwards (chat_id, received_at, incoming_id)
    WHERE message_id IS NOT NULL;
CREATE INDEX forwards_by_incoming ON forwards (incoming_id);

CREATE TABLE message_links (
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    incoming_id INTEGER REFERENCES incoming (id) ON DELETE CASCADE,
    send_id INTEGER REFERENCES sends (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, message_id),
    CHECK (incoming_id IS NOT NULL OR send_id IS NOT NULL)
);

CREATE INDEX message_links_by_incoming ON message_links (incoming_id)
    WHERE incoming_id IS NOT NULL;
CREATE INDEX message_links_by_send ON message_links (send_id) WHERE send_id IS NOT NULL;

CREATE TABLE alerts (
    key TEXT PRIMARY KEY,
    last_at TEXT NOT NULL
);

CREATE TABLE poll_health (
    account TEXT NOT NULL,
    job TEXT NOT NULL,
    consecutive_failures INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    last_failure_at TEXT,
    last_success_at TEXT,
    PRIMARY KEY (account, job)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER,
    chat_id INTEGER,
    action TEXT NOT NULL CHECK (action <> ''),
    detail TEXT NOT NULL DEFAULT ''
);
