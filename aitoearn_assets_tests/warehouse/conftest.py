"""What the warehouse tests share: an empty warehouse in memory, its tables created as the pipeline creates them."""

from __future__ import annotations

import duckdb
import pytest

from aitoearn_assets.warehouse.schema import ensure_schema


@pytest.fixture
def con():
    con = duckdb.connect(":memory:")
    ensure_schema(con, "sandbox")
    yield con
    con.close()
