"""work_age_metrics and work_breakouts by hand: values at equal age, the median of the others, 3x exactly."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from aitoearn_assets.warehouse.breakouts import compute_work_breakouts, new_breakouts
from aitoearn_assets.warehouse.work_age import compute_work_age_metrics
from aitoearn_assets.warehouse.writes import replace_table_from_frame

from .insight_data import add_snapshot, add_work

DAY = date(2026, 11, 10)


def account(con, name: str, exposures: list[int], published: date = DAY, first: int = 0) -> None:
    """Works of `name` published on `published`, each observed at 1 day old with these exposures."""
    for n, exposure in enumerate(exposures, start=first):
        work = f"{name}{n}"
        add_work(con, work, datetime.combine(published, datetime.min.time()) + timedelta(hours=n), 1, 1, account=name)
        add_snapshot(con, work, published + timedelta(days=1), exposure, account=name)


def breakouts(con) -> dict:
    frame = compute_work_breakouts(con, compute_work_age_metrics(con))
    replace_table_from_frame(con, "work_breakouts", frame)
    return {(r["platform_work_id"], r["age_days"]): r for r in frame.iter_rows(named=True)}


def test_values_at_equal_age(con):
    add_work(con, "w", datetime(2026, 11, 10, 23, 50), 1, 1)  # published late on the 10th (UTC)
    add_snapshot(con, "w", date(2026, 11, 11), 100)  # 1 day old
    add_snapshot(con, "w", date(2026, 11, 12), 150)
    add_snapshot(con, "w", date(2026, 11, 17), 400, seen=date(2026, 11, 15))  # 7 days old, but carried over
    add_snapshot(con, "w", date(2026, 12, 8), 900)  # 28 days old
    add_work(con, "never", None, 1, 1)
    rows = {r["platform_work_id"]: r for r in compute_work_age_metrics(con).iter_rows(named=True)}
    w = rows["w"]
    assert (w["exposure_at_1d"], w["exposure_at_7d"], w["exposure_at_28d"]) == (100, None, 900)
    assert (w["interactions_at_1d"], w["interactions_at_7d"], w["interactions_at_28d"]) == (10, None, 90)
    assert all(v is None for k, v in rows["never"].items() if "_at_" in k)  # every work has a row


def test_a_breakout_exactly_at_three_times_the_median_of_the_others(con):
    account(con, "a", [100, 100, 100, 100, 100, 300])  # a5: 300 against the others' median 100
    account(con, "b", [100, 100, 100, 100, 100, 299])  # just under
    account(con, "c", [100, 100, 100, 100, 5_000])  # only 4 others: too few to tell
    account(con, "d", [0, 0, 0, 10, 20, 500])  # the others' median is 0: no ratio
    found = breakouts(con)
    assert set(found) == {("a5", 1)}
    a5 = found[("a5", 1)]
    assert (a5["exposure_at_age"], a5["account_median_at_age"], a5["ratio"]) == (300, 100.0, 3.0)
    assert a5["detected_on"] == DAY + timedelta(days=1) and a5["url"] is None


def test_the_median_leaves_the_work_itself_out(con):
    account(con, "e", [10, 20, 30, 40, 50, 60, 1_000])  # others of e6: median 35 (an even count)
    found = breakouts(con)
    assert set(found) == {("e6", 1)} and found[("e6", 1)]["account_median_at_age"] == 35.0
    # with itself counted the median would be 40; without it e5 (60) faces a median of 35: below 3x


def test_first_found_is_kept_on_later_run_dates(con):
    account(con, "a", [100, 100, 100, 100, 100, 300])
    first = DAY + timedelta(days=1)
    assert breakouts(con)[("a5", 1)]["detected_on"] == first
    account(con, "f", [10, 10, 10, 10, 10, 90], published=DAY + timedelta(days=5))  # a later run date finds f5
    found = breakouts(con)
    assert found[("a5", 1)]["detected_on"] == first and found[("f5", 1)]["detected_on"] == DAY + timedelta(days=6)
    stored = con.sql("SELECT * FROM work_breakouts").pl()
    assert new_breakouts(stored, con)["platform_work_id"].to_list() == ["f5"]  # what the WARN check names


def test_the_first_run_date_found_follows_from_the_snapshots_alone(con):
    later = lambda days: DAY + timedelta(days=days)  # noqa: E731
    account(con, "g", [900, 100, 100, 100])  # g0 measured on DAY+1 with 3 others: too few to tell
    account(con, "g", [100, 100], published=later(2), first=4)  # DAY+3: 5 others, median 100: g0 is found
    account(con, "g", [2_000] * 6, published=later(4), first=6)  # DAY+5: the median of g0's others is 2,000
    account(con, "g", [100] * 7, published=later(6), first=12)  # DAY+7: back to 100
    found = breakouts(con)
    assert found[("g0", 1)]["detected_on"] == later(3)  # found on DAY+3, not on DAY+1 nor DAY+7
    con.execute("DROP TABLE work_breakouts")  # a lost table, or a first build over old snapshots
    assert {k: r["detected_on"] for k, r in breakouts(con).items()} == {k: r["detected_on"] for k, r in found.items()}


def test_work_age_metrics_joins_the_snapshots_on_equalities(con):
    # An age condition in the join's ON clause made DuckDB pick a nested-loop join: 88 s at 280,000 works.
    from aitoearn_assets.warehouse.work_age import WORK_AGE_METRICS_SQL

    plan = "\n".join(row[1] for row in con.execute("EXPLAIN " + WORK_AGE_METRICS_SQL).fetchall())
    assert "HASH_JOIN" in plan and "NL_JOIN" not in plan and "NESTED_LOOP" not in plan
