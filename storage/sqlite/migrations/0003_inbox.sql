-- Inbox records that could not be read as an SMS (issue 6): kept as the provider listed them,
-- reported once to the admins, read again at start by the parser of the day. The line's cursor
-- moves on past them; nothing behind them waits.
CREATE TABLE inbox_quarantine (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL CHECK (account <> ''),
    line TEXT NOT NULL CHECK (line <> ''),
    record_key TEXT NOT NULL CHECK (record_key <> ''),  -- the adapter's key for the record
    raw TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    reported_at TEXT,  -- when the admins were told (NULL: not yet)
    resolved_at TEXT,  -- when it was read after all (NULL: still unread)
    incoming_id INTEGER REFERENCES incoming (id) ON DELETE SET NULL,
    UNIQUE (account, record_key),
    CHECK (resolved_at IS NOT NULL OR incoming_id IS NULL)
);

CREATE INDEX inbox_quarantine_open ON inbox_quarantine (account, id) WHERE resolved_at IS NULL;
CREATE INDEX inbox_quarantine_unreported ON inbox_quarantine (account, id)
    WHERE reported_at IS NULL AND resolved_at IS NULL;
