"""The permission matrix: every route of the portal API, as every role of two units.

One explicit table says, for each route and each of the five roles of a unit, whether
the role's user may act on the unit's own resource ("A": a 2xx, the row's ``ok``) or is
refused by the access check ("-": 403 FORBIDDEN). "@" marks actions of the addressee of a
decretation: the letter is decreed by the unit's model to a komórka (a school's DYR, the
education department's WO-AO), so only the member of that komórka decides on it. "k"
marks the need to know of a non-public document (services/access.py): the registry desk,
the managers and the addressee of its decretations open it, everyone else of the unit
gets 404 NOT_FOUND, as if it did not exist.

A row may give other marks for the education department (``department``): the city's
statistics are read there by everyone and at a school by no one.

The table is checked for a school (SP48) and for the education department (WOIW), each
on its own resources, and every role of SP48 is refused on every route of WOIW (and a
sample of WOIW's roles on SP48's). A route of the app without a row fails the test.

Calls that change state get a fresh resource per allowed call, made up front and
concurrently (the fixture letter comes through ePUAP, fresh letters through the registry
desk's paper-letter route, which is faster and runs the same workflow); refused calls come first, on a resource in the state in which the action is
valid, so a 403 can only come from the access check. test_api_permissions.py covers 401s
and the unit-level refusal of SP46/SP47; SP48 and WOIW are this file's units.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import pytest

from ezd.samples.letters import make_letter, sample_pdf
from ezd import clock
from testkit import wait_for as _wait_for

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
SCHOOL, DEPARTMENT = "SP48", "WOIW"
ROLES = ("registry_clerk", "manager", "case_officer", "archivist", "unit_admin")
# /health and the API's description are public (tests/e2e/test_portal.py); the ePUAP push
# is machine-to-machine SOAP (test_api_permissions.py).
NOT_USER_ROUTES = {("GET", "/health"), ("GET", "/openapi.json"), ("POST", "/epuap/push/{unit}"),
                   ("POST", "/auth/login"), ("POST", "/auth/password"), ("GET", "/auth/config"),
                   ("POST", "/edoreczenia/{unit}/on-message/{key}")}


@dataclass(frozen=True)
class Profile:
    unit: str
    people: dict[str, str]  # role -> login suffix of the unit's demo user
    letter_title: str       # classified by the city's rules, decreed by the unit's model
    jrwa: str               # the letter's class; cases are opened in it
    officer_cell: str       # the case officer's komórka: the fixture cases belong to it
    addressee: str          # the role whose komórka the model decrees the letter to
    addressee_cell: str


PROFILES = {
    SCHOOL: Profile(
        SCHOOL,
        {"registry_clerk": "sekretariat", "manager": "dyrektor", "case_officer": "kadry", "archivist": "archiwum",
         "unit_admin": "admin"},
        "Skarga na hałas podczas przerw", "050", "KAD", "manager", "DYR",
    ),
    DEPARTMENT: Profile(
        DEPARTMENT,
        {"registry_clerk": "sekretariat", "manager": "dyrektor", "case_officer": "arkusze", "archivist": "archiwum",
         "unit_admin": "admin"},
        "Aneks nr 1 do arkusza organizacji SP 48 na rok 2026/2027", "410", "WO-AO", "case_officer", "WO-AO",
    ),
}

_counter = itertools.count(1)
_counter_lock = threading.Lock()


def _unique(text: str) -> str:
    with _counter_lock:
        n = next(_counter)
    return f"{text} ({n}-{time.time_ns()})"


@dataclass
class World:
    """One unit's fixture resources."""

    profile: Profile
    doc: str = ""          # a registered letter waiting for the addressee's decision
    intake: str = ""
    copy: str = ""         # a "do wiadomości" copy of ``doc`` for the addressee's komórka
    case: str = ""         # an open case of the case officer's komórka, handled by the case officer
    contractor: str = ""   # an entry of the unit's address book
    outgoing: str = ""     # a draft answer in ``case``, by the case officer
    jrwa_csv: str = ""
    model_rules: list[dict] = field(default_factory=list)  # the decretation model in use (the city's for a school)
    fresh: dict[tuple[str, str, str], list[dict[str, str]]] = field(default_factory=dict)

    @property
    def unit(self) -> str:
        return self.profile.unit

    def login(self, role: str) -> str:
        return f"{self.unit.lower()}.{self.profile.people[role]}"


def _paper(world: World, res: dict) -> dict:
    return {
        "upload_id": res["upload_id"],
        "channel": "post",
        "received_at": clock.now_utc().isoformat(),
        "metadata": {
            "title": _unique(f"Pismo w sprawie dziennika do {world.unit}"),
            "sender": {"kind": "person", "first_names": "Jan", "surname": "Kowalski", "town": "Lublin", "country": "PL"},
        },
    }


def _jrwa_csv(world: World, res: dict) -> bytes:
    """The unit's plan as it was, with a new note on 051: a new version every time."""
    rows = list(csv.reader(io.StringIO(world.jrwa_csv)))
    for row in rows[1:]:
        if row[0] == "051":
            row[3] = _unique("Macierz uprawnień: import")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def _rules(world: World, res: dict) -> dict:
    """A rule of the unit's own that no letter of the tests matches."""
    return {"rules": [{"rule_id": "macierz-uprawnien", "owner": world.unit, "kind": "title_words",
                       "pattern": "macierz uprawnień próbna", "jrwa_symbol": "051", "priority": 5}]}


