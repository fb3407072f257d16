-- Accounts, contacts, opportunities and their stage picklist, lead conversion,
-- and deal registration with the conflicts found at submission.
-- Money is integer minor units with an ISO 4217 code; dates are 'YYYY-MM-DD'.

CREATE TABLE opportunity_stages (
    key          TEXT    PRIMARY KEY NOT NULL,
    label_en     TEXT    NOT NULL,
    label_da     TEXT    NOT NULL,
    probability  INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    outcome      TEXT    NOT NULL CHECK (outcome IN ('open', 'won', 'lost')),
    position     INTEGER NOT NULL
);
INSERT INTO opportunity_stages (key, label_en, label_da, probability, outcome, position) VALUES
    ('prospecting', 'Prospecting', 'Prospektering', 10, 'open', 10),
    ('qualification', 'Qualification', 'Kvalificering', 20, 'open', 20),
    ('needs_analysis', 'Needs Analysis', 'Behovsanalyse', 35, 'open', 30),
    ('proposal', 'Proposal', 'Tilbud', 60, 'open', 40),
    ('negotiation', 'Negotiation', 'Forhandling', 80, 'open', 50),
    ('closed_won', 'Closed Won', 'Lukket – vundet', 100, 'won', 60),
    ('closed_lost', 'Closed Lost', 'Lukket – tabt', 0, 'lost', 70);

CREATE TABLE accounts (
    id           UUID    PRIMARY KEY,
    name         TEXT    NOT NULL,
    domain       TEXT,
    phone        TEXT,
    website      TEXT,
    industry     TEXT,
    country      TEXT,
    city         TEXT,
    description  TEXT,
    partner_id   UUID    REFERENCES partners (id),
    owner_id     UUID    REFERENCES users (id),
    version      BIGINT NOT NULL DEFAULT 1,
    created_by   UUID    REFERENCES users (id),
    created_at   TIMESTAMPTZ    NOT NULL,
    updated_at   TIMESTAMPTZ    NOT NULL
);
CREATE INDEX accounts_name ON accounts (name, id);
CREATE INDEX accounts_partner ON accounts (partner_id, name, id);
CREATE INDEX accounts_owner ON accounts (owner_id, name, id);
CREATE INDEX accounts_domain ON accounts (domain);

CREATE TABLE contacts (
    id           UUID    PRIMARY KEY,
    account_id   UUID    REFERENCES accounts (id),
    name         TEXT    NOT NULL,
    title        TEXT,
    email        TEXT,
    phone        TEXT,
    country      TEXT,
    description  TEXT,
    lead_id      UUID    REFERENCES leads (id),
    partner_id   UUID    REFERENCES partners (id),
    owner_id     UUID    REFERENCES users (id),
    version      BIGINT NOT NULL DEFAULT 1,
    created_by   UUID    REFERENCES users (id),
    created_at   TIMESTAMPTZ    NOT NULL,
    updated_at   TIMESTAMPTZ    NOT NULL
);
CREATE INDEX contacts_name ON contacts (name, id);
CREATE INDEX contacts_partner ON contacts (partner_id, name, id);
CREATE INDEX contacts_owner ON contacts (owner_id, name, id);
CREATE INDEX contacts_account ON contacts (account_id);
CREATE INDEX contacts_email ON contacts (email);

