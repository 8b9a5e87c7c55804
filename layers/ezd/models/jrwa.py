"""The unified file plan (JRWA): decimal classes, each with its archival category."""

from __future__ import annotations

from pydantic import BaseModel, Field


class JrwaClass(BaseModel):
    symbol: str = Field(pattern=r"^\d{1,4}$")
    heading: str
    category: str | None = Field(default=None, pattern=r"^(A|Bc|B\d+|BE\d+)$")
    notes: str | None = None

    @property
    def is_leaf_candidate(self) -> bool:
        # Only classes with a category take cases; headings of groups carry none.
        return self.category is not None
