-- The top N works (parameter $n) of each account among works with interactions.
-- Ordered by interactions desc, exposure desc, published_at desc (NULLs last), platform_work_id asc.
-- For speed, only works whose sort key reaches the account's N-th largest (ties included) are ranked
-- exactly: `max(sort_key, n)` keeps a small heap per account instead of sorting every work.
WITH scored AS NOT MATERIALIZED (
    SELECT platform, account_id, platform_work_id, title, url, published_at, interactions, interactions_metric,
           exposure, exposure_metric, engagement_rate, metrics_source,
           struct_pack(i := interactions, has_e := exposure IS NOT NULL, e := coalesce(exposure, 0),
                       has_p := published_at IS NOT NULL, p := coalesce(published_at, TIMESTAMP '1970-01-01')) AS sort_key
    FROM work_engagement
    WHERE interactions IS NOT NULL
),
per_account AS (
    SELECT platform, account_id, median(interactions) AS median_interactions,
           list_last(max(sort_key, $n)) AS nth_key
    FROM scored
    GROUP BY platform, account_id
),
ranked AS (
    SELECT s.*, a.median_interactions,
           row_number() OVER (
               PARTITION BY s.platform, s.account_id
               ORDER BY s.interactions DESC, s.exposure DESC NULLS LAST, s.published_at DESC NULLS LAST, s.platform_work_id ASC
           ) AS rank
    FROM scored AS s
    JOIN per_account AS a ON a.platform = s.platform AND a.account_id = s.account_id AND s.sort_key >= a.nth_key
    QUALIFY rank <= $n
)
SELECT platform, account_id, rank::INTEGER AS rank, platform_work_id, title, url, published_at, interactions,
       interactions_metric, exposure, exposure_metric, engagement_rate, metrics_source,
       CASE WHEN median_interactions <> 0 THEN interactions / median_interactions END AS interactions_vs_account_median
FROM ranked
ORDER BY platform, account_id, rank
