"""One row per thing the ingest writes, updated inside every write of it.

On a DuckLake two transactions that only insert never conflict, so two runs writing the same platform of a
new warehouse at once would both insert its works. Each write also updates its subject's row here: two
writes of one subject then always touch the same row, the catalog refuses the second commit, and the
`atomic` retry runs it again on what the first one wrote.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from aitoearn_assets.api.platforms import PLATFORMS


def write_subjects() -> list[str]:
    """Every subject: the account listing, and each platform's works and work analytics."""
    return ["accounts", *(f"raw_works:{p}" for p in PLATFORMS), *(f"work_metrics:{p}" for p in PLATFORMS)]


def ensure_write_marks(con: duckdb.DuckDBPyConnection) -> None:
    """Give every subject its row (created with the tables, before any write can race for it)."""
    stored = {r[0] for r in con.execute("SELECT subject FROM write_marks").fetchall()}
    missing = [s for s in write_subjects() if s not in stored]
    if missing:
        con.executemany("INSERT INTO write_marks VALUES (?, NULL)", [[s] for s in missing])


def mark_write(con: duckdb.DuckDBPyConnection, subject: str) -> None:
    """Stamp `subject` inside the caller's transaction (the update that makes concurrent writes collide)."""
    con.execute(
        "UPDATE write_marks SET written_at = ? WHERE subject = ?", [datetime.now(UTC).replace(tzinfo=None), subject]
    )
