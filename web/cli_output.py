"""How the listing commands print their rows: CSV (a header; empty cells for None; true/false) or a JSON list."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

import click


def emit_rows(rows: list[dict[str, object]], columns: Sequence[str], fmt: str) -> None:
    """Print rows as CSV with these columns, or (fmt "json") as a JSON list of objects."""
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row[c] is None else str(row[c]).lower() if isinstance(row[c], bool) else row[c]
                         for c in columns])
    click.echo(out.getvalue(), nl=False)
