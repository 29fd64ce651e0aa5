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

-- Columns added after the first release (older files gain them here).
ALTER TABLE raw_works ADD COLUMN IF NOT EXISTS source VARCHAR DEFAULT 'list';  -- list | publish_record
ALTER TABLE raw_works ADD COLUMN IF NOT EXISTS publish_record_id VARCHAR;     -- the record it came from

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

-- work_metrics, work_metrics_daily, work_snapshots and account_snapshots are created from their declaration
-- in warehouse/columns.py (warehouse/schema.py DECLARED_TABLES).

