-- A day's calls of a service are kept per API user: a service moved to another user during a day
-- reports each user's calls to that user (the key lacked the user, so the latest took them all).
CREATE TABLE usage_daily_per_user (
    instance_id BIGINT       NOT NULL,
    usage_day   VARCHAR(10)  NOT NULL,
    service_id  BIGINT       NOT NULL,
    user_email  VARCHAR(255) NOT NULL,
    endpoint    VARCHAR(300) NOT NULL,
    calls       BIGINT       NOT NULL,
    PRIMARY KEY (instance_id, usage_day, service_id, user_email, endpoint)
);
INSERT INTO usage_daily_per_user (instance_id, usage_day, service_id, user_email, endpoint, calls)
    SELECT instance_id, usage_day, service_id, user_email, endpoint, calls FROM usage_daily;
DROP TABLE usage_daily;
ALTER TABLE usage_daily_per_user RENAME TO usage_daily;
