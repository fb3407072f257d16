-- Assignment rules (spec flows 6 and 12): the admin's ordered list, with each
-- rule's conditions and target as JSON and its round-robin counter, which the
-- router advances under a lock on the row; one row of settings with the
-- default queue and the version an edit must name.

CREATE TABLE assignment_rules (
    id              UUID    PRIMARY KEY,
    position        INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    conditions      TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    response_hours  INTEGER,
    rr_counter      BIGINT  NOT NULL DEFAULT 0
);

CREATE TABLE assignment_settings (
    id                INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    default_queue_id  UUID    REFERENCES queues (id) ON DELETE SET NULL,
    version           BIGINT  NOT NULL
);
INSERT INTO assignment_settings (id, default_queue_id, version) VALUES (1, NULL, 1);

-- Which rule placed a lead, and by when an inbox lead must be accepted before
-- it is routed onward. No foreign key: saving the rules replaces them all.
ALTER TABLE leads ADD COLUMN routed_rule_id UUID;
ALTER TABLE leads ADD COLUMN respond_by TIMESTAMPTZ;
CREATE INDEX leads_respond_by ON leads (respond_by) WHERE respond_by IS NOT NULL;
