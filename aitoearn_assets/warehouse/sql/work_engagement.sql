-- Every work of raw_works, but those of accounts the key no longer lists (accounts.removed_at), with the
-- best value of each metric and the per-work definitions (README, "Definitions"). The braced parts are
-- generated from metrics.py by warehouse/definitions.py (warehouse/schema.py renders this file).
-- A metric is the works list's value when the list reported it, else the work's last analytics value
-- (work_metrics, from its latest ok answer); each value remembers the run date it was observed.
CREATE OR REPLACE VIEW work_engagement AS
WITH merged AS (
    SELECT w.platform, w.account_id, w.platform_work_id, w.content_mode, w.title, w.description,
           -- YouTube's list sends no url; its watch page is built from the id (the derived tables only).
           CASE WHEN w.url IS NULL AND w.platform = 'youtube'
                THEN 'https://www.youtube.com/watch?v=' || w.platform_work_id ELSE w.url END AS url,
           w.cover_url, w.published_at, w.author_name, w.author_platform_uid, w.status,
           {merged_metrics},
           w.fetched_at,
           {observed_metrics},
           ({from_list}) AS from_list,
           ({from_analytics}) AS from_analytics
    FROM raw_works AS w
    LEFT JOIN work_metrics AS m
           ON m.observed_on IS NOT NULL AND m.platform = w.platform AND m.account_id = w.account_id
          AND m.platform_work_id = w.platform_work_id
    ANTI JOIN (SELECT platform, account_id FROM accounts WHERE removed_at IS NOT NULL) AS removed
           ON removed.platform = w.platform AND removed.account_id = w.account_id
),
defined AS (
    SELECT * EXCLUDE (from_list, from_analytics, {observed_columns}),
           CASE WHEN from_list AND from_analytics THEN 'list+analytics'
                WHEN from_list THEN 'list'
                WHEN from_analytics THEN 'analytics'
           END AS metrics_source,
           {interactions} AS interactions,
           {interactions_metric} AS interactions_metric,
           {exposure} AS exposure,
           {exposure_metric} AS exposure_metric,
           {exposure_observed_on} AS exposure_observed_on,
           {interactions_observed_on} AS interactions_observed_on
    FROM merged
)
SELECT * EXCLUDE (exposure_observed_on, interactions_observed_on),
       {engagement_rate} AS engagement_rate,
       exposure_observed_on,
       interactions_observed_on
FROM defined;
