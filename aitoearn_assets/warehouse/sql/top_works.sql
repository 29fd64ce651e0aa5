-- The top N works (parameter 1) of each account among works with interactions.
WITH scored AS (
    SELECT * FROM work_engagement WHERE interactions IS NOT NULL
),
ranked AS (
    SELECT *,
           row_number() OVER (
               PARTITION BY platform, account_id
               ORDER BY interactions DESC NULLS LAST, exposure DESC NULLS LAST,
                        published_at DESC NULLS LAST, platform_work_id ASC
           ) AS rank,
           median(interactions) OVER (PARTITION BY platform, account_id) AS account_median_interactions
    FROM scored
)
SELECT platform,
       account_id,
       rank::INTEGER AS rank,
       platform_work_id,
       title,
       url,
       published_at,
       interactions,
       exposure,
       exposure_metric,
       engagement_rate,
       CASE WHEN account_median_interactions <> 0 THEN interactions / account_median_interactions
       END AS interactions_vs_account_median
FROM ranked
WHERE rank <= ?
ORDER BY platform, account_id, rank
