-- The works of one platform whose analytics are due, within the run's budget, in the order to ask them.
-- Parameters: $platform, $now (UTC), $recent_days, $min_age_hours, $stale_days, $max_requests, $reserved.
-- Candidates: works whose list row has no exposure or no interactions (the definitions, filled in by
-- warehouse/work_metrics.py), of accounts the key still lists. Priority 0 = never asked; 1 = recent (or answered "no data yet") and last asked over
-- $min_age_hours ago; 2 = older and last asked over $stale_days ago. Within a priority the longest waiting
-- comes first (never asked: the newest first). $reserved of the budget goes to priority 1 before anything
-- else, and is asked first, so a large never-asked backlog (or a quota that stops the run early) cannot keep
-- recent works from being refreshed. `due` counts every
-- due work (one row is returned even when the budget is 0, with `picked` false).
WITH needs AS (
    SELECT w.account_id, w.platform_work_id, w.published_at, m.fetched_at AS last_attempt, m.status AS last_status
    FROM raw_works AS w
    LEFT JOIN work_metrics AS m USING (platform, account_id, platform_work_id)
    ANTI JOIN (SELECT platform, account_id FROM accounts WHERE removed_at IS NOT NULL) AS removed
           ON removed.platform = w.platform AND removed.account_id = w.account_id
    WHERE w.platform = $platform
      AND ({list_exposure} IS NULL OR {list_interactions} IS NULL)
),
due AS (
    SELECT *,
           CASE WHEN last_attempt IS NULL THEN 0
                WHEN published_at >= $now - to_days($recent_days) OR last_status = 'no_data'
                     THEN CASE WHEN last_attempt <= $now - to_seconds($min_age_hours * 3600) THEN 1 END
                WHEN last_attempt <= $now - to_days($stale_days) THEN 2
           END AS priority
    FROM needs
),
ranked AS (
    SELECT *,
           row_number() OVER (
               PARTITION BY priority
               ORDER BY last_attempt ASC NULLS FIRST, published_at DESC NULLS LAST, account_id, platform_work_id
           ) AS place,
           count(*) OVER () AS due
    FROM due
    WHERE priority IS NOT NULL
),
tiered AS (
    SELECT *, row_number() OVER (ORDER BY (priority = 1 AND place <= $reserved) DESC, priority, place) AS turn
    FROM ranked
)
SELECT account_id, platform_work_id, published_at, due, turn <= $max_requests AS picked
FROM tiered
WHERE turn <= greatest($max_requests, 1)
ORDER BY turn
