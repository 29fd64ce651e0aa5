"""An IO manager that hands warehouse tables to assets as polars DataFrames, through the warehouse resource.

`def my_report(top_works: pl.DataFrame)` receives the `top_works` table (schema `main`); a user asset
that returns a `pl.DataFrame` is stored as the table named after it, replaced atomically. Because it
reads through `WarehouseResource`, an asset sees what its upstream wrote earlier in the same run.
Loading is dagster-duckdb-polars's own type handler.
"""

import dagster as dg
import polars as pl
from dagster._core.storage.db_io_manager import TableSlice
from dagster_duckdb_polars import DuckDBPolarsTypeHandler

from aitoearn_assets.defs.resources.warehouse import WarehouseResource
from aitoearn_assets.warehouse.writes import replace_table_from_frame

SCHEMA = "main"


class WarehouseIOManager(dg.ConfigurableIOManager):
    """Warehouse tables in and out as polars DataFrames (whole tables: every partition of a partitioned one)."""

    warehouse: dg.ResourceDependency[WarehouseResource]

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        table = _table(context.asset_key)
        with self.warehouse.get_connection() as con:
            return DuckDBPolarsTypeHandler().load_input(context, TableSlice(table=table, schema=SCHEMA), con)

    def handle_output(self, context: dg.OutputContext, obj: object) -> None:
        if obj is None:  # the project's own assets write their tables themselves
            return
        if not isinstance(obj, pl.DataFrame):
            raise TypeError(
                f"{context.asset_key.to_user_string()} returned {type(obj).__name__}; the warehouse IO manager stores "
                "polars DataFrames (return one, or a MaterializeResult after writing the table yourself)."
            )
        with self.warehouse.writer() as con:
            rows = replace_table_from_frame(con, _table(context.asset_key), obj)
        context.add_output_metadata({"dagster/row_count": rows, "dagster/table_name": _table(context.asset_key)})


def _table(key: dg.AssetKey) -> str:
    table = key.path[-1]
    if not table.isidentifier():
        raise ValueError(f"asset {key.to_user_string()} does not name a table (letters, digits and _ only)")
    return table
