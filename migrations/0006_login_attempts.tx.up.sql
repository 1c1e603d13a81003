-- Recent sign-in failures and sign-ups, one row each, so that every instance
-- behind a load balancer applies the same rate limits. Rows older than the
-- longest window (an hour) are purged hourly, so the table stays small and
-- needs no primary key: rows are only counted and deleted in bulk.
CREATE TABLE login_attempts (
    kind     text NOT NULL CHECK (kind IN ('login', 'signup')),
    -- The email tried (lower case), '' for sign-ups.
    account  text NOT NULL CHECK (length(account) <= 320),
    -- The client address (an IPv6 client's /64).
    ip       text NOT NULL CHECK (length(ip) <= 64),
    at       timestamptz NOT NULL
);
-- An address's recent attempts (the per-address and per-account-and-address limits).
CREATE INDEX login_attempts_ip_idx ON login_attempts (kind, ip, at);
-- An account's recent failures from every address, and clearing them after a good sign-in.
CREATE INDEX login_attempts_account_idx ON login_attempts (kind, account, at);