def _new_login(world: World) -> str:
    with _counter_lock:
        n = next(_counter)
    return f"{world.unit.lower()}.macierz{n}t{time.time_ns() % 10**9}"


def _new_user(world: World, res: dict) -> dict:
    cell = world.profile.officer_cell
    return {"login": _new_login(world), "full_name": "Jan Macierzyński", "position": "nauczyciel", "cell": cell,
            "roles": ["case_officer"], "email": "macierz@example.org"}


TODAY = clock.today().isoformat()


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    roles: str                 # a mark per role of ROLES: A allowed, - refused (403), @ the addressee only
    ok: int                    # the status of an allowed call
    variant: str = ""          # {name} of a route taken more than once (the queues)
    fresh: str | None = None   # the kind of fresh resource each allowed call gets (the call changes state)
    query: str = ""            # formatted with the unit's profile
    body: Callable[[World, dict], Any] | None = None
    content_type: str | None = None
    department: str | None = None  # the marks in the education department, where they differ

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.method, self.path, self.variant)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path.replace('{name}', self.variant) if self.variant else self.path}"

    def allows(self, world: World, role: str) -> bool:
        marks = self.department if self.department and world.unit == DEPARTMENT else self.roles
        mark = marks[ROLES.index(role)]
        return (mark == "A" or (mark == "@" and role == world.profile.addressee)
                or (mark == "k" and knows_the_letter(world, role)))

    def refusal(self, world: World, role: str) -> tuple[int, str]:
        """How a refused role is answered: on a non-public document it need not know of,
        404 as if there were none; otherwise 403."""
        if self.path.startswith(D) and not knows_the_letter(world, role):
            return 404, "NOT_FOUND"
        return 403, "FORBIDDEN"


def knows_the_letter(world: "World", role: str) -> bool:
    """Who may open the unit's (non-public) letters of the fixture: the registry desk, the
    managers, and the addressee of their decretation."""
    return role in ("registry_clerk", "manager", world.profile.addressee)


U = "/units/{unit}"
D = f"{U}/documents/{{document_id}}"
C = f"{U}/cases/{{ref}}"
O = f"{U}/outgoing/{{outgoing_id}}"

