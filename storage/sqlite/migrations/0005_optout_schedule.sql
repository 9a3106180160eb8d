-- Opt-out lists (one per line) and scheduled sends (issue 9).

-- The numbers that asked a line to send them nothing more (an SMS of `11`, `لغو`, `stop`…), or
-- that an admin put there. `number` is E.164 when it is a mobile, else as the provider gave
-- it. `/optin` deletes the row: the list holds who is opted out now, the audit log the history.
CREATE TABLE opt_outs (
    line TEXT NOT NULL CHECK (line <> ''),
    number TEXT NOT NULL CHECK (number <> ''),
    source TEXT NOT NULL CHECK (source IN ('sms', 'admin')),
    incoming_id INTEGER REFERENCES incoming (id) ON DELETE SET NULL,  -- the SMS that asked
    body TEXT NOT NULL DEFAULT '',  -- what it said
    created_at TEXT NOT NULL,
    PRIMARY KEY (line, number)
);

CREATE INDEX opt_outs_by_number ON opt_outs (number);

-- A send asked for later. The row is the truth (no in-memory job is): the scheduler claims a
-- due row (claimed_at) before it calls the send service, which stores the send under the
-- key `schedule:<id>`, so a claim taken over after a crash finds that send and sends nothing
-- twice. A row that was never claimed and is too late becomes `missed`. Final states
-- (sent, missed, cancelled, failed) never change again; reported_at: the chat was told.
-- campaign_id: a scheduled campaign (its recipients and texts live with the campaign; the
-- table is the campaigns feature's, hence no foreign key here).
CREATE TABLE scheduled_sends (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE CHECK (idempotency_key <> ''),
    chat_id INTEGER NOT NULL,
    requested_by INTEGER NOT NULL,
    account TEXT NOT NULL CHECK (account <> ''),
    line TEXT NOT NULL CHECK (line <> ''),
    recipients TEXT NOT NULL,  -- JSON array of E.164 numbers, in the order given
    text TEXT NOT NULL,
    campaign_id INTEGER,
    due_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'missed', 'cancelled', 'failed')),
    claimed_at TEXT,
    send_id INTEGER REFERENCES sends (id),
    error TEXT,
    cancelled_by INTEGER,
    reported_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (recipients <> '[]' OR campaign_id IS NOT NULL)
);

CREATE INDEX scheduled_sends_due ON scheduled_sends (due_at, id) WHERE state = 'pending';
CREATE INDEX scheduled_sends_by_chat ON scheduled_sends (chat_id, due_at, id)
    WHERE state = 'pending';
CREATE INDEX scheduled_sends_unreported ON scheduled_sends (id)
    WHERE state <> 'pending' AND reported_at IS NULL;
