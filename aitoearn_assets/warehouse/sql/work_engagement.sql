-- Every work of raw_works with the best value of each metric and the per-work definitions (README, "Definitions").
-- A metric is the works list's value when the list reported it, else the work analytics value (work_metrics, status ok).
CREATE OR REPLACE VIEW work_engagement AS
WITH merged AS (
    SELECT w.platform, w.account_id, w.platform_work_id, w.content_mode, w.title, w.description,
           -- YouTube's list sends no url; its watch page is built from the id (the derived tables only).
           CASE WHEN w.url IS NULL AND w.platform = 'youtube'
                THEN 'https://www.youtube.com/watch?v=' || w.platform_work_id ELSE w.url END AS url,
           w.cover_url, w.published_at, w.author_name, w.author_platform_uid, w.status,
           coalesce(w.view_count, m.view_count) AS view_count,
           coalesce(w.play_count, m.play_count) AS play_count,
           coalesce(w.impression_count, m.impression_count) AS impression_count,
           coalesce(w.reach_count, m.reach_count) AS reach_count,
           coalesce(w.like_count, m.like_count) AS like_count,
           coalesce(w.collect_count, m.collect_count) AS collect_count,
           coalesce(w.comment_count, m.comment_count) AS comment_count,
           coalesce(w.share_count, m.share_count) AS share_count,
           coalesce(w.save_count, m.save_count) AS save_count,
           coalesce(w.click_count, m.click_count) AS click_count,
           coalesce(w.engagement_count, m.engagement_count) AS engagement_count,
           coalesce(w.watch_time_seconds, m.watch_time_seconds) AS watch_time_seconds,
           w.fetched_at,
           (w.view_count IS NOT NULL
                OR w.play_count IS NOT NULL
                OR w.impression_count IS NOT NULL
                OR w.reach_count IS NOT NULL
                OR w.like_count IS NOT NULL
                OR w.collect_count IS NOT NULL
                OR w.comment_count IS NOT NULL
                OR w.share_count IS NOT NULL
                OR w.save_count IS NOT NULL
                OR w.click_count IS NOT NULL
                OR w.engagement_count IS NOT NULL
                OR w.watch_time_seconds IS NOT NULL) AS from_list,
           ((w.view_count IS NULL AND m.view_count IS NOT NULL)
                OR (w.play_count IS NULL AND m.play_count IS NOT NULL)
                OR (w.impression_count IS NULL AND m.impression_count IS NOT NULL)
                OR (w.reach_count IS NULL AND m.reach_count IS NOT NULL)
                OR (w.like_count IS NULL AND m.like_count IS NOT NULL)
                OR (w.collect_count IS NULL AND m.collect_count IS NOT NULL)
                OR (w.comment_count IS NULL AND m.comment_count IS NOT NULL)
                OR (w.share_count IS NULL AND m.share_count IS NOT NULL)
                OR (w.save_count IS NULL AND m.save_count IS NOT NULL)
                OR (w.click_count IS NULL AND m.click_count IS NOT NULL)
                OR (w.engagement_count IS NULL AND m.engagement_count IS NOT NULL)
                OR (w.watch_time_seconds IS NULL AND m.watch_time_seconds IS NOT NULL)) AS from_analytics
    FROM raw_works AS w
    LEFT JOIN work_metrics AS m
           ON m.status = 'ok' AND m.platform = w.platform AND m.account_id = w.account_id
          AND m.platform_work_id = w.platform_work_id
),
defined AS (
    SELECT * EXCLUDE (from_list, from_analytics),
           CASE WHEN from_list AND from_analytics THEN 'list+analytics'
                WHEN from_list THEN 'list'
                WHEN from_analytics THEN 'analytics'
           END AS metrics_source,
           CASE WHEN like_count IS NOT NULL OR comment_count IS NOT NULL OR share_count IS NOT NULL
                  OR collect_count IS NOT NULL OR save_count IS NOT NULL
                THEN coalesce(like_count, 0) + coalesce(comment_count, 0) + coalesce(share_count, 0)
                   + coalesce(collect_count, 0) + coalesce(save_count, 0)
                ELSE engagement_count
           END::BIGINT AS interactions,
           CASE WHEN like_count IS NOT NULL OR comment_count IS NOT NULL OR share_count IS NOT NULL
                  OR collect_count IS NOT NULL OR save_count IS NOT NULL THEN 'sum_of_parts'
                WHEN engagement_count IS NOT NULL THEN 'engagement_count'
           END AS interactions_metric,
           coalesce(view_count, impression_count, reach_count, play_count) AS exposure,
           CASE WHEN view_count IS NOT NULL THEN 'view_count'
                WHEN impression_count IS NOT NULL THEN 'impression_count'
                WHEN reach_count IS NOT NULL THEN 'reach_count'
                WHEN play_count IS NOT NULL THEN 'play_count'
           END AS exposure_metric
    FROM merged
)
SELECT *,
       CASE WHEN interactions IS NOT NULL AND exposure > 0 THEN interactions / exposure END AS engagement_rate
FROM defined;