# The matrix.        roles: registry_clerk, manager (dyrektor: manager+unit_admin+case_officer),
#                           case_officer (kadry / arkusze), archivist, unit_admin
MATRIX: tuple[Row, ...] = (
    Row("GET", "/me", "AAAAA", 200),
    # The register, its reports and the desk's notifications list every item, non-public
    # ones too: the registry desk and the managers. A non-public item: those who need it.
    Row("GET", f"{U}/registry", "AA---", 200),
    Row("GET", D, "kkkkk", 200),
    Row("GET", f"{U}/reports/intake", "AA---", 200),
    Row("GET", f"{U}/intakes/{{intake_id}}", "AA---", 200),
    Row("GET", f"{U}/notifications", "AA---", 200),
    Row("GET", f"{U}/my-notifications", "AAAAA", 200),
    Row("GET", f"{U}/inbox", "AAAAA", 200),
    Row("GET", f"{U}/decretation-targets", "-A---", 200),
    # The registry desk registers paper letters.
    Row("POST", f"{U}/uploads", "A----", 201, body=lambda w, r: {"filename": "skan.pdf", "size": 700}),
    Row("POST", f"{U}/uploads/{{upload_id}}/backdating", "-A---", 200, fresh="upload",
        body=lambda w, r: {"received_on": (clock.today() - timedelta(days=40)).isoformat(), "reason": "Z portierni"}),
    Row("POST", f"{U}/paper-letters", "A----", 201, query="wait=20", fresh="upload", body=_paper),
    # Quarantine: the registry desk, the unit administrator (the dyrektor is one), the archivist.
    Row("GET", f"{U}/quarantine", "AA-AA", 200),
    # Routing: anyone of the unit reads it; the registry desk or a manager classifies; a
    # manager decrees; only the addressee accepts, returns, acknowledges a copy.
    Row("PATCH", f"{D}/metadata", "AA---", 200,
        body=lambda w, r: {"changes": {"remarks": _unique("Uwaga")}, "reason": "Uzupełnienie uwag"}),
    Row("GET", f"{D}/routing", "kkkkk", 200),
    Row("POST", f"{D}/classification", "AA---", 200, body=lambda w, r: {"jrwa_symbol": w.profile.jrwa}),
    Row("POST", f"{D}/decretations", "-A---", 200,
        body=lambda w, r: {"cell": w.profile.addressee_cell, "kind": "do_wiadomosci", "note": "Do wiadomości"}),
    Row("POST", f"{D}/accept", "@@@@@", 200, fresh="decision"),
    Row("POST", f"{D}/return", "@@@@@", 200, fresh="decision", body=lambda w, r: {"reason": "Nie ta komórka"}),
    Row("POST", f"{D}/decretations/{{decretation_id}}/acknowledge", "@@@@@", 200),
    Row("GET", f"{U}/queues/{{name}}", "A----", 200, variant="registry"),
    Row("GET", f"{U}/queues/{{name}}", "-A---", 200, variant="managers"),
    # The unit's classification rules and decretation model: anyone of the unit reads and
    # previews them, the unit administrator sets them (here: to rules that change no routing).
    Row("GET", f"{U}/classification-rules", "AAAAA", 200),
    Row("PUT", f"{U}/classification-rules", "-A--A", 200, body=_rules),
    Row("POST", f"{U}/classification-rules/preview", "AAAAA", 200, body=lambda w, r: {"title": w.profile.letter_title}),
    Row("GET", f"{U}/decretation-model", "AAAAA", 200),
    Row("PUT", f"{U}/decretation-model", "-A--A", 200,
        body=lambda w, r: {"rules": [{**rule, "unit": w.unit} for rule in w.model_rules]}),
    # Cases: a case officer or a manager opens them; the case officer of the case or a
    # manager handles them; anyone of the unit reads them, the spis and the metryka. Only
    # the case's officer attaches, and only a document decreed to them.
    Row("POST", f"{U}/cases", "-AA--", 201,
        body=lambda w, r: {"jrwa_symbol": w.profile.jrwa, "title": _unique("Sprawa z macierzy uprawnień")}),
    Row("GET", C, "AAAAA", 200),
    Row("PATCH", C, "-AA--", 200, body=lambda w, r: {"title": _unique("Nowy tytuł sprawy")}),
    Row("GET", f"{C}/documents", "AAAAA", 200),
    Row("POST", f"{C}/documents", "--A--", 200, fresh="attach", body=lambda w, r: {"document_id": r["attach"]}),
    Row("POST", f"{C}/close", "-AA--", 200, fresh="open", body=lambda w, r: {"settlement": "Udzielono odpowiedzi"}),
    Row("POST", f"{C}/reopen", "-AA--", 200, fresh="closed", body=lambda w, r: {"reason": "Wpłynęło uzupełnienie"}),
    Row("POST", f"{C}/suspend", "-AA--", 200, fresh="open",
        body=lambda w, r: {"start": TODAY, "reason": "Oczekiwanie na opinię"}),
    Row("POST", f"{C}/resume", "-AA--", 200, fresh="suspended", body=lambda w, r: {"end": TODAY}),
    Row("GET", f"{U}/spis", "AAAAA", 200, query="cell={officer_cell}&jrwa={jrwa}"),
    Row("GET", f"{C}/metryka", "AAAAA", 200),
    Row("GET", f"{C}/metryka/verify", "AAAAA", 200),
    Row("GET", f"{U}/overdue", "-AA--", 200),
    # The file plan: anyone of the unit reads it, the unit administrator changes it.
    Row("GET", f"{U}/jrwa", "AAAAA", 200),
    Row("GET", f"{U}/jrwa/versions", "AAAAA", 200),
    Row("GET", f"{U}/jrwa/{{symbol}}", "AAAAA", 200),
    Row("POST", f"{U}/jrwa/changes", "-A--A", 201,
        body=lambda w, r: {"changes": [{"op": "update", "symbol": "051", "notes": _unique("Macierz uprawnień")}],
                           "note": "Macierz uprawnień"}),
    Row("PUT", f"{U}/jrwa", "-A--A", 201, body=_jrwa_csv, content_type="text/csv", query="note=macierz"),
    # …and previews a change before publishing it (nothing is written).
    Row("POST", f"{U}/jrwa/preview", "-A--A", 200,
        body=lambda w, r: {"changes": [{"op": "update", "symbol": "051", "notes": _unique("Macierz: podgląd")}]}),
    # The unit's users: only its administrators (the dyrektor is one), each on a user of its own.
    Row("GET", f"{U}/users", "-A--A", 200),
    Row("POST", f"{U}/users", "-A--A", 201, body=_new_user),
    Row("PATCH", f"{U}/users/{{login}}", "-A--A", 200, fresh="user",
        body=lambda w, r: {"position": _unique("stanowisko")}),
    Row("POST", f"{U}/users/{{login}}/deactivate", "-A--A", 200, fresh="user"),
    Row("POST", f"{U}/users/{{login}}/reactivate", "-A--A", 200, fresh="inactive user"),
    Row("POST", f"{U}/users/{{login}}/password-reset", "-A--A", 200, fresh="user"),
    Row("GET", f"{U}/user-history", "-A--A", 200),
    # statistics: a unit's own for its managers; the city's for the governing body's people
    Row("GET", f"{U}/statistics", "-A---", 200),
    Row("GET", "/statistics", "-----", 200, department="AAAAA"),
    # the address book: read by everyone of the unit, kept by all but the archivist
    Row("GET", f"{U}/contractors", "AAAAA", 200),
    Row("POST", f"{U}/contractors", "AAA-A", 201, body=lambda w, r: _contractor_details()),
    Row("GET", f"{U}/contractors/{{contractor_id}}", "AAAAA", 200),
    Row("PUT", f"{U}/contractors/{{contractor_id}}", "AAA-A", 200, fresh="contractor",
        body=lambda w, r: {"details": _contractor_details("Poradnia (zmieniona)"), "expected_version": 1}),
    Row("DELETE", f"{U}/contractors/{{contractor_id}}", "AAA-A", 204, fresh="contractor", query="expected_version=1"),
    # Outgoing documents: whoever handles cases uploads a draft's file, drafts in a case and
    # changes the draft (its officer or a manager); they see it, and the approvers; the
    # unit's head approves (the default path); the administrator sets the paths.
    Row("POST", f"{U}/uploads", "-AA--", 201, variant="draft",
        body=lambda w, r: {"filename": "projekt.pdf", "size": 700, "purpose": "draft"}),
    Row("GET", f"{C}/outgoing", "AAAAA", 200),
    Row("POST", f"{C}/outgoing", "-AA--", 201, fresh="draft upload",
        body=lambda w, r: {"title": _unique("Odpowiedź"), "upload_id": r["upload_id"]}),
    Row("GET", O, "-AA--", 200),
    Row("POST", f"{O}/versions", "-AA--", 200, fresh="draft upload", body=lambda w, r: {"upload_id": r["upload_id"]}),
    Row("POST", f"{O}/attachments", "-AA--", 200, fresh="attachment upload",
        body=lambda w, r: {"upload_id": r["upload_id"]}),
    Row("DELETE", f"{O}/attachments/{{sha256}}", "-AA--", 200, fresh="draft attachment"),
    Row("PUT", f"{O}/addressees", "-AA--", 200, body=lambda w, r: {"addressees": [{"contractor_id": w.contractor}]}),
    Row("POST", f"{O}/submit", "-AA--", 200, fresh="addressed draft"),
    Row("POST", f"{O}/decision", "-A---", 200, fresh="submitted draft", body=lambda w, r: {"decision": "approved"}),
    Row("POST", f"{O}/seal", "-AA--", 200, fresh="approved draft"),
    Row("POST", f"{O}/signature", "-AA--", 200, fresh="signed outside",
        body=lambda w, r: {"upload_id": r["upload_id"], "signature_upload_id": r["signature_upload_id"]}),
    # Dispatch: by whoever is responsible; the registers and the post are the registry desk's.
    Row("POST", f"{O}/dispatch", "-AA--", 200, fresh="sealed draft", body=lambda w, r: {}),
    Row("GET", f"{U}/outgoing-register", "AA-A-", 200),
    # one item with its evidences: the register's readers, and whoever may see the document
    Row("GET", f"{U}/outgoing-register/{{year}}/{{number}}", "AAAA-", 200, fresh="awaiting postage"),
    Row("GET", f"{U}/postal-tray", "A----", 200),
    Row("POST", f"{U}/outgoing-register/{{year}}/{{number}}/postage", "A----", 200, fresh="awaiting postage",
        body=lambda w, r: {"tracking_number": _tracking_number(), "service": "polecony", "weight_class": "do_350g"}),
    Row("GET", f"{U}/postal-book", "AA---", 200),
    Row("GET", f"{U}/approvals", "AAAAA", 200),
    Row("GET", f"{U}/approval-paths", "-A--A", 200),
    Row("PUT", f"{U}/approval-paths", "-A--A", 200,
        body=lambda w, r: {"paths": [{"unit": w.unit, "jrwa_prefix": "", "steps": [{"role": "manager"}]}]}),
    # letter templates and the letterhead: the unit administrator keeps them (the dyrektor is
    # one), the unit's officers and managers use the active ones; the vocabulary is everyone's
    Row("GET", "/letter-templates/placeholders", "AAAAA", 200),
    Row("GET", f"{U}/letter-templates", "-AA-A", 200),
    Row("POST", f"{U}/letter-templates", "-A--A", 201, body=lambda w, r: _template_content()),
    Row("GET", f"{U}/letter-templates/{{template_id}}", "-AA-A", 200),
    Row("PUT", f"{U}/letter-templates/{{template_id}}", "-A--A", 200, fresh="template",
        body=lambda w, r: {"content": _template_content("Szablon (zmieniony)"), "expected_version": 1}),
    Row("POST", f"{U}/letter-templates/{{template_id}}/archive", "-A--A", 200, fresh="template",
        body=lambda w, r: {"expected_version": 1}),
    Row("POST", f"{U}/letter-templates/{{template_id}}/restore", "-A--A", 200, fresh="archived template",
        body=lambda w, r: {"expected_version": 2}),
    Row("GET", f"{U}/letter-templates/{{template_id}}/versions", "-AA-A", 200),
    Row("POST", f"{U}/letter-templates/{{template_id}}/preview", "-AA-A", 200,
        body=lambda w, r: {"case_ref": w.case, "contractor_id": w.contractor}),
    Row("GET", f"{U}/letterhead", "-AA-A", 200),
    Row("PUT", f"{U}/letterhead", "-A--A", 200, body=lambda w, r: _letterhead_change(w)),
)
UNIT_ROWS = [row for row in MATRIX if "{unit}" in row.path]


