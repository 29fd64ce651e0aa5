-- The warehouse tables written by the ingest assets. Idempotent: run at every write.
CREATE TABLE IF NOT EXISTS warehouse_info (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS raw_works (
    platform            VARCHAR NOT NULL,
    account_id          VARCHAR NOT NULL,
    platform_work_id    VARCHAR NOT NULL,
    content_mode        VARCHAR,
    title               VARCHAR,
    description         VARCHAR,
    url                 VARCHAR,
    cover_url           VARCHAR,
    published_at        TIMESTAMP,   -- UTC
    author_name         VARCHAR,
    author_platform_uid VARCHAR,
    status              VARCHAR,
    view_count          BIGINT,
    play_count          BIGINT,
    impression_count    BIGINT,
    reach_count         BIGINT,
    like_count          BIGINT,
    collect_count       BIGINT,
    comment_count       BIGINT,
    share_count         BIGINT,
    save_count          BIGINT,
    click_count         BIGINT,
    engagement_count    BIGINT,
    watch_time_seconds  BIGINT,
    fetched_at          TIMESTAMP NOT NULL  -- UTC
);

CREATE TABLE IF NOT EXISTS rejected_works (
    platform         VARCHAR NOT NULL,
    account_id       VARCHAR NOT NULL,
    platform_work_id VARCHAR,
    reason           VARCHAR NOT NULL,
    raw_json         VARCHAR NOT NULL,
    fetched_at       TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS accounts (
    account_id       VARCHAR NOT NULL,
    platform         VARCHAR NOT NULL,
    uid              VARCHAR,
    account          VARCHAR,
    nickname         VARCHAR,
    status           INTEGER,
    fans_count       BIGINT,
    following_count  BIGINT,
    read_count       BIGINT,
    like_count       BIGINT,
    collect_count    BIGINT,
    forward_count    BIGINT,
    comment_count    BIGINT,
    work_count       BIGINT,
    last_stats_time  TIMESTAMP,
    fetched_at       TIMESTAMP NOT NULL
);

-- One row per raw_works write: what was fetched, skipped and reported.
CREATE TABLE IF NOT EXISTS ingest_runs (
    platform           VARCHAR NOT NULL,
    run_id             VARCHAR NOT NULL,
    fetched_at         TIMESTAMP NOT NULL,
    works_written      BIGINT NOT NULL,
    accounts_listed    VARCHAR[] NOT NULL,
    accounts_fetched   VARCHAR[] NOT NULL,
    accounts_skipped   STRUCT(account_id VARCHAR, reason VARCHAR)[] NOT NULL,
    metrics_reported   VARCHAR[] NOT NULL,
    cannot_list_reason VARCHAR
);
-- Columns added after the first release: older files gain them here (earlier rows were successful list fetches).
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS status VARCHAR DEFAULT 'ok';             -- ok | failed
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS error VARCHAR;                           -- why the platform failed
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS source VARCHAR DEFAULT 'list';           -- list | publish_record
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS accounts_failed STRUCT(account_id VARCHAR, reason VARCHAR)[] DEFAULT [];
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS accounts_held STRUCT(account_id VARCHAR, reason VARCHAR)[] DEFAULT [];
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS requests BIGINT DEFAULT 0;
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS retries BIGINT DEFAULT 0;
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS seconds DOUBLE DEFAULT 0;

-- raw_works plus the three per-work definitions (README, "Definitions").
CREATE OR REPLACE VIEW work_engagement AS
SELECT *,
       CASE WHEN interactions IS NOT NULL AND exposure > 0 THEN interactions / exposure END AS engagement_rate
FROM (
    SELECT w.*,
           CASE WHEN like_count IS NOT NULL OR comment_count IS NOT NULL OR share_count IS NOT NULL
                  OR collect_count IS NOT NULL OR save_count IS NOT NULL
                THEN coalesce(like_count, 0) + coalesce(comment_count, 0) + coalesce(share_count, 0)
                   + coalesce(collect_count, 0) + coalesce(save_count, 0)
           END::BIGINT AS interactions,
           coalesce(view_count, play_count, impression_count, reach_count) AS exposure,
           CASE WHEN view_count IS NOT NULL THEN 'view_count'
                WHEN play_count IS NOT NULL THEN 'play_count'
                WHEN impression_count IS NOT NULL THEN 'impression_count'
                WHEN reach_count IS NOT NULL THEN 'reach_count'
           END AS exposure_metric
    FROM raw_works AS w
);
