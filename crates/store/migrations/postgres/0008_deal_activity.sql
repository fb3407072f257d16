-- Deal activity and help (spec flow 11): resources attached to a lead or an
-- opportunity (a link, or a file kept in the database so that every instance
-- serves it), each user's opt-outs from e-mail notifications, and indexes for
-- the activity feed, which reads both timelines newest first.

CREATE TABLE resources (
    id            UUID        PRIMARY KEY,
    record_kind   TEXT        NOT NULL CHECK (record_kind IN ('lead', 'opportunity')),
    record_id     UUID        NOT NULL,
    kind          TEXT        NOT NULL CHECK (kind IN ('link', 'file')),
    title         TEXT        NOT NULL,
    url           TEXT,
    file_name     TEXT,
    content_type  TEXT,
    size_bytes    BIGINT,
    content       BYTEA,
    created_by    UUID        NOT NULL REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL,
    CHECK ((kind = 'link') = (url IS NOT NULL)),
    CHECK ((kind = 'file') = (content IS NOT NULL))
);
CREATE INDEX resources_record ON resources (record_id, created_at, id);

-- A row means the user does not want e-mails of that kind
-- (`lead_assigned`, `help_requested`, `help_answered`, `stale_warning`).
CREATE TABLE notification_opt_outs (
    user_id  UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

CREATE INDEX lead_events_at ON lead_events (at, id);
CREATE INDEX opportunity_events_at ON opportunity_events (at, id);