def _api_app():
    from ezd.local.lambda_runtime import _load_module  # the module the local stack serves

    return _load_module(ROOT / "functions" / "api", "app").app


# --------------------------------------------------------------------------- fixtures


def _routed(document_id: str) -> bool:
    from ezd.adapters import routing_store

    return routing_store.get_routing(document_id) is not None


def _waits_for_decision(document_id: str) -> bool:
    from ezd.adapters import routing_store

    state = routing_store.get_routing(document_id)
    return bool(state and state.status == "awaiting_acceptance" and state.waiting_for == "decision")


def _deliver(deliverer, world: World) -> Any:
    """The fixture letter through ePUAP: the unit's box, WS-Pull, the intake workflow."""
    outcome = deliverer.deliver(world.unit, make_letter(title=_unique(world.profile.letter_title)))
    assert outcome.status == "registered" and outcome.document_id, outcome
    return outcome


def _upload(api, world: World) -> str:
    from testkit import PaperDesk

    return PaperDesk(api).upload(world.unit, sample_pdf(700, seed=time.time_ns()), clerk=world.login("registry_clerk"))


def _register_paper(api, world: World, title: str) -> str:
    """A fresh letter through the registry desk (faster than ePUAP, the same workflow)."""
    body = _paper(world, {"upload_id": _upload(api, world)})
    body["metadata"]["title"] = _unique(title)
    response = api.call("POST", f"/units/{world.unit}/paper-letters?wait=25", user=world.login("registry_clerk"),
                        json_body=body)
    assert response.status == 201 and response.body["status"] == "registered", response.body
    return response.body["document_id"]


