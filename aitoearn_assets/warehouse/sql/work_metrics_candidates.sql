-- Works of one platform whose analytics are due, most wanted first. Parameters: $platform, $now (UTC),
-- $recent_days, $min_age_hours, $stale_days. Only works whose list row lacks an exposure metric or every
-- interaction metric are candidates; priority 0 = never asked, 1 = recent and asked over $min_age_hours ago,
-- 2 = older and asked over $stale_days ago.
WITH needs AS (
    SELECT w.account_id, w.platform_work_id, w.published_at, m.fetched_at AS last_attempt
    FROM raw_works AS w
    LEFT JOIN work_metrics AS m USING (platform, account_id, platform_work_id)
    WHERE w.platform = $platform
      AND (coalesce(w.view_count, w.impression_count, w.reach_count, w.play_count) IS NULL
           OR (w.like_count IS NULL AND w.comment_count IS NULL AND w.share_count IS NULL
               AND w.collect_count IS NULL AND w.save_count IS NULL))
),
due AS (
    SELECT *,
           CASE WHEN last_attempt IS NULL THEN 0
                WHEN published_at >= $now - to_days($recent_days)
                     THEN CASE WHEN last_attempt <= $now - to_hours($min_age_hours) THEN 1 END
                WHEN last_attempt <= $now - to_days($stale_days) THEN 2
           END AS priority
    FROM needs
)
SELECT account_id, platform_work_id, published_at
FROM due
WHERE priority IS NOT NULL
ORDER BY priority, published_at DESC NULLS LAST, account_id, platform_work_id
