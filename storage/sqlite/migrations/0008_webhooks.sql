-- Webhook events (SPEC §8): written in the same transaction as the incoming SMS or the
-- recipient's state change they tell of, then POSTed until the receiver answers 2xx. The body
-- is stored whole, so every retry sends the same bytes (and the same event_id).
CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE CHECK (event_id <> ''),
    type TEXT NOT NULL CHECK (type IN ('sms.received', 'sms.status')),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- When the next attempt may start (a claim pushes it past the POST's own timeout, so an
    -- attempt cut off by a crash is retried); NULL once delivered.
    next_attempt_at TEXT,
    delivered_at TEXT,
    last_error TEXT,
    CHECK ((delivered_at IS NULL) = (next_attempt_at IS NOT NULL))
);

CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at, id)
    WHERE delivered_at IS NULL;
