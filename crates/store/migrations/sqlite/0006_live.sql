-- The live event log: one row per timeline entry of a lead or an opportunity,
-- written in the same transaction, with the record's place after the change and
-- after its previous event. Subscribers resume from an id (`Last-Event-ID`).
-- AUTOINCREMENT: ids are never reused, so a resumed client cannot skip a new
-- event that took an old number.

CREATE TABLE live_events (
    id                         INTEGER PRIMARY KEY AUTOINCREMENT,
    at                         TEXT    NOT NULL,
    record_kind                TEXT    NOT NULL,
    record_id                  BLOB    NOT NULL,
    kind                       TEXT    NOT NULL,
    field                      TEXT,
    actor_id                   BLOB,
    title                      TEXT    NOT NULL,
    partner_id                 BLOB,
    owner_id                   BLOB,
    queue_id                   BLOB,
    channel_manager_id         BLOB,
    before_partner_id          BLOB,
    before_owner_id            BLOB,
    before_queue_id            BLOB,
    before_channel_manager_id  BLOB,
    has_before                 BOOLEAN NOT NULL
);
CREATE INDEX live_events_record ON live_events (record_id, id);
CREATE INDEX live_events_at ON live_events (at);
