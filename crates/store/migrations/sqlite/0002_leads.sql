-- Leads, queues, claim rules and the lead timeline.

CREATE TABLE lead_statuses (
    key        TEXT    PRIMARY KEY NOT NULL,
    label_en   TEXT    NOT NULL,
    label_da   TEXT    NOT NULL,
    closed     BOOLEAN NOT NULL DEFAULT FALSE,
    converted  BOOLEAN NOT NULL DEFAULT FALSE,
    position   INTEGER NOT NULL
);
INSERT INTO lead_statuses (key, label_en, label_da, closed, converted, position) VALUES
    ('open_not_contacted', 'Open – Not Contacted', 'Åben – ikke kontaktet', FALSE, FALSE, 10),
    ('working_contacted', 'Working – Contacted', 'I gang – kontaktet', FALSE, FALSE, 20),
    ('qualified', 'Qualified', 'Kvalificeret', FALSE, FALSE, 30),
    ('unqualified', 'Unqualified', 'Ikke kvalificeret', TRUE, FALSE, 40),
    ('converted', 'Converted', 'Konverteret', TRUE, TRUE, 50);

CREATE TABLE queues (
    id                BLOB    PRIMARY KEY NOT NULL,
    name              TEXT    NOT NULL,
    stale_claim_days  INTEGER,
    created_at        TEXT    NOT NULL
);
CREATE UNIQUE INDEX queues_name_key ON queues (lower(name));

CREATE TABLE queue_members (
    queue_id    BLOB NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
    partner_id  BLOB NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    PRIMARY KEY (queue_id, partner_id)
);
CREATE INDEX queue_members_partner ON queue_members (partner_id);

CREATE TABLE leads (
    id                BLOB    PRIMARY KEY NOT NULL,
    name              TEXT    NOT NULL,
    company           TEXT    NOT NULL,
    title             TEXT,
    email             TEXT,
    phone             TEXT,
    country           TEXT,
    postal_code       TEXT,
    source            TEXT    NOT NULL,
    status            TEXT    NOT NULL REFERENCES lead_statuses (key),
    rating            TEXT,
    description       TEXT,
    queue_id          BLOB    REFERENCES queues (id),
    partner_id        BLOB    REFERENCES partners (id),
    owner_id          BLOB    REFERENCES users (id),
    accepted_at       TEXT,
    claimed_at        TEXT,
    version           INTEGER NOT NULL DEFAULT 1,
    created_by        BLOB    REFERENCES users (id),
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    last_activity_at  TEXT    NOT NULL,
    stale_warned_at   TEXT
);
CREATE INDEX leads_created ON leads (created_at, id);
CREATE INDEX leads_partner ON leads (partner_id, created_at, id);
CREATE INDEX leads_owner ON leads (owner_id, created_at, id);
CREATE INDEX leads_queue_unclaimed ON leads (queue_id, created_at, id) WHERE owner_id IS NULL;

CREATE TABLE lead_events (
    id          BLOB    PRIMARY KEY NOT NULL,
    lead_id     BLOB    NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    at          TEXT    NOT NULL,
    actor_id    BLOB    REFERENCES users (id),
    kind        TEXT    NOT NULL,
    field       TEXT,
    old_value   TEXT,
    new_value   TEXT,
    partner_id  BLOB    REFERENCES partners (id),
    queue_id    BLOB    REFERENCES queues (id)
);
CREATE INDEX lead_events_lead ON lead_events (lead_id, at, id);
CREATE INDEX lead_events_claims_partner ON lead_events (partner_id, at) WHERE kind = 'claim';
CREATE INDEX lead_events_claims_actor ON lead_events (actor_id, at) WHERE kind = 'claim';

CREATE TABLE lead_declines (
    lead_id     BLOB    NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    partner_id  BLOB    NOT NULL REFERENCES partners (id),
    user_id     BLOB    REFERENCES users (id),
    reason      TEXT    NOT NULL,
    note        TEXT,
    at          TEXT    NOT NULL,
    PRIMARY KEY (lead_id, partner_id)
);

CREATE TABLE claim_rules (
    id            BLOB    PRIMARY KEY NOT NULL,
    position      INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('open_at_once', 'per_window')),
    window_hours  INTEGER,
    subject       TEXT    NOT NULL CHECK (subject IN ('user', 'partner')),
    queue_id      BLOB    REFERENCES queues (id) ON DELETE CASCADE,
    max_claims    INTEGER NOT NULL,
    overrides     TEXT    NOT NULL
);
