-- Webhook mode (issue 13): every Telegram update is claimed once by its update_id before it is
-- handled, so one delivered twice (Telegram's retry, or a balancer posting it to two
-- replicas) is handled once.
CREATE TABLE telegram_updates (
    update_id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL
);

CREATE INDEX telegram_updates_by_time ON telegram_updates (received_at);
