-- The live event log: one row per timeline entry of a lead or an opportunity,
-- written in the same transaction, with the record's place after the change and
-- after its previous event. Subscribers resume from an id (`Last-Event-ID`).
-- Every instance LISTENs on `openprm_live`; the statement trigger below tells
-- them at commit (NOTIFY is held until then, and dropped on rollback).

CREATE TABLE live_events (
    id                         BIGSERIAL   PRIMARY KEY,
    at                         TIMESTAMPTZ NOT NULL,
    record_kind                TEXT        NOT NULL,
    record_id                  UUID        NOT NULL,
    kind                       TEXT        NOT NULL,
    field                      TEXT,
    actor_id                   UUID,
    title                      TEXT        NOT NULL,
    partner_id                 UUID,
    owner_id                   UUID,
    queue_id                   UUID,
    channel_manager_id         UUID,
    before_partner_id          UUID,
    before_owner_id            UUID,
    before_queue_id            UUID,
    before_channel_manager_id  UUID,
    has_before                 BOOLEAN     NOT NULL
);
CREATE INDEX live_events_record ON live_events (record_id, id);
CREATE INDEX live_events_at ON live_events (at);

CREATE FUNCTION live_events_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('openprm_live', '');
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER live_events_notify AFTER INSERT ON live_events
    FOR EACH STATEMENT EXECUTE FUNCTION live_events_notify();
