-- Verification codes (SPEC §4 OTP, §5 "OTP can't be abused") and failover between accounts.

-- One row per code sent (or being sent) to a number. The code itself is never stored: mode
-- 'own' keeps HMAC-SHA256(key, salt:number:code); mode 'provider' keeps nothing (the provider
-- made the code and checks it). The per-number limits are counted from these rows, so they hold
-- across restarts (and replicas sharing the database).
CREATE TABLE otp_codes (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL CHECK (number <> ''),        -- E.164
    mode TEXT NOT NULL CHECK (mode IN ('own', 'provider')),
    account TEXT NOT NULL CHECK (account <> ''),
    code_hmac TEXT,
    salt TEXT,
    state TEXT NOT NULL CHECK (state IN ('active', 'verified', 'cancelled', 'failed')),
    checks INTEGER NOT NULL DEFAULT 0 CHECK (checks >= 0),
    max_checks INTEGER NOT NULL CHECK (max_checks > 0),
    cancelled_by INTEGER REFERENCES otp_codes (id),
    send_id INTEGER REFERENCES sends (id),
    provider_ref TEXT,
    requested_by TEXT NOT NULL CHECK (requested_by <> ''),
    request_key TEXT UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (mode = 'provider' OR (code_hmac IS NOT NULL AND salt IS NOT NULL)),
    CHECK (checks <= max_checks)
);

-- The limits and /verify read a number's latest codes.
CREATE INDEX otp_codes_by_number ON otp_codes (number, created_at, id);

-- Every send and check of a code, and every refusal, with who asked ('tg:<user id>' or
-- 'api:<key name>').
CREATE TABLE otp_audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    code_id INTEGER REFERENCES otp_codes (id),
    number TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('send', 'check')),
    result TEXT NOT NULL CHECK (result <> ''),
    requested_by TEXT NOT NULL CHECK (requested_by <> ''),
    detail TEXT NOT NULL DEFAULT ''
);

CREATE INDEX otp_audit_by_number ON otp_audit (number, id);

-- The HMAC key codes are hashed with, made on first use, unless the config gives one.
CREATE TABLE otp_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key TEXT NOT NULL CHECK (length(key) >= 32),
    created_at TEXT NOT NULL
);

-- Failover: a send whose first account surely sent nothing went through `account` (its
-- fallback) instead; these say which account it was first given to and why it moved.
ALTER TABLE sends ADD COLUMN failover_from TEXT;
ALTER TABLE sends ADD COLUMN failover_reason TEXT;