def _wait_for_the_addressee(world: World, document_id: str) -> str:
    """Waits until the unit's model has decreed the letter to the addressee's komórka."""
    from ezd.adapters import routing_store

    _wait_for(lambda: _waits_for_decision(document_id), f"the decision on {document_id}")
    target = routing_store.decretations(document_id)[-1].target
    assert target.cell == world.profile.addressee_cell, target
    return document_id


def _open_case(api, world: World, state: str = "open") -> str:
    manager = world.login("manager")
    response = api.call("POST", f"/units/{world.unit}/cases", user=manager, json_body={
        "jrwa_symbol": world.profile.jrwa, "title": _unique("Sprawa z macierzy uprawnień"),
        "cell": world.profile.officer_cell, "officer": world.login("case_officer"),
    })
    assert response.status == 201, response.body
    ref = response.body["ref"]
    if state == "closed":
        done = api.call("POST", f"/units/{world.unit}/cases/{ref}/close", user=manager,
                        json_body={"settlement": "Załatwiono"})
        assert done.status == 200, done.body
    elif state == "suspended":
        done = api.call("POST", f"/units/{world.unit}/cases/{ref}/suspend", user=manager,
                        json_body={"start": TODAY, "reason": "Oczekiwanie na dokumenty"})
        assert done.status == 200, done.body
    return ref


def _user(api, world: World, active: bool = True) -> dict[str, str]:
    admin = world.login("unit_admin")
    added = api.call("POST", f"/units/{world.unit}/users", user=admin, json_body=_new_user(world, {}))
    assert added.status == 201, added.body
    login = added.body["user"]["login"]
    if not active:
        done = api.call("POST", f"/units/{world.unit}/users/{login}/deactivate", user=admin)
        assert done.status == 200, done.body
    return {"login": login}


def _contractor_details(name: str = "Poradnia Psychologiczno-Pedagogiczna") -> dict:
    return {"kind": "institution", "institution": _unique(name), "street": "ul. Magnoliowa 8",
            "postal_code": "20-143", "town": "Lublin"}


def _contractor(api, world: World) -> str:
    added = api.call("POST", f"/units/{world.unit}/contractors", user=world.login("registry_clerk"),
                     json_body=_contractor_details())
    assert added.status == 201, added.body
    return added.body["contractor_id"]


def _draft_upload(api, world: World, role: str, content: bytes | None = None, name: str = "projekt.pdf") -> str:
    from testkit import post_form

    content = content if content is not None else sample_pdf(700, seed=time.time_ns())
    ticket = api.call("POST", f"/units/{world.unit}/uploads", user=world.login(role),
                      json_body={"filename": name, "size": len(content), "purpose": "draft"})
    assert ticket.status == 201, ticket.body
    assert post_form(ticket.body["url"], ticket.body["fields"], content, name) in (200, 201, 204)
    return ticket.body["upload_id"]


