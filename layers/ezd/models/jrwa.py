"""The unified file plan (JRWA): decimal classes, each with its archival category.

A plan is versioned per owner: the city issues the common plan (owner ``CITY``), a unit's
administrator publishes the unit's own versions (owner = unit symbol). A published version
is never rewritten; a change is a new version.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ezd.errors import EzdError, ValidationFailed

SYMBOL_PATTERN = r"^\d{1,4}$"
CATEGORY_PATTERN = r"^(A|Bc|B\d+|BE\d+)$"
SYMBOL_RE = re.compile(SYMBOL_PATTERN)
CATEGORY_RE = re.compile(CATEGORY_PATTERN)
CSV_COLUMNS = ["symbol", "heading", "category", "notes"]


class NotALeafClass(ValidationFailed):
    """Cases (and classification) take only leaf classes, never a group heading."""

    code = "JRWA_NOT_LEAF"


class InvalidPlan(ValidationFailed):
    """The plan (or the change to it) breaks a rule of the JRWA; ``problems`` lists each."""

    code = "JRWA_INVALID"

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        shown = "; ".join(self.problems[:20])
        more = f"; … and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"invalid JRWA: {shown}{more}")


class PlanUnchanged(ValidationFailed):
    """The change would publish a version identical to the current one."""

    code = "JRWA_UNCHANGED"


class PlanVersionConflict(EzdError):
    """Another administrator published a version first (optimistic locking)."""

    code = "JRWA_VERSION_CONFLICT"


class JrwaClass(BaseModel):
    symbol: str = Field(pattern=SYMBOL_PATTERN)
    heading: str = Field(min_length=1)
    category: str | None = Field(default=None, pattern=CATEGORY_PATTERN)
    notes: str | None = None

    @property
    def is_leaf_candidate(self) -> bool:
        # Only classes with a category take cases; headings of groups carry none.
        return self.category is not None


class JrwaEntry(JrwaClass):
    """A class as it stands in a plan version: with whether it takes cases."""

    is_leaf: bool


class JrwaVersionRef(BaseModel):
    owner: str
    version: int


class JrwaPlan(BaseModel):
    owner: str
    version: int
    classes: list[JrwaEntry]
    published_at: datetime | None = None
    published_by: str | None = None
    note: str | None = None
    based_on: JrwaVersionRef | None = None

    def get(self, symbol: str) -> JrwaEntry | None:
        for entry in self.classes:
            if entry.symbol == symbol:
                return entry
        return None

    def leaves(self) -> list[JrwaEntry]:
        return [c for c in self.classes if c.is_leaf]

    @property
    def ref(self) -> JrwaVersionRef:
        return JrwaVersionRef(owner=self.owner, version=self.version)


class JrwaClassRef(BaseModel):
    """One class of a definite plan version: what a document or case records."""

    owner: str
    version: int
    symbol: str
    heading: str
    category: str | None
    is_leaf: bool
    notes: str | None = None


class JrwaChange(BaseModel):
    """One edit of a plan: ``add`` a class, ``update`` fields given, ``set`` (add or
    update), ``remove`` a class that has no subclasses."""

    op: Literal["add", "update", "set", "remove"]
    symbol: str
    heading: str | None = None
    category: str | None = None
    notes: str | None = None


class JrwaVersionInfo(BaseModel):
    """A line of a unit's version history."""

    owner: str
    version: int
    published_at: datetime | None = None
    published_by: str | None = None
    note: str | None = None
    based_on: JrwaVersionRef | None = None
    class_count: int | None = None
    source: Literal["change", "import", "seed", "inherited"] = "change"
    current: bool = False


class JrwaProblem(BaseModel):
    """One problem of a previewed change or CSV, with a stable code (docs/error-codes.md)
    and where it is: the CSV's line, the change's number, the class."""

    code: str
    message: str
    line: int | None = None
    change: int | None = None
    symbol: str | None = None
    value: str | None = None


class JrwaClassChange(BaseModel):
    """A class that stays in the plan with other fields."""

    symbol: str
    before: JrwaEntry
    after: JrwaEntry
    fields: list[Literal["heading", "category", "notes", "is_leaf"]]


class JrwaPreview(BaseModel):
    """What publishing a change (or a CSV) would do, computed as the publication would,
    without writing anything: the classes added, changed and removed, the version it would
    become, or the problems that stop it (``error_code`` JRWA_INVALID or JRWA_UNCHANGED)."""

    unit: str
    source: Literal["change", "import"]
    valid: bool
    error_code: str | None = None
    base: JrwaVersionRef
    version: JrwaVersionRef | None = None  # the version it would become (when valid)
    class_count: int | None = None
    added: list[JrwaEntry] = []
    changed: list[JrwaClassChange] = []
    removed: list[JrwaEntry] = []
    problems: list[JrwaProblem] = []
