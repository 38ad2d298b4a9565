-- Instance limits, usage statistics, and the revision counter that keeps every process's caches
-- in step with the database.

-- Bumped by every change that affects access, settings or the lead schema; each process polls it.
CREATE TABLE config_revision (
    id       INT    PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO config_revision (id, revision) VALUES (1, 0);

-- Optional per-service caps under the instance's limits (JSON), an extension Marketo lacks.
ALTER TABLE custom_service ADD COLUMN caps VARCHAR(2000);

-- Calls that counted against the limits, per day (in the instance's time zone), service and endpoint.
CREATE TABLE usage_daily (
    instance_id BIGINT       NOT NULL,
    usage_day   VARCHAR(10)  NOT NULL,
    service_id  BIGINT       NOT NULL,
    user_email  VARCHAR(255) NOT NULL,
    endpoint    VARCHAR(300) NOT NULL,
    calls       BIGINT       NOT NULL,
    PRIMARY KEY (instance_id, usage_day, service_id, endpoint)
);

-- Error answers per day, service (0 when the caller is unknown), endpoint and code.
CREATE TABLE error_daily (
    instance_id BIGINT       NOT NULL,
    usage_day   VARCHAR(10)  NOT NULL,
    service_id  BIGINT       NOT NULL,
    endpoint    VARCHAR(300) NOT NULL,
    error_code  VARCHAR(10)  NOT NULL,
    errors      BIGINT       NOT NULL,
    PRIMARY KEY (instance_id, usage_day, service_id, endpoint, error_code)
);

-- When each service and each user last made an API call.
CREATE TABLE last_used (
    kind    VARCHAR(10) NOT NULL,
    ref_id  BIGINT      NOT NULL,
    used_at BIGINT      NOT NULL,
    PRIMARY KEY (kind, ref_id)
);
