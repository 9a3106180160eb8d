-- Campaigns (/bulk): stored whole before the first provider call (SPEC §5). Each chunk is one
-- provider call; when it is about to be made it becomes a row of `sends` (status submitting,
-- its recipients queued), so delivery polling, /status and the at-start `unknown` of a send in
-- flight work for campaign chunks exactly as for /send.

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE CHECK (idempotency_key <> ''),
    account TEXT NOT NULL CHECK (account <> ''),
    line TEXT NOT NULL CHECK (line <> ''),
    chat_id INTEGER NOT NULL,
    requested_by INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    template TEXT,  -- NULL: each row had its own text
    status TEXT NOT NULL
        CHECK (status IN ('draft', 'running', 'paused', 'done', 'cancelled')),
    pause_reason TEXT,  -- why a paused campaign is paused: 'user', 'rate_limit', 'credit', …
    wait_reason TEXT,   -- why a running campaign is not sending now: 'quiet_hours', 'throttle', …
    wait_until TEXT,
    not_before TEXT,    -- a scheduled campaign does not start before this
    recipient_count INTEGER NOT NULL CHECK (recipient_count > 0),
    chunk_count INTEGER NOT NULL CHECK (chunk_count > 0),
    progress_chat_id INTEGER,
    progress_message_id INTEGER,
    progress_digest TEXT,
    summary_sent INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX campaigns_active ON campaigns (id) WHERE status IN ('running', 'paused');

CREATE TABLE campaign_recipients (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    row_number INTEGER NOT NULL,
    recipient TEXT NOT NULL CHECK (recipient <> ''),
    text TEXT NOT NULL,
    parts INTEGER NOT NULL CHECK (parts > 0),
    chunk INTEGER,  -- NULL: skipped
    skip_reason TEXT CHECK (skip_reason IN ('blacklisted', 'opted_out')),
    UNIQUE (campaign_id, recipient),
    CHECK ((chunk IS NULL) = (skip_reason IS NOT NULL))
);

CREATE INDEX campaign_recipients_by_chunk ON campaign_recipients (campaign_id, chunk, id);

CREATE TABLE campaign_chunks (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    chunk INTEGER NOT NULL CHECK (chunk >= 0),
    size INTEGER NOT NULL CHECK (size > 0),
    state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'sent', 'failed', 'unknown')),
    send_id INTEGER REFERENCES sends (id),
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (campaign_id, chunk)
) WITHOUT ROWID;

CREATE INDEX campaign_chunks_in_flight ON campaign_chunks (campaign_id) WHERE state = 'in_flight';

-- SMS sent per account per UTC minute ('m:…') and per Tehran day ('d:…'): every send of the
-- account counts, so max_per_minute and daily_limit survive restarts.
CREATE TABLE account_usage (
    account TEXT NOT NULL,
    bucket TEXT NOT NULL,
    n INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (account, bucket)
) WITHOUT ROWID;
