"""Staging: chunks stay in memory within the fetch's budget and go to Parquet past it; either way an
account hands over each work once, its last-served copy."""

from __future__ import annotations

import polars as pl

from aitoearn_assets.fetch.staging import StageMemory, WorksStage
from aitoearn_assets.fetch.work_rows import RAW_WORKS_SCHEMA


def chunk(account_id: str, ids: list[str], title: str) -> pl.DataFrame:
    rows = [{"platform": "tiktok", "account_id": account_id, "platform_work_id": i, "title": title} for i in ids]
    return pl.DataFrame(rows, schema=RAW_WORKS_SCHEMA)


# account "a" is served w2 twice (a page boundary moved): the second copy, in the second chunk, wins
CHUNKS = [
    ("a", chunk("a", ["w1", "w2"], "first")),
    ("b", chunk("b", ["w1"], "b")),
    ("a", chunk("a", ["w2", "w3"], "second")),
]


def staged(tmp_path, budget: int) -> WorksStage:
    stage = WorksStage(tmp_path, StageMemory(budget))
    for account_id, frame in CHUNKS:
        stage.add(account_id, frame)
    return stage


def titles(frame: pl.DataFrame) -> list[tuple]:
    return sorted(frame.select("account_id", "platform_work_id", "title").iter_rows())


EXPECTED = [("a", "w1", "first"), ("a", "w2", "second"), ("a", "w3", "second"), ("b", "w1", "b")]


def test_within_the_budget_nothing_touches_the_disk(tmp_path):
    stage = staged(tmp_path, budget=10**9)
    assert titles(stage.in_memory(["a", "b"])) == EXPECTED
    assert stage.spilled(["a", "b"]) == {} and not list(tmp_path.glob("*.parquet"))
    assert stage.rows(["a"]) == 4  # as served, the repeat included
    assert stage.memory.used_bytes > 0
    stage.close()
    assert stage.memory.used_bytes == 0


def test_past_the_budget_chunks_are_spilled_and_read_alike(tmp_path):
    stage = staged(tmp_path, budget=0)
    assert stage.in_memory(["a", "b"]).height == 0
    spilled = stage.spilled(["a", "b"])
    assert [len(spilled["a"]), len(spilled["b"])] == [2, 1]
    assert titles(stage.read(["a", "b"])) == EXPECTED


def test_an_account_with_any_chunk_on_disk_is_handed_over_as_files_only(tmp_path):
    first = CHUNKS[0][1].estimated_size()
    stage = staged(tmp_path, budget=first)  # a's first chunk fits; b's and a's second do not
    assert stage.memory.used_bytes == first
    assert stage.in_memory(["a", "b"]).height == 0
    spilled = stage.spilled(["a"])
    assert len(spilled["a"]) == 2 and stage.memory.used_bytes == 0  # the in-memory chunk went to disk, in order
    assert titles(stage.read(["a", "b"])) == EXPECTED


def test_the_budget_is_shared_by_the_stages_of_one_fetch(tmp_path):
    memory = StageMemory(CHUNKS[0][1].estimated_size())
    one, two = WorksStage(tmp_path / "one", memory), WorksStage(tmp_path / "two", memory)
    one.add("a", CHUNKS[0][1])
    two.add("a", CHUNKS[0][1])
    assert one.spilled(["a"]) == {} and len(two.spilled(["a"])["a"]) == 1
    one.close()
    assert memory.used_bytes == 0


def test_a_chunk_of_several_accounts_is_read_per_account_in_memory_and_from_disk(tmp_path):
    both = pl.concat([chunk("c", ["w1", "w1"], "c"), chunk("d", ["w1"], "d")])  # c's w1 served twice
    for budget in (10**9, 0):
        stage = WorksStage(tmp_path / str(budget), StageMemory(budget))
        stage.add_accounts(both)
        assert stage.rows(["c"]) == 2 and stage.rows(["d"]) == 1
        assert titles(stage.read(["c"])) == [("c", "w1", "c")]  # d's rows are in the same chunk, not read
        assert titles(stage.read(["c", "d"])) == [("c", "w1", "c"), ("d", "w1", "d")]
        spilled = stage.spilled(["c", "d"])
        assert (spilled == {}) == (budget > 0)
        if spilled:
            assert spilled["c"] == spilled["d"]  # one file, shared
