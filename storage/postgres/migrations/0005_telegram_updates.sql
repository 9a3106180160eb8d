-- Webhook mode (mirrors storage/sqlite/migrations/0005): every Telegram update is claimed once
-- by its update_id before it is handled, whichever replica it was posted to.
CREATE TABLE telegram_updates (
    update_id BIGINT PRIMARY KEY,
    received_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX telegram_updates_by_time ON telegram_updates (received_at);
