-- Bulk extract jobs and their files. A file is stored in chunks of at most 1 MB, split on row
-- boundaries, so any process can serve it and byte ranges are cheap. Each claim of a job is an
-- attempt of its own: its chunks are kept apart, and the file is the completing attempt's.

CREATE TABLE export_job (
    id                VARCHAR(36)    PRIMARY KEY,
    instance_id       BIGINT         NOT NULL REFERENCES instance (id) ON DELETE CASCADE,
    kind              VARCHAR(20)    NOT NULL,
    service_id        BIGINT         NOT NULL,
    user_id           BIGINT         NOT NULL,
    status            VARCHAR(20)    NOT NULL,
    format            VARCHAR(5)     NOT NULL,
    request           VARCHAR(32000) NOT NULL,
    partitions        VARCHAR(4000)  NOT NULL,
    created_at        BIGINT         NOT NULL,
    queued_at         BIGINT,
    started_at        BIGINT,
    finished_at       BIGINT,
    number_of_records BIGINT,
    file_size         BIGINT,
    file_checksum     VARCHAR(64),
    error_message     VARCHAR(2000),
    claimed_by        VARCHAR(36),
    claimed_until     BIGINT,
    file_attempt      VARCHAR(36)
);
CREATE INDEX export_job_status ON export_job (instance_id, status);
CREATE INDEX export_job_owner ON export_job (instance_id, user_id, kind, created_at);

CREATE TABLE export_chunk (
    job_id     VARCHAR(36) NOT NULL REFERENCES export_job (id) ON DELETE CASCADE,
    attempt    VARCHAR(36) NOT NULL,
    seq        INT         NOT NULL,
    byte_start BIGINT      NOT NULL,
    data       ${binary}   NOT NULL,
    PRIMARY KEY (job_id, attempt, seq)
);
