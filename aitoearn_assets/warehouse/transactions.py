"""One transaction per write, tried again whole when its commit meets another writer's (DuckLake).

On a DuckDB file one process writes at a time and a commit never conflicts. On DuckLake many processes
write at once, and a transaction that deletes from a table conflicts with any concurrent insert into it
(whatever the partitions): DuckLake refuses the commit and rolls it back, and the whole transaction,
reads included, must run again on the new snapshot. `atomic` does that, with backoff and jitter.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Concatenate, ParamSpec, TypeVar

import duckdb

from aitoearn_assets.warehouse.lake import is_conflict

log = logging.getLogger("aitoearn_assets.warehouse")
P = ParamSpec("P")
T = TypeVar("T")

#: Tries of a conflicting transaction before the error is raised (the step's own retry comes after).
MAX_ATTEMPTS = 40
FIRST_DELAY_SECONDS = 0.05
MAX_DELAY_SECONDS = 2.0
#: Transactions run again in this process, by write function (shown in run metadata and the benchmark).
RETRIED: Counter[str] = Counter()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, or ROLLBACK and re-raise."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        rollback(con)
        raise
    con.execute("COMMIT")


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """End a failed transaction; a commit that failed has already ended it."""
    with suppress(duckdb.Error):
        con.execute("ROLLBACK")


def atomic(
    write: Callable[Concatenate[duckdb.DuckDBPyConnection, P], T],
) -> Callable[Concatenate[duckdb.DuckDBPyConnection, P], T]:
    """Run `write(con, ...)`, itself one transaction, again from the start while it meets a concurrent
    commit. `write` must be safe to repeat: it reads what it needs inside its transaction."""

    @functools.wraps(write)
    def retried(con: duckdb.DuckDBPyConnection, *args: P.args, **kwargs: P.kwargs) -> T:
        delay = FIRST_DELAY_SECONDS
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return write(con, *args, **kwargs)
            except duckdb.Error as err:
                if attempt == MAX_ATTEMPTS or not is_conflict(err):
                    raise
                rollback(con)
                RETRIED[write.__name__] += 1
                log.info("%s met another writer's commit (try %d); trying again", write.__name__, attempt)
                time.sleep(delay * random.uniform(0.5, 1.0))
                delay = min(delay * 2, MAX_DELAY_SECONDS)
        raise AssertionError("unreachable")

    return retried