def _draft(api, world: World, ref: str, addressed: bool = False, submitted: bool = False,
           approved: bool = False, content: bytes | None = None, to: str = "unit-WOIW", sealed: bool = False) -> str:
    officer = world.login("case_officer")
    approved = approved or sealed
    submitted = submitted or approved
    created = api.call("POST", f"/units/{world.unit}/cases/{ref}/outgoing", user=officer, json_body={
        "title": _unique("Odpowiedź z macierzy"), "upload_id": _draft_upload(api, world, "case_officer", content)})
    assert created.status == 201, created.body
    outgoing_id = created.body["document"]["outgoing_id"]
    if addressed or submitted:
        done = api.call("PUT", f"/units/{world.unit}/outgoing/{outgoing_id}/addressees", user=officer,
                        json_body={"addressees": [{"contractor_id": to}]})
        assert done.status == 200, done.body
    if submitted:
        done = api.call("POST", f"/units/{world.unit}/outgoing/{outgoing_id}/submit", user=officer)
        assert done.status == 200, done.body
    if approved:
        done = api.call("POST", f"/units/{world.unit}/outgoing/{outgoing_id}/decision", user=world.login("manager"),
                        json_body={"decision": "approved"})
        assert done.status == 200, done.body
    if sealed:
        done = api.call("POST", f"/units/{world.unit}/outgoing/{outgoing_id}/seal", user=officer)
        assert done.status == 200, done.body
    return outgoing_id


_tracking = iter(range(10_000_000, 99_999_999))


def _tracking_number() -> str:
    """A fresh S10 numer nadawczy with its right check digit."""
    with _counter_lock:
        digits = f"{next(_tracking):08d}"
    check = 11 - sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7))) % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"RR{digits}{check}PL"


def _awaiting_postage(api, world: World) -> dict[str, str]:
    """A sealed answer to a person, dispatched by post: in the registry desk's tray."""
    outgoing_id = _draft(api, world, _open_case(api, world), addressed=True, sealed=True, to=_contractor(api, world))
    done = api.call("POST", f"/units/{world.unit}/outgoing/{outgoing_id}/dispatch", user=world.login("case_officer"),
                    json_body={})
    assert done.status == 200, done.body
    (item,) = done.body["items"]
    return {"year": str(item["year"]), "number": str(item["number"])}


def _signed_outside(api, world: World, role: str) -> dict[str, str]:
    """An approved draft and, uploaded by ``role``, its file with a detached XAdES made
    outside (here by another unit's seal, as a qualified signature would come)."""
    from ezd.services.dispatch.sealing import seal_outgoing

    content = sample_pdf(700, seed=time.time_ns())
    outgoing_id = _draft(api, world, _open_case(api, world), approved=True, content=content)
    xades = seal_outgoing("P19", "projekt.pdf", "application/pdf", content).file("projekt.pdf.xades").content
    return {"outgoing_id": outgoing_id, "upload_id": _draft_upload(api, world, role, content),
            "signature_upload_id": _draft_upload(api, world, role, xades, "projekt.pdf.xades")}


def _template_content(name: str = "Szablon z macierzy uprawnień") -> dict:
    return {"name": _unique(name), "subject": "{{ sprawa.tytul }}", "body": "W sprawie {{ sprawa.znak }} informuję…"}


def _template(api, world: World, archived: bool = False) -> dict[str, str]:
    admin = world.login("unit_admin")
    added = api.call("POST", f"/units/{world.unit}/letter-templates", user=admin, json_body=_template_content())
    assert added.status == 201, added.body
    template_id = added.body["template_id"]
    if archived:
        done = api.call("POST", f"/units/{world.unit}/letter-templates/{template_id}/archive", user=admin,
                        json_body={"expected_version": 1})
        assert done.status == 200, done.body
    return {"template_id": template_id}


def _letterhead_change(world: World) -> dict:
    """The letterhead at the version it is at now (each allowed call makes the next)."""
    from ezd.services.dispatch.letter_templates import letterhead_of

    current = letterhead_of(world.unit)
    return {"details": {"name": current.name, "place": "Lublin", "address_lines": [_unique("ul. Macierzowa")]},
            "expected_version": current.version}


def _fresh(api, world: World, kind: str, role: str) -> dict[str, str]:
    if kind in ("template", "archived template"):
        return _template(api, world, archived=kind == "archived template")
    if kind == "draft upload":  # an upload is its uploader's own
        return {"upload_id": _draft_upload(api, world, role)}
    if kind == "attachment upload":  # each its own name: a draft takes a name once
        return {"upload_id": _draft_upload(api, world, role, name=f"zalacznik-{role}.pdf")}
    if kind == "draft attachment":
        outgoing_id = _draft(api, world, _open_case(api, world))
        added = api.call("POST", f"/units/{world.unit}/outgoing/{outgoing_id}/attachments",
                         user=world.login("case_officer"),
                         json_body={"upload_id": _draft_upload(api, world, "case_officer", name="zalacznik.pdf")})
        assert added.status == 200, added.body
        return {"outgoing_id": outgoing_id, "sha256": added.body["document"]["attachments"][0]["sha256"]}
    if kind in ("addressed draft", "submitted draft", "approved draft"):
        return {"outgoing_id": _draft(api, world, _open_case(api, world), addressed=True,
                                      submitted=kind == "submitted draft", approved=kind == "approved draft")}
    if kind == "signed outside":
        return _signed_outside(api, world, role)
    if kind == "sealed draft":
        return {"outgoing_id": _draft(api, world, _open_case(api, world), addressed=True, sealed=True,
                                      to=_contractor(api, world))}
    if kind == "awaiting postage":
        return _awaiting_postage(api, world)
    if kind == "contractor":
        return {"contractor_id": _contractor(api, world)}
    if kind in ("user", "inactive user"):
        return _user(api, world, active=kind == "user")
    if kind == "upload":
        return {"upload_id": _upload(api, world)}
    if kind == "decision":
        return {"document_id": _wait_for_the_addressee(world, _register_paper(api, world, world.profile.letter_title))}
    if kind == "attach":
        document_id = _register_paper(api, world, "Pismo do akt sprawy")
        _wait_for(lambda: _routed(document_id), f"the routing of {document_id}")
        copy = api.call("POST", f"/units/{world.unit}/documents/{document_id}/decretations", user=world.login("manager"),
                        json_body={"login": world.login("case_officer"), "kind": "do_wiadomosci"})
        assert copy.status == 200, copy.body
        return {"ref": _open_case(api, world), "attach": document_id}
    return {"ref": _open_case(api, world, kind)}


