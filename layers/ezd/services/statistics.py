"""The year's statistics of the city or of one unit, from the counters kept at write time.

Who sees what: the people of the city's governing body (the unit whose kind is "organ
prowadzący": the education department) see the whole city and any unit, through the
city's route; a unit's managers see their own unit, through the unit's route. The figures are counts, with no sender, title or name.
"""

from __future__ import annotations

from datetime import date

from ezd.adapters import directory_store, stats_store
from ezd.errors import AccessDenied, NotFound, ValidationFailed
from ezd.models import statistics as m
from ezd.models.directory import Unit
from ezd.models.intake import Channel
from ezd.models.statistics import Figures, MonthFigures, Statistics, UnitFigures
from ezd.services.auth import Principal
from ezd.services.csv_export import write_csv

OVERSIGHT_KIND = "organ prowadzący"
CHANNELS: list[str] = list(Channel.__args__)  # type: ignore[attr-defined]
SIGNATURE_RESULTS = ["valid_trusted", "valid_untrusted", "valid_revoked", "valid_none", "invalid", "absent"]
FIRST_YEAR, LAST_YEAR = 2000, 2100
CITY_NAME = "Wszystkie jednostki miasta"

_ADDED = {
    m.DECRETED: "decretations",
    m.DECRETED_INFO: "decretations_info",
    m.DECRETATION_RETURNED: "decretations_returned",
    m.CASE_OPENED: "cases_opened",
    m.CASE_CLOSED: "cases_closed",
    m.CASE_CLOSED_LATE: "cases_closed_late",
    m.CASE_REOPENED: "cases_reopened",
}


def sees_city(principal: Principal) -> bool:
    unit = directory_store.get_unit(principal.unit)
    return unit is not None and unit.kind == OVERSIGHT_KIND


def _authorize(principal: Principal, unit: str | None, *, as_oversight: bool) -> None:
    """The city's route is the governing body's (for the city or any unit); a unit's own
    route is its managers'."""
    if as_oversight:
        if not sees_city(principal):
            raise AccessDenied("the city's statistics are the education department's")
        return
    if unit is None:
        raise ValidationFailed("name the unit")
    principal.require_role(unit, "manager")


def _apply(figures: Figures, metric: str, value: int, as_of: str | None) -> None:
    if metric.startswith(m.DOCUMENTS):
        channel = metric[len(m.DOCUMENTS):]
        figures.documents[channel] = figures.documents.get(channel, 0) + value
        figures.documents_total += value
    elif metric.startswith(m.SIGNATURES):
        result = metric[len(m.SIGNATURES):]
        figures.signatures[result] = figures.signatures.get(result, 0) + value
    elif metric in _ADDED:
        setattr(figures, _ADDED[metric], getattr(figures, _ADDED[metric]) + value)
    elif metric == m.CASES_OVERDUE and as_of:
        # A snapshot: the sum over units of each one's latest finding in the period.
        figures.cases_overdue = (figures.cases_overdue or 0) + value
        figures.overdue_as_of = max(filter(None, [figures.overdue_as_of, _day(as_of)]))


def _day(text: str) -> date:
    return date.fromisoformat(text)


class _Year:
    """The counters of a year, read once: twelve queries (of the city's or one unit's)."""

    def __init__(self, year: int, unit: str | None) -> None:
        self.units = _units(unit)
        known = {u.symbol for u in self.units}
        self.months = [f"{year:04d}-{n:02d}" for n in range(1, 13)]
        # A unit no longer in the directory keeps its counters but is not shown.
        self.rows = [(month, row) for month in self.months
                     for row in stats_store.month_counts(month, unit) if row.unit in known]


def year_statistics(principal: Principal, year: int, unit: str | None = None, *,
                    as_oversight: bool = False) -> Statistics:
    """The year of the city (``unit`` None) or of one unit."""
    return _statistics(_read(principal, year, unit, as_oversight), year, unit)


def _read(principal: Principal, year: int, unit: str | None, as_oversight: bool) -> _Year:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(f"year must be between {FIRST_YEAR} and {LAST_YEAR}")
    _authorize(principal, unit, as_oversight=as_oversight)
    return _Year(year, unit)


