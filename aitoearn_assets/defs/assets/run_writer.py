"""`RunWriter`: one writer connection for a whole run of a per-platform asset (`raw_works`, `work_metrics`).

Opened at the first write, so the fetch never holds the file before there is something to write; then kept
until the run's fetch is over, so each platform's write does not open the warehouse again (on a DuckDB file
an open and a closing checkpoint, on a lake a session that loads the extensions and attaches the catalog).
"""

from __future__ import annotations

import logging
from contextlib import ExitStack, suppress

import duckdb

from aitoearn_assets.defs.resources.warehouse import WarehouseResource

#: Share of the run's accounts fetched from which the platform written next is followed by the early checkpoint.
EARLY_CHECKPOINT_SHARE = 0.75


def early_checkpoint_due(share_fetched: float, landed: int, platforms: int) -> bool:
    """Whether the run's one early checkpoint comes after the platform just written: once EARLY_CHECKPOINT_SHARE
    of the accounts are fetched, so it is over before the last platform lands (that platform's write waits for
    it: at 5,010 accounts it took 1.2 s and began 0.5 s before the last platform's last answer), and at the
    latest when all platforms but one have landed. Never after the last one: nothing is fetched then for it to
    overlap, and the checkpoint when the writer closes uses every core."""
    return landed < platforms and (share_fetched >= EARLY_CHECKPOINT_SHARE or landed == platforms - 1)


class RunWriter:
    """The run's writer connection (`connection()`), opened lazily and closed when the `with` block ends."""

    def __init__(self, warehouse: WarehouseResource, log: logging.Logger) -> None:
        self.warehouse = warehouse
        self.log = log
        self._stack = ExitStack()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._checkpointed = False

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._con is not None:  # the fetch is over: the closing checkpoint may use every core
                with suppress(duckdb.Error):  # a broken connection still closes, and the first error is raised
                    self._con.execute("RESET threads")
        finally:
            self._stack.close()

    def platform_written(self, landed: int, platforms: int, share_fetched: float = 0.0) -> None:
        """Call after each platform's write: runs the early checkpoint once, when `early_checkpoint_due`."""
        if not self._checkpointed and early_checkpoint_due(share_fetched, landed, platforms):
            self._checkpointed = True
            self.checkpoint()

    def checkpoint(self) -> None:
        """Compress what is written so far into the file while platforms are still being fetched, so the
        checkpoint when the writer closes has only the platforms written after it left to do. A DuckDB file only
        (on a lake, CHECKPOINT is the lake's maintenance)."""
        where = self.warehouse.location
        if self._con is None or where.is_lake or where.is_hosted:
            return
        try:
            self._con.execute("CHECKPOINT")
        except duckdb.Error as err:  # what is committed stays in the WAL; the last platform still lands
            self.log.warning("the early checkpoint failed (it is done when the writer closes): %s", err)

    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = self._stack.enter_context(self.warehouse.writer())
            # A platform is written while the others are still being fetched: on the same cores, one
            # DuckDB thread does the write for less CPU than several competing with the fetch. And each
            # platform's commit only appends to the WAL: the data is compressed into the file once, by
            # the checkpoint when the run publishes the analyst copy (or closes the file), instead of
            # at every commit that passes DuckDB's default 16 MB threshold.
            self._con.execute("SET threads = 1")
            self._con.execute("SET checkpoint_threshold = '1GB'")
        return self._con
