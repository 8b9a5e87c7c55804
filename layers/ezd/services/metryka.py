"""The metryka sprawy as the legal form, and exports of audit entries.

`render_html` gives a self-contained printable page (A4 landscape print CSS): heading
"Metryka sprawy", znak sprawy, tytuł, and the table Lp. / Data i godzina / Imię i nazwisko /
Stanowisko / Wykonana czynność / Identyfikator dokumentu. Times are shown in Polish legal
time (Europe/Warsaw). Every value is escaped. A browser prints it to PDF; there is no PDF
renderer here (that would need a new dependency).
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from typing import Iterable

from pydantic import BaseModel

from ezd.models.audit import AuditAction, AuditEntry, VerificationResult, format_at
from ezd.services.csv_export import write_csv
from ezd.clock import WARSAW


class CaseHeader(BaseModel):
    """What the form's heading shows about the case (mapped from the case model)."""

    case_ref: str  # znak sprawy
    title: str = ""
    unit: str = ""  # komórka / jednostka
    opened_at: datetime | None = None
    officer: str = ""  # prowadzący sprawę (imię i nazwisko)


def local_time(moment: datetime) -> str:
    return moment.astimezone(WARSAW).strftime("%Y-%m-%d %H:%M:%S")


def header_from_entries(case_ref: str, entries: Iterable[AuditEntry]) -> CaseHeader:
    """A header from the case's own `case_opened` entry, for when no case record is at
    hand (the CLI): its details may carry `title`, `unit` and `officer`."""
    header = CaseHeader(case_ref=case_ref)
    for entry in entries:
        if entry.action == AuditAction.CASE_OPENED and entry.case_ref == case_ref:
            details = entry.details or {}
            header = CaseHeader(
                case_ref=case_ref,
                title=str(details.get("title") or ""),
                unit=str(details.get("unit") or ""),
                opened_at=entry.at,
                officer=str(details.get("officer") or entry.actor.full_name),
            )
            break
    return header


_CSS = """
  :root { color-scheme: light; }
  body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #000; margin: 1.5cm; }
  h1 { font-size: 16pt; margin: 0 0 0.6em 0; text-align: center; letter-spacing: 0.05em; }
  dl.case { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; margin: 0 0 1em 0; }
  dl.case dt { font-weight: bold; }
  dl.case dd { margin: 0; }
  table { width: 100%; border-collapse: collapse; }
  th, td { border: 1px solid #000; padding: 0.25em 0.4em; vertical-align: top; text-align: left;
           overflow-wrap: anywhere; }
  th { background: #e8e8e8; }
  td.lp { text-align: right; white-space: nowrap; }
  td.at { white-space: nowrap; }
  .verification { margin-top: 1em; font-size: 9pt; }
  .verification.broken { font-weight: bold; }
  footer { margin-top: 1.5em; font-size: 8pt; color: #444; }
  @page { size: A4 landscape; margin: 1.2cm; }
  @media print {
    body { margin: 0; }
    thead { display: table-header-group; }
    tr { page-break-inside: avoid; break-inside: avoid; }
    th { background: #e8e8e8 !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  }
"""

COLUMNS = ["Lp.", "Data i godzina", "Imię i nazwisko", "Stanowisko", "Wykonana czynność",
           "Identyfikator dokumentu"]


def render_html(
    case: CaseHeader,
    entries: Iterable[AuditEntry],
    *,
    verification: Iterable[VerificationResult] | None = None,
    generated_at: datetime | None = None,
) -> str:
    """The metryka sprawy as a printable HTML page. `verification` (optional) adds a line
    per verified chain under the table."""
    e = html.escape
    rows = []
    for lp, entry in enumerate(entries, start=1):
        rows.append(
            "<tr>"
            f'<td class="lp">{lp}</td>'
            f'<td class="at"><time datetime="{e(format_at(entry.at))}">{e(local_time(entry.at))}</time></td>'
            f"<td>{e(entry.actor.full_name)}</td>"
            f"<td>{e(entry.actor.position)}</td>"
            f"<td>{e(entry.summary)}</td>"
            f"<td>{e(entry.document_id or '')}</td>"
            "</tr>"
        )
    if not rows:
        rows.append(f'<tr><td colspan="{len(COLUMNS)}">Brak wpisów.</td></tr>')
    facts = [("Znak sprawy", case.case_ref), ("Tytuł", case.title)]
    if case.unit:
        facts.append(("Komórka organizacyjna", case.unit))
    if case.opened_at:
        facts.append(("Data wszczęcia", local_time(case.opened_at)))
    if case.officer:
        facts.append(("Prowadzący sprawę", case.officer))
    facts_html = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts)
    checks = []
    for result in verification or []:
        if result.ok:
            checks.append(f'<p class="verification">Łańcuch wpisów {e(result.object_id)}: '
                          f"zweryfikowany ({result.entries} wpisów).</p>")
        else:
            checks.append(f'<p class="verification broken">Łańcuch wpisów {e(result.object_id)}: '
                          f"NARUSZONY przy wpisie {e(str(result.first_broken_seq))} — "
                          f"{e(result.reason or '')}</p>")
    generated = local_time(generated_at) if generated_at else None
    footer = f"<footer>Wygenerowano: {e(generated)}</footer>" if generated else ""
    head_cells = "".join(f'<th scope="col">{e(c)}</th>' for c in COLUMNS)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="pl">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Metryka sprawy {e(case.case_ref)}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
        "<h1>Metryka sprawy</h1>\n"
        f'<dl class="case">{facts_html}</dl>\n'
        f"<table>\n<thead><tr>{head_cells}</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
        + "".join(checks)
        + footer
        + "\n</body>\n</html>\n"
    )


_CSV_FIELDS = ["lp", "at", "at_local", "login", "full_name", "position", "action", "summary",
               "document_id", "case_ref", "object_id", "seq", "hash"]


def export_csv(entries: Iterable[AuditEntry]) -> str:
    rows = (
        {"lp": lp, "at": format_at(e.at), "at_local": local_time(e.at), "login": e.actor.login,
         "full_name": e.actor.full_name, "position": e.actor.position, "action": e.action.value,
         "summary": e.summary, "document_id": e.document_id, "case_ref": e.case_ref,
         "object_id": e.object_id, "seq": e.seq, "hash": e.hash}
        for lp, e in enumerate(entries, start=1)
    )
    return write_csv(_CSV_FIELDS, rows)


def export_json(entries: Iterable[AuditEntry]) -> str:
    """The entries exactly as hashed (plus the hash), so a recipient can re-verify them."""
    return json.dumps([entry.to_item_data() for entry in entries], ensure_ascii=False, indent=2)
