-- One row per (platform, account_id) with works in work_engagement (so not the accounts the key no longer
-- lists). Parameter 1: computed_at (UTC). Definitions: README, "Definitions".
WITH per_account AS (
    SELECT platform,
           account_id,
           count(*)::BIGINT                                                         AS works,
           count(engagement_rate)::BIGINT                                           AS works_rated,
           sum(interactions)::BIGINT                                                AS interactions,
           sum(CASE WHEN engagement_rate IS NOT NULL THEN exposure END)::BIGINT     AS exposure,
           sum(CASE WHEN engagement_rate IS NOT NULL THEN interactions END)::BIGINT AS rated_interactions,
           median(engagement_rate)                                                  AS median_engagement_rate,
           avg(interactions)                                                        AS mean_interactions,
           min(published_at)                                                        AS first_published_at,
           max(published_at)                                                        AS last_published_at
    FROM work_engagement
    GROUP BY platform, account_id
)
SELECT p.platform,
       p.account_id,
       a.nickname,
       p.works,
       p.works_rated,
       p.interactions,
       p.exposure,
       CASE WHEN p.works_rated > 0 THEN p.rated_interactions / p.exposure END  AS engagement_rate,
       p.median_engagement_rate,
       f.followers,
       f.followers_source,
       CASE WHEN f.followers > 0 THEN p.mean_interactions / f.followers END     AS engagement_rate_by_followers,
       p.first_published_at,
       p.last_published_at,
       ?::TIMESTAMP                                                             AS computed_at
FROM per_account AS p
LEFT JOIN accounts AS a ON a.account_id = p.account_id AND a.platform = p.platform
LEFT JOIN account_followers AS f ON f.account_id = p.account_id AND f.platform = p.platform
ORDER BY p.platform, p.account_id
