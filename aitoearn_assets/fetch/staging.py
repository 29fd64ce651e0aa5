"""Fetched works spilled to Parquet files as they arrive, so memory stays flat as a partition grows.

Each account's rows go to disk in chunks of `CHUNK_ROWS`. A `_seq` column numbers the rows of an
account in the order they were served, so the writer can keep the last-served copy of a work
that the API served twice. The warehouse reads the files of completely fetched accounts only.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from pathlib import Path

import polars as pl

SEQ = "_seq"
#: Rows a chunk may hold at most (2**20): `_seq` is chunk number * CHUNK_SPAN + row in chunk.
CHUNK_SPAN = 1 << 20


class WorksStage:
    """A folder of Parquet chunks, per account; safe to add to from several threads."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, list[str]] = defaultdict(list)
        self._rows: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._counter = 0

    def add(self, account_id: str, frame: pl.DataFrame) -> None:
        """Spill one chunk of an account's rows (in served order) to disk."""
        if frame.height >= CHUNK_SPAN:
            raise ValueError(f"a chunk holds at most {CHUNK_SPAN - 1} rows")
        with self._lock:
            self._counter += 1
            number = self._counter
            chunk_in_account = len(self._files[account_id])
            path = self.directory / f"works-{number:06d}.parquet"
            self._files[account_id].append(str(path))
            self._rows[account_id] += frame.height
        seq = pl.int_range(frame.height, dtype=pl.Int64) + chunk_in_account * CHUNK_SPAN
        frame.with_columns(seq.alias(SEQ)).write_parquet(path, compression="lz4", statistics=False)

    def files(self, account_ids: list[str]) -> list[str]:
        """The chunk files of these accounts."""
        return [path for account_id in account_ids for path in self._files.get(account_id, [])]

    def rows(self, account_ids: list[str]) -> int:
        """Rows staged for these accounts, duplicates included."""
        return sum(self._rows.get(account_id, 0) for account_id in account_ids)

    def read(self, account_ids: list[str]) -> pl.DataFrame:
        """The staged rows of these accounts, each work once (its last-served copy), without `_seq`.

        For small data and tests; the warehouse writer reads the files itself.
        """
        from aitoearn_assets.fetch.work_rows import empty_works_frame

        files = self.files(account_ids)
        if not files:
            return empty_works_frame()
        return (
            pl.read_parquet(files)
            .sort(["account_id", SEQ])
            .unique(subset=["account_id", "platform_work_id"], keep="last", maintain_order=True)
            .drop(SEQ)
        )
