"""Fetched works held until their platform is written: in memory up to a budget, on disk past it.

Rows arrive in chunks: an account's own chunks, in the order they were served, or one chunk that
holds several complete accounts (each account's rows together, in served order). A chunk stays in
memory while the fetch's `StageMemory` budget allows (the common case: no file, no encoding, the
writer reads the frames through Arrow); past the budget it is spilled to a Parquet file, so memory
stays flat however large a partition grows. An account with any chunk on disk is handed to the
writer as files only (its in-memory chunks are spilled then), with a `_seq` column numbering its
rows in served order so the writer can keep the last-served copy of a work served twice.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from aitoearn_assets.fetch.work_rows import empty_works_frame

SEQ = "_seq"
#: Rows a chunk may hold at most (2**20): `_seq` is chunk number * CHUNK_SPAN + row in chunk.
CHUNK_SPAN = 1 << 20
#: Default bytes of staged frames one fetch keeps in memory (about 400k works).
STAGE_MEMORY_BYTES = 128 * 2**20
_KEY = ["account_id", "platform_work_id"]


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


@dataclass(eq=False)
class _Chunk:
    data: pl.DataFrame | str  # the rows, or the Parquet file they were spilled to
    accounts: frozenset[str]
    number: int  # the chunk's number among its account's chunks (0 for a chunk of several accounts)
    held_bytes: int = 0  # of the budget, while in memory


def _on_disk(chunks: list[_Chunk]) -> bool:
    """Whether any of these chunks was spilled to a file."""
    return any(isinstance(chunk.data, str) for chunk in chunks)


class WorksStage:
    """One platform's staged rows; safe to add to from several threads."""

    def __init__(self, directory: str | Path, memory: StageMemory | None = None) -> None:
        self.directory = Path(directory)
        self.memory = memory or StageMemory()
        self._chunks: dict[str, list[_Chunk]] = defaultdict(list)
        self._rows: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._files = 0

    def add(self, account_id: str, frame: pl.DataFrame) -> None:
        """Stage one chunk of an account's rows (in served order)."""
        with self._lock:
            number = len(self._chunks[account_id])  # one thread adds an account's chunks, in order
        self._add(_Chunk(frame, frozenset([account_id]), number), {account_id: frame.height})

    def add_accounts(self, frame: pl.DataFrame) -> None:
        """Stage the rows of several complete accounts in one chunk (each account's rows together, in
        served order); none of them may have other chunks."""
        counts = dict(frame.group_by("account_id").len().iter_rows())
        self._add(_Chunk(frame, frozenset(counts), 0), counts)

    def in_memory(self, account_ids: list[str]) -> pl.DataFrame:
        """The rows of those accounts whose chunks are all in memory, each work once (its last-served
        copy), without `_seq`; the others are in `spilled`."""
        wanted = set(account_ids)
        chunks: list[_Chunk] = []
        seen: set[int] = set()
        for account_id in account_ids:
            own = self._chunks.get(account_id, [])
            if _on_disk(own):
                continue
            for chunk in own:
                if id(chunk) not in seen:
                    seen.add(id(chunk))
                    chunks.append(chunk)
        if not chunks:
            return empty_works_frame()
        frame = pl.concat([chunk.data for chunk in chunks], rechunk=False)  # type: ignore[misc]
        if any(not chunk.accounts <= wanted for chunk in chunks):
            frame = frame.filter(pl.col("account_id").is_in(account_ids))
        if frame.select(pl.struct(_KEY).n_unique()).item() < frame.height:
            frame = frame.unique(subset=_KEY, keep="last", maintain_order=True)
        return frame

    def spilled(self, account_ids: list[str]) -> dict[str, list[str]]:
        """The Parquet chunk files (with `_seq`) of those accounts that have any chunk on disk; their
        in-memory chunks are spilled now, so each such account is read from files only. A file may
        hold other accounts' rows too (a chunk of several accounts): readers filter by account."""
        spilled: dict[str, list[str]] = {}
        for account_id in account_ids:
            own = self._chunks.get(account_id, [])
            if not _on_disk(own):
                continue
            for chunk in own:
                if isinstance(chunk.data, pl.DataFrame):
                    chunk.data = self._spill(chunk.number, chunk.data)
                    self.memory.release(chunk.held_bytes)
                    chunk.held_bytes = 0
            spilled[account_id] = [chunk.data for chunk in own]  # type: ignore[misc]
        return spilled

    def rows(self, account_ids: list[str]) -> int:
        """Rows staged for these accounts, duplicates included."""
        return sum(self._rows.get(account_id, 0) for account_id in account_ids)

    def read(self, account_ids: list[str]) -> pl.DataFrame:
        """The staged rows of these accounts, each work once (its last-served copy), without `_seq`.

        For small data and tests; the warehouse writer reads `in_memory` and `spilled` itself.
        """
        files = sorted({path for paths in self.spilled(account_ids).values() for path in paths})
        in_memory = self.in_memory(account_ids)
        if not files:
            return in_memory
        from_files = (
            pl.read_parquet(files)
            .filter(pl.col("account_id").is_in(account_ids))
            .sort(["account_id", SEQ])
            .unique(subset=_KEY, keep="last", maintain_order=True)
            .drop(SEQ)
        )
        return pl.concat([in_memory, from_files])

    def close(self) -> None:
        """Let go of the in-memory chunks (their budget goes back to the fetch)."""
        with self._lock:
            chunks = {id(chunk): chunk for own in self._chunks.values() for chunk in own}
            self._chunks.clear()
        for chunk in chunks.values():
            self.memory.release(chunk.held_bytes)
            chunk.held_bytes = 0

    def _add(self, chunk: _Chunk, counts: dict[str, int]) -> None:
        frame = chunk.data
        assert isinstance(frame, pl.DataFrame)
        if frame.height >= CHUNK_SPAN:
            raise ValueError(f"a chunk holds at most {CHUNK_SPAN - 1} rows")
        size = frame.estimated_size()
        if self.memory.reserve(size):
            chunk.held_bytes = size
        else:
            chunk.data = self._spill(chunk.number, frame)
        with self._lock:
            for account_id, count in counts.items():
                self._chunks[account_id].append(chunk)
                self._rows[account_id] += count

    def _spill(self, number: int, frame: pl.DataFrame) -> str:
        with self._lock:
            self._files += 1
            path = self.directory / f"works-{self._files:06d}.parquet"
        self.directory.mkdir(parents=True, exist_ok=True)
        seq = pl.int_range(frame.height, dtype=pl.Int64) + number * CHUNK_SPAN
        frame.with_columns(seq.alias(SEQ)).write_parquet(path, compression="lz4", statistics=False)
        return str(path)
