-- One followers figure per account the key lists (README, "Definitions"): its latest live count from
-- account analytics (account_snapshots with source 'analytics'), else the count AiToEarn cached
-- (accounts.fans_count), with where it came from and when it was observed.
CREATE OR REPLACE VIEW account_followers AS
WITH live AS (
    SELECT platform, account_id, arg_max(followers, snapshot_date) AS followers, max(snapshot_date) AS observed_on
    FROM account_snapshots
    WHERE source = 'analytics' AND followers IS NOT NULL
    GROUP BY platform, account_id
)
SELECT a.platform,
       a.account_id,
       coalesce(l.followers, a.fans_count) AS followers,
       CASE WHEN l.followers IS NOT NULL THEN 'analytics' WHEN a.fans_count IS NOT NULL THEN 'accounts' END
           AS followers_source,
       CASE WHEN l.followers IS NOT NULL THEN l.observed_on WHEN a.fans_count IS NOT NULL THEN a.last_stats_time::DATE END
           AS followers_observed_on
FROM accounts AS a
LEFT JOIN live AS l ON l.platform = a.platform AND l.account_id = a.account_id
WHERE a.removed_at IS NULL;
