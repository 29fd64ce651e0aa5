"""Helpers that turn frames and schemas into Dagster metadata."""

from __future__ import annotations

import dagster as dg
import polars as pl

PREVIEW_ROWS = 5
PREVIEW_TEXT_CHARS = 60


def markdown_preview(frame: pl.DataFrame, rows: int = PREVIEW_ROWS) -> dg.MetadataValue:
    """The leading rows as a markdown table, long texts cut short."""
    head = frame.head(rows).with_columns(
        pl.col(pl.String).str.slice(0, PREVIEW_TEXT_CHARS).str.replace_all(r"[|\n\r]", " ")
    )
    if not head.height:
        return dg.MetadataValue.md("_no rows_")
    lines = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * head.width]
    for row in head.iter_rows():
        lines.append("| " + " | ".join("" if v is None else str(v) for v in row) + " |")
    return dg.MetadataValue.md("\n".join(lines))


def table_schema(columns: dict[str, tuple[str, str]]) -> dg.TableSchema:
    """A TableSchema from {column: (duckdb type, description)}."""
    return dg.TableSchema(
        columns=[dg.TableColumn(name, type_, description=doc) for name, (type_, doc) in columns.items()]
    )
