"""Helpers that turn frames and schemas into Dagster metadata."""

from __future__ import annotations

import re

import dagster as dg
import polars as pl

from aitoearn_assets.tables import Columns, column_type

PREVIEW_ROWS = 5
PREVIEW_TEXT_CHARS = 60
#: Every ASCII punctuation character can be backslash-escaped in Markdown (CommonMark); escaped, text from
#: the platforms (titles, nicknames, links) cannot become an image, a link, HTML or a table cell break.
_MARKDOWN_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def escape_markdown(text: str) -> str:
    """`text` as literal Markdown text, on one line."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", re.sub(r"\s+", " ", text))


def markdown_preview(frame: pl.DataFrame, rows: int = PREVIEW_ROWS) -> dg.MetadataValue:
    """The leading rows as a markdown table, long texts cut short, every value shown as text."""
    head = frame.head(rows)
    if not head.height:
        return dg.MetadataValue.md("_no rows_")
    lines = ["| " + " | ".join(map(escape_markdown, head.columns)) + " |", "|" + "---|" * head.width]
    for row in head.iter_rows():
        cells = ("" if v is None else escape_markdown(str(v)[:PREVIEW_TEXT_CHARS]) for v in row)
        lines.append("| " + " | ".join(cells) + " |")
    return dg.MetadataValue.md("\n".join(lines))


def asset_metadata(table: str | None = None, columns: Columns | None = None) -> dict:
    """An asset's definition metadata: its table and columns, and the mode the environment chose (the UI shows
    an asset's definition metadata on its page, where a user looks)."""
    from aitoearn_assets.defs.environment import LOCATION_METADATA

    out: dict = dict(LOCATION_METADATA)
    if table is not None:
        out["dagster/table_name"] = table
    if columns is not None:
        out["dagster/column_schema"] = table_schema(columns)
    return out


def table_schema(columns: Columns) -> dg.TableSchema:
    """A TableSchema from {column: (duckdb type, description)}."""
    return dg.TableSchema(
        columns=[dg.TableColumn(name, column_type(type_), description=doc) for name, (type_, doc) in columns.items()]
    )
