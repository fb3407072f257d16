-- Foundation: vendor settings, partner accounts, users, sessions, invitations,
-- the outbox and the audit log. Times are UTC text of fixed width, so they sort.

CREATE TABLE vendor_settings (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    portal_name     TEXT    NOT NULL,
    logo_url        TEXT,
    primary_colour  TEXT    NOT NULL,
    accent_colour   TEXT    NOT NULL,
    partner_tabs    TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);

CREATE TABLE partners (
    id                  BLOB    PRIMARY KEY NOT NULL,
    name                TEXT    NOT NULL,
    tier                TEXT    NOT NULL CHECK (tier IN ('registered', 'silver', 'gold', 'platinum')),
    channel_manager_id  BLOB    REFERENCES users (id),
    brand_name          TEXT,
    logo_url            TEXT,
    primary_colour      TEXT,
    accent_colour       TEXT,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);
CREATE UNIQUE INDEX partners_name_key ON partners (lower(name));
CREATE INDEX partners_channel_manager ON partners (channel_manager_id);

CREATE TABLE users (
    id                    BLOB    PRIMARY KEY NOT NULL,
    email                 TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    role                  TEXT    NOT NULL CHECK (role IN ('admin', 'channel_manager', 'partner_manager', 'partner_user')),
    partner_id            BLOB    REFERENCES partners (id),
    title                 TEXT,
    phone                 TEXT,
    locale                TEXT    NOT NULL DEFAULT 'en',
    password_hash         TEXT,
    must_change_password  BOOLEAN NOT NULL DEFAULT FALSE,
    active                BOOLEAN NOT NULL DEFAULT TRUE,
    created_at            TEXT    NOT NULL,
    last_sign_in_at       TEXT,
    CHECK ((role IN ('admin', 'channel_manager')) = (partner_id IS NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_partner ON users (partner_id);

CREATE TABLE sessions (
    token_hash    TEXT    PRIMARY KEY NOT NULL,
    user_id       BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('browser', 'api')),
    created_at    TEXT    NOT NULL,
    expires_at    TEXT    NOT NULL,
    last_seen_at  TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE invitations (
    id          BLOB    PRIMARY KEY NOT NULL,
    user_id     BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invited_by  BLOB    NOT NULL REFERENCES users (id),
    token_hash  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    used_at     TEXT,
    revoked_at  TEXT
);
CREATE UNIQUE INDEX invitations_token_key ON invitations (token_hash);
CREATE INDEX invitations_user ON invitations (user_id);

CREATE TABLE outbox (
    id               BLOB    PRIMARY KEY NOT NULL,
    kind             TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT    NOT NULL,
    locked_until     TEXT,
    delivered_at     TEXT,
    last_error       TEXT
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE delivered_at IS NULL;

CREATE TABLE audit_log (
    id            BLOB    PRIMARY KEY NOT NULL,
    actor_id      BLOB    REFERENCES users (id),
    action        TEXT    NOT NULL,
    subject_kind  TEXT    NOT NULL,
    subject_id    TEXT    NOT NULL,
    detail        TEXT    NOT NULL,
    at            TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE sign_in_failures (
    throttle_key  TEXT    NOT NULL,
    at            TEXT    NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (throttle_key, at);

CREATE TABLE recent_items (
    user_id      BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    record_kind  TEXT    NOT NULL,
    record_id    BLOB    NOT NULL,
    viewed_at    TEXT    NOT NULL,
    PRIMARY KEY (user_id, record_kind, record_id)
);
CREATE INDEX recent_items_user ON recent_items (user_id, viewed_at);
