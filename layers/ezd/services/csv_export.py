"""CSV exports (raport podawczy, spis spraw, metryka) that are safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable


def spreadsheet_safe(value: Any) -> str:
    """A cell a spreadsheet would take for a formula (a sender named "=HYPERLINK(...)")
    gets a leading apostrophe, so it is shown as text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(columns: list[str], rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: spreadsheet_safe(row.get(column)) for column in columns})
    return buffer.getvalue()
