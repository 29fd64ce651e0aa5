"""The per-work definitions (README, "Definitions") as SQL, generated from their declaration in metrics.py.

Every query that needs `exposure`, `interactions` or `engagement_rate` takes them from here: the
view `work_engagement` (and so the snapshots, `account_engagement` and `top_works`) and the daily
series of growth. `column` maps a metric column to the SQL that reads it (a prefix, another table).
"""

from __future__ import annotations

from collections.abc import Callable

from aitoearn_assets.metrics import ENGAGEMENT_TOTAL, EXPOSURE_ORDER, INTERACTION_PARTS, PARTS_SEPARATOR

Column = Callable[[str], str]


def _plain(column: str) -> str:
    return column


def _any_part(column: Column) -> str:
    return " OR ".join(f"{column(c)} IS NOT NULL" for c in INTERACTION_PARTS)


def exposure(column: Column = _plain) -> str:
    """The first reported of views, impressions, reach, plays."""
    return f"coalesce({', '.join(column(c) for c in EXPOSURE_ORDER)})"


def exposure_metric(column: Column = _plain) -> str:
    """Which column `exposure` came from."""
    cases = " ".join(f"WHEN {column(c)} IS NOT NULL THEN '{c}'" for c in EXPOSURE_ORDER)
    return f"CASE {cases} END"


def interactions(column: Column = _plain) -> str:
    """The reported parts added; the platform's own total when no part is reported; NULL when neither."""
    parts = " + ".join(f"coalesce({column(c)}, 0)" for c in INTERACTION_PARTS)
    return f"(CASE WHEN {_any_part(column)} THEN {parts} ELSE {column(ENGAGEMENT_TOTAL)} END)::BIGINT"


def interactions_metric(column: Column = _plain) -> str:
    """What `interactions` measured: the parts it added (`like_count+comment_count`), or the platform total.
    Two values are the same measure only when they added the same parts."""
    parts = ", ".join(f"CASE WHEN {column(c)} IS NOT NULL THEN '{c}' END" for c in INTERACTION_PARTS)
    return (
        f"CASE WHEN {_any_part(column)} THEN concat_ws('{PARTS_SEPARATOR}', {parts}) "
        f"WHEN {column(ENGAGEMENT_TOTAL)} IS NOT NULL THEN '{ENGAGEMENT_TOTAL}' END"
    )


def engagement_rate(interactions_sql: str = "interactions", exposure_sql: str = "exposure") -> str:
    """interactions / exposure when both are reported and exposure > 0, else NULL."""
    return (
        f"CASE WHEN {interactions_sql} IS NOT NULL AND {exposure_sql} > 0 THEN {interactions_sql} / {exposure_sql} END"
    )


def exposure_observed_on(column: Column, observed: Column) -> str:
    """When the metric `exposure` came from was observed (`observed(c)`: the observation date of column c)."""
    cases = " ".join(f"WHEN {column(c)} IS NOT NULL THEN {observed(c)}" for c in EXPOSURE_ORDER)
    return f"CASE {cases} END"


def interactions_observed_on(column: Column, observed: Column) -> str:
    """When `interactions` were observed: the earliest observation among the parts it adds (a sum is only as
    fresh as its stalest part), or the platform total's."""
    dates = ", ".join(f"CASE WHEN {column(c)} IS NOT NULL THEN {observed(c)} END" for c in INTERACTION_PARTS)
    return (
        f"CASE WHEN {_any_part(column)} THEN least({dates}) "
        f"WHEN {column(ENGAGEMENT_TOTAL)} IS NOT NULL THEN {observed(ENGAGEMENT_TOTAL)} END"
    )
