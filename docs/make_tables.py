"""Write the README's table reference from the one declaration of every table (aitoearn_assets/tables.py).

    .venv/bin/python docs/make_tables.py      # rewrites the part of README.md between the TABLES markers

The test suite checks that the README holds exactly what this writes.
"""

from __future__ import annotations

import re
from pathlib import Path

from aitoearn_assets.tables import ABOUT, DERIVED_TABLES, STORED_TABLES, column_type

README = Path(__file__).parents[1] / "README.md"
START, END = "<!-- TABLES -->", "<!-- /TABLES -->"


def tables_markdown() -> str:
    out = []
    for table, columns in {**STORED_TABLES, **DERIVED_TABLES}.items():
        key, what = ABOUT[table]
        out += [f"`{table}` (key `{key}`): {what}.", "", "| column | type | meaning |", "|---|---|---|"]
        out += [f"| {name} | {column_type(t)} | {doc.replace('|', '/')} |" for name, (t, doc) in columns.items()]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def readme_with_tables(text: str) -> str:
    block = f"{START}\n{tables_markdown()}{END}"
    return re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, count=1, flags=re.DOTALL)


if __name__ == "__main__":
    README.write_text(readme_with_tables(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"{README}: table reference written")
