"""Fetched works held until their platform is written: in memory up to a budget, on disk past it.

Each account's rows arrive in chunks, in the order they were served. A chunk stays in memory
while the fetch's `StageMemory` budget allows (the common case: no file, no encoding, the writer
reads the frames through Arrow); past the budget it is spilled to a Parquet file, so memory stays
flat however large a partition grows. An account with any chunk on disk is handed to the writer
as files only (its in-memory chunks are spilled then), with a `_seq` column numbering its rows in
served order so the writer can keep the last-served copy of a work that the API served twice.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from pathlib import Path

import polars as pl

from aitoearn_assets.fetch.work_rows import empty_works_frame

SEQ = "_seq"
#: Rows a chunk may hold at most (2**20): `_seq` is chunk number * CHUNK_SPAN + row in chunk.
CHUNK_SPAN = 1 << 20
#: Default bytes of staged frames one fetch keeps in memory (about 400k works).
STAGE_MEMORY_BYTES = 128 * 2**20


class StageMemory:
    """The bytes of staged frames that may stay in memory, shared by the stages of one fetch."""

    def __init__(self, limit_bytes: int = STAGE_MEMORY_BYTES) -> None:
        self.limit_bytes = limit_bytes
        self.used_bytes = 0
        self._lock = threading.Lock()

    def reserve(self, size: int) -> bool:
        """Take `size` bytes if they fit; False (nothing taken) otherwise."""
        with self._lock:
            if self.used_bytes + size > self.limit_bytes:
                return False
            self.used_bytes += size
            return True

    def release(self, size: int) -> None:
        with self._lock:
            self.used_bytes -= size


class WorksStage:
    """One platform's staged rows, per account; safe to add to from several threads."""

    def __init__(self, directory: str | Path, memory: StageMemory | None = None) -> None:
        self.directory = Path(directory)
        self.memory = memory or StageMemory()
        self._chunks: dict[str, list[pl.DataFrame | str]] = defaultdict(list)  # a frame, or its spilled file
        self._rows: dict[str, int] = defaultdict(int)
        self._held_bytes = 0
        self._lock = threading.Lock()
        self._files = 0

    def add(self, account_id: str, frame: pl.DataFrame) -> None:
        """Stage one chunk of an account's rows (in served order)."""
        if frame.height >= CHUNK_SPAN:
            raise ValueError(f"a chunk holds at most {CHUNK_SPAN - 1} rows")
        size = frame.estimated_size()
        in_memory = self.memory.reserve(size)
        with self._lock:
            number = len(self._chunks[account_id])  # one thread adds an account's chunks, in order
        chunk = frame if in_memory else self._spill(account_id, number, frame)
        with self._lock:
            self._chunks[account_id].append(chunk)
            self._rows[account_id] += frame.height
            if in_memory:
                self._held_bytes += size

    def in_memory(self, account_ids: list[str]) -> pl.DataFrame:
        """The rows of those accounts whose chunks are all in memory, each work once (its last-served
        copy), without `_seq`; the others are in `spilled`."""
        frames = []
        for account_id in account_ids:
            chunks = self._chunks.get(account_id, [])
            if not chunks or any(isinstance(chunk, str) for chunk in chunks):
                continue
            frame = pl.concat(chunks, rechunk=False) if len(chunks) > 1 else chunks[0]
            if frame.get_column("platform_work_id").n_unique() < frame.height:
                frame = frame.unique(subset="platform_work_id", keep="last", maintain_order=True)
            frames.append(frame)
        if not frames:
            return empty_works_frame()
        return pl.concat(frames, rechunk=False)

    def spilled(self, account_ids: list[str]) -> dict[str, list[str]]:
        """The Parquet chunk files (with `_seq`) of those accounts that have any chunk on disk; their
        in-memory chunks are spilled now, so each such account is read from files only."""
        spilled: dict[str, list[str]] = {}
        for account_id in account_ids:
            chunks = self._chunks.get(account_id, [])
            if not any(isinstance(chunk, str) for chunk in chunks):
                continue
            for number, chunk in enumerate(chunks):
                if isinstance(chunk, pl.DataFrame):
                    chunks[number] = self._spill(account_id, number, chunk)
                    self._forget(chunk)
            spilled[account_id] = list(chunks)  # type: ignore[arg-type]
        return spilled

    def rows(self, account_ids: list[str]) -> int:
        """Rows staged for these accounts, duplicates included."""
        return sum(self._rows.get(account_id, 0) for account_id in account_ids)

    def read(self, account_ids: list[str]) -> pl.DataFrame:
        """The staged rows of these accounts, each work once (its last-served copy), without `_seq`.

        For small data and tests; the warehouse writer reads `in_memory` and `spilled` itself.
        """
        files = [path for paths in self.spilled(account_ids).values() for path in paths]
        from_files = (
            pl.read_parquet(files)
            .sort(["account_id", SEQ])
            .unique(subset=["account_id", "platform_work_id"], keep="last", maintain_order=True)
            .drop(SEQ)
            if files
            else None
        )
        in_memory = self.in_memory(account_ids)
        return in_memory if from_files is None else pl.concat([in_memory, from_files])

    def close(self) -> None:
        """Let go of the in-memory chunks (their budget goes back to the fetch)."""
        with self._lock:
            self._chunks.clear()
            self.memory.release(self._held_bytes)
            self._held_bytes = 0

    def _spill(self, account_id: str, number: int, frame: pl.DataFrame) -> str:
        with self._lock:
            self._files += 1
            path = self.directory / f"works-{self._files:06d}.parquet"
        self.directory.mkdir(parents=True, exist_ok=True)
        seq = pl.int_range(frame.height, dtype=pl.Int64) + number * CHUNK_SPAN
        frame.with_columns(seq.alias(SEQ)).write_parquet(path, compression="lz4", statistics=False)
        return str(path)

    def _forget(self, frame: pl.DataFrame) -> None:
        size = frame.estimated_size()
        with self._lock:
            self._held_bytes -= size
        self.memory.release(size)
