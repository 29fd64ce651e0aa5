"""`hashtag_engagement`: how the hashtags of each platform's works do (README, "Definitions").

A hashtag is `#` then one or more Unicode letters, decimal digits or `_`, up to the first other
character, case-folded (Python's `str.casefold`): `#Travel`, `#TRAVEL` and `#travel` are one. So
Xiaohongshu's topic form `#话题[话题]#` gives `话题` (and its closing `#` starts nothing, even
with text right after it). A work counts each of its hashtags once, from its
title and description together.
"""

from __future__ import annotations

import polars as pl

from aitoearn_assets.metrics import HASHTAG_MIN_WORKS
from aitoearn_assets.tables import HASHTAG_ENGAGEMENT_COLUMNS
from aitoearn_assets.warehouse.slices import slice_figures

#: Xiaohongshu's closing of a topic, part of the match: its `#` opens no hashtag of its own.
XHS_TOPIC_END = "[话题]#"
#: `#` and the hashtag's characters (Rust regex classes: every Unicode letter, every decimal digit).
HASHTAG_PATTERN = r"#[\p{L}\p{Nd}_]+(?:\[话题\]#)?"


def work_hashtags(works: pl.DataFrame) -> pl.DataFrame:
    """(work, hashtag): each work's distinct hashtags, `work` its row in `works` (an integer: no string keys held)."""
    text = pl.concat_str([pl.col("title"), pl.col("description")], separator="\n", ignore_nulls=True)
    found = (
        works.lazy()
        .select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("work"), "title", "description")
        .filter(pl.col("title").str.contains("#", literal=True) | pl.col("description").str.contains("#", literal=True))
        .select("work", text.str.extract_all(HASHTAG_PATTERN).alias("written"))
        .explode("written")
        .filter(pl.col("written").is_not_null())
        .collect()
    )
    written = found["written"].unique()
    folded = pl.DataFrame(
        {"written": written, "hashtag": [tag[1:].removesuffix(XHS_TOPIC_END).casefold() for tag in written.to_list()]},
        schema={"written": pl.String(), "hashtag": pl.String()},
    )
    return found.join(folded, on="written").select("work", "hashtag").unique()


def compute_hashtag_engagement(works: pl.DataFrame) -> pl.DataFrame:
    """One row per platform and hashtag on at least HASHTAG_MIN_WORKS of its works."""
    tags = work_hashtags(works)
    figures = works.select("platform", "account_id", "interactions", "exposure", "engagement_rate")  # slice_figures'
    tagged = figures[tags["work"]].with_columns(tags["hashtag"])
    return (
        tagged.lazy()
        .group_by("platform", "hashtag")
        .agg(pl.col("account_id").n_unique().cast(pl.Int64).alias("accounts"), *slice_figures())
        .filter(pl.col("works") >= HASHTAG_MIN_WORKS)
        .select(list(HASHTAG_ENGAGEMENT_COLUMNS))
        .sort("platform", "hashtag")
        .collect()
    )
