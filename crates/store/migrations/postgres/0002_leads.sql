-- Leads, queues, claim rules and the lead timeline.

CREATE TABLE lead_statuses (
    key        TEXT    PRIMARY KEY NOT NULL,
    label_en   TEXT        NOT NULL,
    label_da   TEXT        NOT NULL,
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
    id                UUID    PRIMARY KEY,
    name              TEXT        NOT NULL,
    stale_claim_days  INTEGER,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX queues_name_key ON queues (lower(name));

CREATE TABLE queue_members (
    queue_id    UUID NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
    partner_id  UUID NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    PRIMARY KEY (queue_id, partner_id)
);
CREATE INDEX queue_members_partner ON queue_members (partner_id);

CREATE TABLE leads (
    id                UUID    PRIMARY KEY,
    name              TEXT        NOT NULL,
    company           TEXT        NOT NULL,
    title             TEXT,
    email             TEXT,
    phone             TEXT,
    country           TEXT,
    postal_code       TEXT,
    source            TEXT        NOT NULL,
    status            TEXT    NOT NULL REFERENCES lead_statuses (key),
    rating            TEXT,
    description       TEXT,
    queue_id          UUID    REFERENCES queues (id),
    partner_id        UUID    REFERENCES partners (id),
    owner_id          UUID    REFERENCES users (id),
    accepted_at       TIMESTAMPTZ,
    claimed_at        TIMESTAMPTZ,
    version           BIGINT  NOT NULL DEFAULT 1,
    created_by        UUID    REFERENCES users (id),
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    last_activity_at  TIMESTAMPTZ NOT NULL,
    stale_warned_at   TIMESTAMPTZ
);
CREATE INDEX leads_created ON leads (created_at, id);
CREATE INDEX leads_partner ON leads (partner_id, created_at, id);
CREATE INDEX leads_owner ON leads (owner_id, created_at, id);
CREATE INDEX leads_queue_unclaimed ON leads (queue_id, created_at, id) WHERE owner_id IS NULL;

CREATE TABLE lead_events (
    id          UUID    PRIMARY KEY,
    lead_id     UUID    NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    UUID    REFERENCES users (id),
    kind        TEXT        NOT NULL,
    field       TEXT,
    old_value   TEXT,
    new_value   TEXT,
    partner_id  UUID    REFERENCES partners (id),
    queue_id    UUID    REFERENCES queues (id)
);
CREATE INDEX lead_events_lead ON lead_events (lead_id, at, id);
CREATE INDEX lead_events_claims_partner ON lead_events (partner_id, at) WHERE kind = 'claim';
CREATE INDEX lead_events_claims_actor ON lead_events (actor_id, at) WHERE kind = 'claim';

CREATE TABLE lead_declines (
    lead_id     UUID    NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    partner_id  UUID    NOT NULL REFERENCES partners (id),
    user_id     UUID    REFERENCES users (id),
    reason      TEXT        NOT NULL,
    note        TEXT,
    at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (lead_id, partner_id)
);

CREATE TABLE claim_rules (
    id            UUID    PRIMARY KEY,
    position      INTEGER NOT NULL,
    name          TEXT        NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('open_at_once', 'per_window')),
    window_hours  INTEGER,
    subject       TEXT    NOT NULL CHECK (subject IN ('user', 'partner')),
    queue_id      UUID    REFERENCES queues (id) ON DELETE CASCADE,
    max_claims    BIGINT  NOT NULL,
    overrides     TEXT    NOT NULL
);