def _statistics(data: _Year, year: int, unit: str | None) -> Statistics:
    months = {month: MonthFigures(month=month) for month in data.months}
    per_unit = {u.symbol: UnitFigures(unit=u.symbol, name=u.name, kind=u.kind) for u in data.units}
    latest_overdue: dict[str, tuple[str, int]] = {}  # unit -> (as_of, value) of the year's last run
    for month, row in data.rows:
        _apply(months[month], row.metric, row.value, row.as_of)
        if row.metric != m.CASES_OVERDUE:
            _apply(per_unit[row.unit], row.metric, row.value, row.as_of)
        elif row.as_of and row.as_of >= latest_overdue.get(row.unit, ("", 0))[0]:
            latest_overdue[row.unit] = (row.as_of, row.value)
    for symbol, (as_of, value) in latest_overdue.items():
        _apply(per_unit[symbol], m.CASES_OVERDUE, value, as_of)
    totals = Figures()
    for figures in per_unit.values():
        _merge(totals, figures)
    return Statistics(year=year, scope=unit or "city", scope_name=data.units[0].name if unit else CITY_NAME,
                      months=list(months.values()), units=sorted(per_unit.values(), key=lambda f: _unit_order(f.unit)),
                      totals=totals, channels=_ordered(CHANNELS, totals.documents),
                      signature_results=_ordered(SIGNATURE_RESULTS, totals.signatures))


def _units(unit: str | None) -> list[Unit]:
    if unit is None:
        return directory_store.list_units()
    found = directory_store.get_unit(unit)
    if found is None:
        raise NotFound(f"no unit {unit}")
    return [found]


def _merge(into: Figures, figures: Figures) -> None:
    for channel, value in figures.documents.items():
        _apply(into, m.DOCUMENTS + channel, value, None)
    for result, value in figures.signatures.items():
        _apply(into, m.SIGNATURES + result, value, None)
    for metric, field in _ADDED.items():
        _apply(into, metric, getattr(figures, field), None)
    if figures.cases_overdue is not None and figures.overdue_as_of is not None:
        _apply(into, m.CASES_OVERDUE, figures.cases_overdue, figures.overdue_as_of.isoformat())


def _ordered(known: list[str], seen: dict[str, int]) -> list[str]:
    return [*known, *sorted(k for k in seen if k not in known)]


def _unit_order(symbol: str) -> tuple[str, int, str]:
    letters = symbol.rstrip("0123456789")
    digits = symbol[len(letters):]
    return letters, int(digits) if digits else 0, symbol


# --- CSV: one line per unit and month that has anything to count ----------------------------

CHANNEL_NAMES = {"epuap": "ePUAP", "edoreczenia": "e-Doręczenia", "email": "poczta elektroniczna",
                 "post": "poczta", "courier": "kurier", "in_person": "osobiście"}
SIGNATURE_NAMES = {"valid_trusted": "podpis ważny, zaufany", "valid_untrusted": "podpis ważny, niezaufany",
                   "valid_revoked": "podpis ważny, certyfikat unieważniony", "valid_none": "podpis ważny, bez certyfikatu",
                   "invalid": "podpis nieważny", "absent": "bez podpisu"}
FIELD_NAMES = {"decretations": "dekretacje do załatwienia", "decretations_info": "dekretacje do wiadomości",
               "decretations_returned": "dekretacje zwrócone", "cases_opened": "sprawy założone",
               "cases_closed": "sprawy zakończone", "cases_closed_late": "sprawy zakończone po terminie",
               "cases_reopened": "sprawy wznowione", "cases_overdue": "sprawy po terminie (stan)"}


def statistics_csv(principal: Principal, year: int, unit: str | None = None, *, as_oversight: bool = False) -> str:
    data = _read(principal, year, unit, as_oversight)
    stats = _statistics(data, year, unit)
    columns = ["miesiąc", "jednostka", "nazwa jednostki", "pisma razem",
               *(f"pisma: {CHANNEL_NAMES.get(c, c)}" for c in stats.channels),
               *(SIGNATURE_NAMES.get(r, r) for r in stats.signature_results), *FIELD_NAMES.values(), "stan na dzień"]
    cells: dict[tuple[str, str], Figures] = {}
    for month, row in data.rows:
        _apply(cells.setdefault((month, row.unit), Figures()), row.metric, row.value, row.as_of)
    names = {u.symbol: u.name for u in data.units}
    ordered = sorted(cells.items(), key=lambda item: (item[0][0], _unit_order(item[0][1])))
    return write_csv(columns, (_csv_line(month, symbol, names[symbol], f, stats) for (month, symbol), f in ordered))


def _csv_line(month: str, symbol: str, name: str, f: Figures, stats: Statistics) -> dict[str, object]:
    line: dict[str, object] = {"miesiąc": month, "jednostka": symbol, "nazwa jednostki": name,
                               "pisma razem": f.documents_total}
    line.update({f"pisma: {CHANNEL_NAMES.get(c, c)}": f.documents.get(c, 0) for c in stats.channels})
    line.update({SIGNATURE_NAMES.get(r, r): f.signatures.get(r, 0) for r in stats.signature_results})
    line.update({label: getattr(f, field) for field, label in FIELD_NAMES.items()})
    line["stan na dzień"] = f.overdue_as_of.isoformat() if f.overdue_as_of else ""
    return line