def _base(api, deliverer, world: World) -> None:
    outcome = _deliver(deliverer, world)
    world.doc, world.intake = outcome.document_id, outcome.intake_id
    _wait_for_the_addressee(world, world.doc)
    copy = api.call("POST", f"/units/{world.unit}/documents/{world.doc}/decretations", user=world.login("manager"),
                    json_body={"cell": world.profile.addressee_cell, "kind": "do_wiadomosci"})
    assert copy.status == 200, copy.body
    world.copy = copy.body["decretation_id"]


def _case_with_a_draft(api, world: World) -> None:
    world.case = _open_case(api, world)
    world.outgoing = _draft(api, world, world.case)


@pytest.fixture(scope="module")
def worlds(api, deliverer) -> dict[str, World]:
    """Both units' resources, made concurrently: a letter waiting for the addressee with a
    copy for information, an open case, the plan as CSV, and a fresh resource for every
    allowed call of a row that changes state."""
    worlds = {unit: World(profile) for unit, profile in PROFILES.items()}
    with ThreadPoolExecutor(max_workers=24) as pool:
        jobs = []
        for world in worlds.values():
            jobs.append(pool.submit(_base, api, deliverer, world))
            jobs.append(pool.submit(_case_with_a_draft, api, world))
            jobs.append(pool.submit(lambda w=world: setattr(w, "contractor", _contractor(api, w))))
            for row in UNIT_ROWS:
                if row.fresh:
                    # One per allowed call, in the order the calls are made (by role).
                    allowed = [role for role in ROLES if row.allows(world, role)] or [ROLES[0]]
                    futures = [pool.submit(_fresh, api, world, row.fresh, role) for role in allowed]
                    world.fresh[row.key] = futures  # type: ignore[assignment]
        for job in jobs:
            job.result()
        for world in worlds.values():
            world.fresh = {key: [f.result() for f in futures] for key, futures in world.fresh.items()}  # type: ignore[union-attr]
    for world in worlds.values():
        exported = api.call("GET", f"/units/{world.unit}/jrwa?format=csv", user=world.login("unit_admin"))
        assert exported.status == 200, exported.body
        world.jrwa_csv = exported.raw.decode("utf-8")
        model = api.call("GET", f"/units/{world.unit}/decretation-model", user=world.login("unit_admin"))
        assert model.status == 200, model.body
        world.model_rules = model.body["rules"]
    return worlds


# --------------------------------------------------------------------------- calling


def _resources(world: World, row: Row) -> list[dict[str, str]]:
    return world.fresh.get(row.key) or [{}]


def _call(api, row: Row, world: World, res: dict[str, str], login: str, url_unit: str | None = None):
    """Calls ``row`` on ``world``'s resource ``res`` as ``login``; ``url_unit`` puts
    another unit in the path (the resource's identifiers stay those of ``world``)."""
    values = {
        "unit": url_unit or world.unit,
        "document_id": res.get("document_id", world.doc),
        "intake_id": world.intake,
        "decretation_id": world.copy,
        "ref": res.get("ref", world.case),
        "symbol": world.profile.jrwa,
        "name": row.variant,
        "upload_id": res.get("upload_id", "0" * 32),
        "login": res.get("login", world.login("case_officer")),
        "contractor_id": res.get("contractor_id", world.contractor),
        "outgoing_id": res.get("outgoing_id", world.outgoing),
        "year": res.get("year", str(clock.today().year)),
        "number": res.get("number", "1"),
        "sha256": res.get("sha256", "0" * 64),
        "template_id": res.get("template_id", "std-odpowiedz-na-wniosek"),
    }
    url = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], row.path)
    if row.query:
        url += "?" + row.query.format(officer_cell=world.profile.officer_cell, jrwa=world.profile.jrwa)
    if row.body is None:
        return api.call(row.method, url, user=login)
    body = row.body(world, res)
    if isinstance(body, bytes):
        return api.call(row.method, url, user=login, raw=body, content_type=row.content_type)
    return api.call(row.method, url, user=login, json_body=body)


def _refused(response, how: tuple[int, str] = (403, "FORBIDDEN")) -> bool:
    return response.status == how[0] and isinstance(response.body, dict) and response.body.get("error_code") == how[1]


