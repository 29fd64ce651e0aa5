-- The top N works (parameter $n) of each account among works with interactions.
-- Ordered by interactions desc, exposure desc, published_at desc (NULLs last), platform_work_id asc.
-- Only works whose sort key reaches the account's N-th largest (ties included; top_works_cutoff.sql) are
-- ranked exactly.
WITH ranked AS (
    SELECT w.platform, w.account_id, w.platform_work_id, w.title, w.url, w.published_at, w.interactions,
           w.interactions_metric, w.exposure, w.exposure_metric, w.engagement_rate, w.metrics_source,
           c.median_interactions,
           row_number() OVER (
               PARTITION BY w.platform, w.account_id
               ORDER BY w.interactions DESC, w.exposure DESC NULLS LAST, w.published_at DESC NULLS LAST, w.platform_work_id ASC
           ) AS rank
    FROM work_engagement AS w
    JOIN top_works_cutoff AS c
      ON c.platform = w.platform AND c.account_id = w.account_id
     AND struct_pack(i := w.interactions, has_e := w.exposure IS NOT NULL, e := coalesce(w.exposure, 0),
                     has_p := w.published_at IS NOT NULL,
                     p := coalesce(w.published_at, TIMESTAMP '1970-01-01')) >= c.nth_key
    WHERE w.interactions IS NOT NULL
    QUALIFY rank <= $n
)
SELECT platform, account_id, rank::INTEGER AS rank, platform_work_id, title, url, published_at, interactions,
       interactions_metric, exposure, exposure_metric, engagement_rate, metrics_source,
       CASE WHEN median_interactions <> 0 THEN interactions / median_interactions END AS interactions_vs_account_median
FROM ranked
ORDER BY platform, account_id, rank
