"""The analyst copy: published once per run, after the run's last write, and read-only on disk."""

from __future__ import annotations

import os
import stat

import dagster as dg
import duckdb

from aitoearn_assets.defs.assets.raw_works import raw_works
from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.defs.schedules import PARTITION_RANGE_END, PARTITION_RANGE_START
from aitoearn_assets.warehouse.publish import analyst_copy_path


class CountingWarehouse(WarehouseResource):
    """The real resource, counting how often it publishes (published copies are real files)."""

    def publish(self) -> str | None:
        path = super().publish()
        with open(self.database + ".publishes", "a") as log:
            log.write(f"{path}\n")
        return path


def test_one_copy_per_run_after_fifteen_platform_writes_and_it_is_read_only(aitoearn, db_path):
    result = dg.materialize(
        [raw_works],
        tags={PARTITION_RANGE_START: "douyin", PARTITION_RANGE_END: "google_business"},
        resources={"aitoearn": aitoearn, "warehouse": CountingWarehouse(database=db_path)},
    )
    assert result.success
    with open(db_path + ".publishes") as log:
        assert log.read().splitlines() == [analyst_copy_path(db_path)]  # 15 writes, one copy
    copy = analyst_copy_path(db_path)
    assert stat.S_IMODE(os.stat(copy).st_mode) & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) == 0
    with duckdb.connect(copy, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw_works").fetchone() == (480 + 7 * 14,)