def _concurrently(calls: list[Callable[[], Any]]) -> list[Any]:
    """Refused calls change nothing, so they run side by side (the file stays fast)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return [future.result() for future in [pool.submit(call) for call in calls]]


def _show(response) -> str:
    return f"{response.status} {str(response.body)[:160]}"


# --------------------------------------------------------------------------- the tests


def test_the_matrix_has_exactly_one_row_for_every_route():
    routes = {(method, path) for path, methods in _api_app().routes.items() for method in methods}
    assert NOT_USER_ROUTES <= routes
    covered = {(row.method, row.path) for row in MATRIX}
    assert covered == routes - NOT_USER_ROUTES, (
        f"routes without a row: {sorted(routes - NOT_USER_ROUTES - covered)}; "
        f"rows without a route: {sorted(covered - routes)}")
    assert len({row.key for row in MATRIX}) == len(MATRIX)
    for row in MATRIX:
        for marks in filter(None, (row.roles, row.department)):
            assert len(marks) == len(ROLES) and set(marks) <= set("A-@k"), row
        assert 200 <= row.ok < 300, row
        worlds = [World(profile) for profile in PROFILES.values()]
        if not row.department:  # else the row says who only in the department may
            for world in worlds:
                assert any(row.allows(world, role) for role in ROLES), (row, world.unit)  # else the row says nothing
        assert any(row.allows(world, role) for world in worlds for role in ROLES), row


@pytest.mark.parametrize("row", UNIT_ROWS, ids=lambda row: row.label)
def test_no_role_of_one_unit_reaches_the_other_units_resources(api, worlds, row):
    """Before any own-unit call changes them: the other unit's resources, in the state in
    which the call would be valid, with the other unit in the path."""
    school, department = worlds[SCHOOL], worlds[DEPARTMENT]
    pairs = [(caller, target, role)
             for caller, target, roles in ((school, department, ROLES), (department, school, ("manager", "registry_clerk")))
             for role in roles]
    responses = _concurrently([
        lambda c=caller, t=target, r=role: _call(api, row, t, _resources(t, row)[0], c.login(r))
        for caller, target, role in pairs])
    wrong = [f"{caller.login(role)} on {target.unit}: {_show(response)}"
             for (caller, target, role), response in zip(pairs, responses) if not _refused(response)]
    assert not wrong, f"{row.label} must be 403 across units:\n" + "\n".join(wrong)


FOREIGN_ID_ROWS = [row for row in UNIT_ROWS if re.search(r"\{(document_id|intake_id|ref)\}", row.path)]


@pytest.mark.parametrize("row", FOREIGN_ID_ROWS, ids=lambda row: row.label)
def test_another_units_identifier_under_the_own_unit_is_refused(api, worlds, row):
    """SP48's dyrektor puts WOIW's document, intake or case into an SP48 path: a document
    or intake of another unit is refused; a case reference is looked up in SP48 only."""
    school, department = worlds[SCHOOL], worlds[DEPARTMENT]
    response = _call(api, row, department, _resources(department, row)[0], school.login("manager"), url_unit=SCHOOL)
    if re.search(r"\{(document_id|intake_id)\}", row.path):
        assert _refused(response), _show(response)
    else:
        assert response.status == 404 and response.body["error_code"] == "NOT_FOUND", _show(response)


@pytest.mark.parametrize("unit", [SCHOOL, DEPARTMENT])
@pytest.mark.parametrize("row", MATRIX, ids=lambda row: row.label)
def test_every_role_of_the_unit_on_its_own_resources(api, worlds, unit, row):
    world = worlds[unit]
    resources = _resources(world, row)
    allowed = [role for role in ROLES if row.allows(world, role)]
    refused = [role for role in ROLES if role not in allowed]
    # First the refusals, on the resource that the first allowed call then changes.
    responses = _concurrently([lambda r=role: _call(api, row, world, resources[0], world.login(r)) for role in refused])
    wrong = [f"{role} ({world.login(role)}): expected {row.refusal(world, role)[0]}, got {_show(response)}"
             for role, response in zip(refused, responses) if not _refused(response, row.refusal(world, role))]
    for index, role in enumerate(allowed):
        response = _call(api, row, world, resources[min(index, len(resources) - 1)], world.login(role))
        if response.status != row.ok:
            wrong.append(f"{role} ({world.login(role)}): expected {row.ok}, got {_show(response)}")
    assert not wrong, f"{unit} {row.label}:\n" + "\n".join(wrong)


def test_a_case_officer_opens_cases_only_for_themselves(api, worlds):
    world = worlds[SCHOOL]
    response = api.call("POST", f"/units/{world.unit}/cases", user=world.login("case_officer"), json_body={
        "jrwa_symbol": world.profile.jrwa, "title": _unique("Sprawa dla kogoś innego"),
        "officer": world.login("archivist"),
    })
    assert response.status == 403, _show(response)
    # A manager names the officer, who must be someone who handles cases.
    response = api.call("POST", f"/units/{world.unit}/cases", user=world.login("manager"), json_body={
        "jrwa_symbol": world.profile.jrwa, "title": _unique("Sprawa dla archiwisty"),
        "officer": world.login("archivist"),
    })
    assert response.status == 400, _show(response)