CREATE TABLE opportunities (
    id            UUID    PRIMARY KEY,
    name          TEXT    NOT NULL,
    account_id    UUID    NOT NULL REFERENCES accounts (id),
    stage         TEXT    NOT NULL REFERENCES opportunity_stages (key),
    amount_minor  BIGINT,
    currency      TEXT    NOT NULL,
    close_date    DATE    NOT NULL,
    probability   INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    next_step     TEXT,
    description   TEXT,
    lead_id       UUID    REFERENCES leads (id),
    partner_id    UUID    REFERENCES partners (id),
    owner_id      UUID    REFERENCES users (id),
    version       BIGINT NOT NULL DEFAULT 1,
    created_by    UUID    REFERENCES users (id),
    created_at    TIMESTAMPTZ    NOT NULL,
    updated_at    TIMESTAMPTZ    NOT NULL,
    last_activity_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX opportunities_close ON opportunities (close_date, id);
CREATE INDEX opportunities_partner ON opportunities (partner_id, close_date, id);
CREATE INDEX opportunities_owner ON opportunities (owner_id, close_date, id);
CREATE INDEX opportunities_account ON opportunities (account_id);
CREATE INDEX opportunities_stage ON opportunities (stage, close_date, id);

CREATE TABLE opportunity_events (
    id              UUID    PRIMARY KEY,
    opportunity_id  UUID    NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    at              TIMESTAMPTZ    NOT NULL,
    actor_id        UUID    REFERENCES users (id),
    kind            TEXT    NOT NULL,
    field           TEXT,
    old_value       TEXT,
    new_value       TEXT,
    partner_id      UUID    REFERENCES partners (id)
);
CREATE INDEX opportunity_events_opportunity ON opportunity_events (opportunity_id, at, id);

ALTER TABLE leads ADD COLUMN converted_at TIMESTAMPTZ;
ALTER TABLE leads ADD COLUMN converted_account_id UUID REFERENCES accounts (id);
ALTER TABLE leads ADD COLUMN converted_contact_id UUID REFERENCES contacts (id);
ALTER TABLE leads ADD COLUMN converted_opportunity_id UUID REFERENCES opportunities (id);
CREATE INDEX leads_converted_account ON leads (converted_account_id) WHERE converted_account_id IS NOT NULL;

-- The admin marks which lead statuses may be converted; `qualified` starts so.
ALTER TABLE lead_statuses ADD COLUMN qualified BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE lead_statuses SET qualified = TRUE WHERE key = 'qualified';

ALTER TABLE vendor_settings ADD COLUMN default_currency TEXT NOT NULL DEFAULT 'EUR';
ALTER TABLE vendor_settings ADD COLUMN registration_protection_days INTEGER NOT NULL DEFAULT 90;
ALTER TABLE vendor_settings ADD COLUMN registration_reminder_days INTEGER NOT NULL DEFAULT 14;

CREATE TABLE deal_registrations (
    id                UUID    PRIMARY KEY,
    partner_id        UUID    NOT NULL REFERENCES partners (id),
    submitted_by      UUID    NOT NULL REFERENCES users (id),
    company_name      TEXT    NOT NULL,
    company_domain    TEXT,
    -- The company name as conflict matching normalises it (`Nordlys A/S` -> `nordlys`).
    company_key       TEXT    NOT NULL,
    contact_name      TEXT,
    contact_email     TEXT,
    contact_phone     TEXT,
    product_interest  TEXT    NOT NULL,
    amount_minor      BIGINT NOT NULL CHECK (amount_minor > 0),
    currency          TEXT    NOT NULL,
    close_date        DATE    NOT NULL,
    description       TEXT,
    status            TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by        UUID    REFERENCES users (id),
    decided_at        TIMESTAMPTZ,
    decision_reason   TEXT,
    opportunity_id    UUID    REFERENCES opportunities (id),
    protected_until   TIMESTAMPTZ,
    reminder_sent_at  TIMESTAMPTZ,
    lapsed_at         TIMESTAMPTZ,
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        TIMESTAMPTZ    NOT NULL,
    updated_at        TIMESTAMPTZ    NOT NULL
);
CREATE INDEX deal_registrations_partner ON deal_registrations (partner_id, created_at, id);
CREATE INDEX deal_registrations_status ON deal_registrations (status, created_at, id);
CREATE INDEX deal_registrations_domain ON deal_registrations (company_domain);
CREATE INDEX deal_registrations_key ON deal_registrations (company_key);
CREATE INDEX deal_registrations_contact ON deal_registrations (contact_email);
CREATE INDEX deal_registrations_protected ON deal_registrations (protected_until)
    WHERE status = 'approved' AND lapsed_at IS NULL;

CREATE TABLE registration_conflicts (
    registration_id  UUID    NOT NULL REFERENCES deal_registrations (id) ON DELETE CASCADE,
    record_kind      TEXT    NOT NULL CHECK (record_kind IN ('lead', 'opportunity', 'account', 'registration')),
    record_id        UUID    NOT NULL,
    partner_id       UUID    REFERENCES partners (id),
    matched_on       TEXT    NOT NULL,
    score            INTEGER NOT NULL,
    PRIMARY KEY (registration_id, record_kind, record_id)
);
