"""Statistics of a year: documents, signatures, decretations and cases.

    GET /statistics?year=YYYY[&unit=U][&format=csv]         the city (or any unit of it): the
                                                           education department's people
    GET /units/{unit}/statistics?year=YYYY[&format=csv]    the unit's own: its managers
"""

from __future__ import annotations

from typing import Any

from ezd.api.common import Blueprint, csv_response, handled, int_param, principal_of, query
from ezd.api.openapi import formats, responds
from ezd.clock import today
from ezd.errors import ValidationFailed
from ezd.models.statistics import Statistics
from ezd.services import statistics

blueprint = Blueprint(__name__)


def _answer(unit: str | None, year: int, fmt: str | None, *, as_oversight: bool) -> Any:
    principal = principal_of(blueprint.current_request)
    if fmt == "csv":
        body = statistics.statistics_csv(principal, year, unit, as_oversight=as_oversight)
        return csv_response(body, f"statystyki-{unit or 'miasto'}-{year}.csv")
    if fmt not in (None, "", "json"):
        raise ValidationFailed("format must be json or csv")
    return statistics.year_statistics(principal, year, unit, as_oversight=as_oversight).model_dump(mode="json")


@blueprint.route("/statistics")
@responds(Statistics)
@formats(csv="text/csv")
@handled
def city_statistics() -> Any:
    """The city's year by month and by unit (unit=… one unit of it), as JSON or (format=csv) CSV."""
    q = query(blueprint.current_request)
    return _answer(q.get("unit") or None, int_param(q.get("year"), "year", today().year), q.get("format"),
                   as_oversight=True)


@blueprint.route("/units/{unit}/statistics")
@responds(Statistics)
@formats(csv="text/csv")
@handled
def unit_statistics(unit: str) -> Any:
    """The unit's own year by month, as JSON or (format=csv) CSV."""
    q = query(blueprint.current_request)
    return _answer(unit, int_param(q.get("year"), "year", today().year), q.get("format"), as_oversight=False)
