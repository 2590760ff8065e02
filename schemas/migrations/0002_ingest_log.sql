-- schema version 2: an audit trail of ingests (what was added/updated, from which files).
CREATE SEQUENCE ingest_log_seq START 1;
CREATE TABLE ingest_log (
    ingest_id   INTEGER PRIMARY KEY DEFAULT nextval('ingest_log_seq'),
    ingested_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    matkb       VARCHAR NOT NULL,      -- matkb version that wrote it
    files       VARCHAR[] NOT NULL,
    added       INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    warnings    INTEGER NOT NULL
);
