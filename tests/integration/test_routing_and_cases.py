"""Classification, decretation (task-token waits in the intake state machine), inboxes,
cases, the spis spraw, the metryka and deadlines — through the portal API."""

from __future__ import annotations

import concurrent.futures
import csv
import io
from datetime import date, timedelta

import pytest

from ezd.adapters import routing_store
from ezd import clock
from testkit import wait_for as _wait_for

# Dates matter here: CI runs this module again under several fixed clocks (Makefile).
pytestmark = pytest.mark.dates


def _execution_status(deliverer, intake_id: str) -> str:
    from ezd.adapters import workflows

    machine = deliverer.stack.provisioned.state_machines["RoutingStateMachine"]
    return workflows.describe(f"{machine.replace(':stateMachine:', ':execution:')}:{intake_id}")["status"]


def _waiting_for(document_id: str, what: str) -> bool:
    state = routing_store.get_routing(document_id)
    return bool(state and state.pending_token and state.waiting_for == what)


def _actions(api, unit: str, user: str, document_id: str) -> list[str]:
    from ezd.services import audit

    return [e.action.value if hasattr(e.action, "value") else e.action
            for e in audit.entries(audit.document_object(document_id))]


def test_rule_classifies_model_decrees_and_the_assignee_accepts(api, deliverer, unique_letter):
    outcome = deliverer.deliver("WOIW", unique_letter(title="Aneks nr 2 do arkusza organizacji SP 19 na rok 2026/2027"))
    doc = outcome.document_id
    _wait_for(lambda: _waiting_for(doc, "decision"), what="the assignee's decision")
    view = api.call("GET", f"/units/WOIW/documents/{doc}/routing", user="woiw.sekretariat").body
    assert view["routing"]["classification"]["jrwa_symbol"] == "410"
    assert view["routing"]["classification"]["rule_id"] == "aneks-arkusza"
    (decretation,) = view["decretations"]
    assert decretation["target"] == {"login": None, "cell": "WO-AO"} and decretation["by"] == "system"

    inbox = api.call("GET", "/units/WOIW/inbox", user="woiw.arkusze").body["items"]
    assert [i["document_id"] for i in inbox if i["kind"] == "decretation"][:1] == [doc]
    assert api.call("POST", f"/units/WOIW/documents/{doc}/accept", user="woiw.sekretariat").status == 403

    accepted = api.call("POST", f"/units/WOIW/documents/{doc}/accept", user="woiw.arkusze")
    assert accepted.status == 200 and accepted.body["status"] == "accepted"
    _wait_for(lambda: _execution_status(deliverer, outcome.intake_id) == "SUCCEEDED", what="the workflow to end")
    assert routing_store.get_routing(doc).responsible == "woiw.arkusze"
    assert doc not in [i["document_id"] for i in api.call("GET", "/units/WOIW/inbox", user="woiw.arkusze").body["items"]]
    assert _actions(api, "WOIW", "woiw.dyrektor", doc) == ["registered", "classified", "decreed", "decretation_accepted"]
    # Opening a non-public document is recorded with who opened it.
    assert api.call("GET", f"/units/WOIW/documents/{doc}", user="woiw.arkusze").status == 200
    from ezd.services import audit

    last = audit.entries(audit.document_object(doc))[-1]
    assert (last.action.value, last.actor.login, last.actor.position) == (
        "viewed", "woiw.arkusze", "inspektor ds. arkuszy organizacji")
    assert audit.verify(audit.document_object(doc)).ok


def test_unclassified_waits_for_the_clerk_then_is_returned_and_redecreed(api, deliverer, unique_letter):
    outcome = deliverer.deliver("SP13", unique_letter(title="Zapytanie w sprawie zajęć dodatkowych"))
    doc = outcome.document_id
    _wait_for(lambda: _waiting_for(doc, "classification"), what="the registry desk's classification")
    queue = api.call("GET", "/units/SP13/queues/registry", user="sp13.sekretariat").body["items"]
    assert doc in [i["document_id"] for i in queue]
    assert api.call("GET", "/units/SP13/queues/registry", user="sp13.kadry").status == 403
    assert api.call("POST", f"/units/SP13/documents/{doc}/classification", user="sp13.sekretariat",
                    json_body={"jrwa_symbol": "41"}).body["error_code"] == "JRWA_NOT_LEAF"

    classified = api.call("POST", f"/units/SP13/documents/{doc}/classification", user="sp13.sekretariat",
                          json_body={"jrwa_symbol": "424"})
    assert classified.status == 200 and classified.body["classification"]["jrwa_symbol"] == "424"
    _wait_for(lambda: _waiting_for(doc, "decision"), what="the model's decretation")
    # No model for 4xx below 43: the city's default sends it to the director's komórka.
    assert routing_store.decretations(doc)[-1].target.cell == "DYR"

    returned = api.call("POST", f"/units/SP13/documents/{doc}/return", user="sp13.dyrektor",
                        json_body={"reason": "Sprawa kadr, nie dyrekcji"})
    assert returned.status == 200 and returned.body["status"] == "returned"
    _wait_for(lambda: _waiting_for(doc, "redecretation"), what="a manager's redecretation")
    managers = api.call("GET", "/units/SP13/queues/managers", user="sp13.dyrektor").body["items"]
    assert doc in [i["document_id"] for i in managers]
    assert api.call("POST", f"/units/SP13/documents/{doc}/decretations", user="sp13.sekretariat",
                    json_body={"login": "sp13.kadry"}).status == 403

    decreed = api.call("POST", f"/units/SP13/documents/{doc}/decretations", user="sp13.dyrektor",
                       json_body={"login": "sp13.kadry", "note": "Proszę o przygotowanie odpowiedzi",
                                  "deadline": (clock.today() + timedelta(days=7)).isoformat()})
    assert decreed.status == 200
    _wait_for(lambda: _waiting_for(doc, "decision"), what="the new assignee's decision")
    inbox = api.call("GET", "/units/SP13/inbox", user="sp13.kadry").body["items"]
    assert inbox[0]["document_id"] == doc and inbox[0]["note"] == "Proszę o przygotowanie odpowiedzi"
    assert api.call("POST", f"/units/SP13/documents/{doc}/accept", user="sp13.kadry").status == 200
    _wait_for(lambda: _execution_status(deliverer, outcome.intake_id) == "SUCCEEDED", what="the workflow to end")
    assert _actions(api, "SP13", "sp13.dyrektor", doc) == [
        "registered", "classified", "decreed", "decretation_returned", "redecreed", "decretation_accepted"]


def test_copies_for_information_do_not_transfer_responsibility(api, deliverer, unique_letter):
    outcome = deliverer.deliver("SP14", unique_letter(title="Skarga na organizację wycieczki"))
    doc = outcome.document_id
    _wait_for(lambda: _waiting_for(doc, "decision"), what="the model's decretation")
    copy = api.call("POST", f"/units/SP14/documents/{doc}/decretations", user="sp14.dyrektor",
                    json_body={"login": "sp14.sekretariat", "kind": "do_wiadomosci"})
    assert copy.status == 200 and copy.body["status"] == "info"
    items = api.call("GET", "/units/SP14/inbox", user="sp14.sekretariat").body["items"]
    assert [(i["kind"], i["document_id"]) for i in items][:1] == [("information", doc)]
    assert api.call("POST", f"/units/SP14/documents/{doc}/accept", user="sp14.sekretariat").status == 403
    assert routing_store.get_routing(doc).status == "awaiting_acceptance"
    ack = api.call("POST", f"/units/SP14/documents/{doc}/decretations/{copy.body['decretation_id']}/acknowledge",
                   user="sp14.sekretariat")
    assert ack.status == 200
    assert doc not in [i["document_id"] for i in api.call("GET", "/units/SP14/inbox", user="sp14.sekretariat").body["items"]]
    # Re-decree while pending: the first assignee's task is withdrawn.
    api.call("POST", f"/units/SP14/documents/{doc}/decretations", user="sp14.dyrektor", json_body={"login": "sp14.kadry"})
    statuses = [d.status for d in routing_store.decretations(doc) if d.kind == "do_zalatwienia"]
    assert statuses == ["superseded", "pending"]
    assert api.call("POST", f"/units/SP14/documents/{doc}/accept", user="sp14.kadry").status == 200
    _wait_for(lambda: _execution_status(deliverer, outcome.intake_id) == "SUCCEEDED", what="the workflow to end")


@pytest.fixture
def registered(api, deliverer, unique_letter):
    """A letter of ``unit`` decreed by its director to ``handler`` (default: the director
    himself), who may then put it into a case."""
    def make(unit: str, title: str, handler: str | None = None) -> str:
        doc = deliverer.deliver(unit, unique_letter(title=title)).document_id
        director = f"{unit.lower()}.dyrektor"
        _wait_for(lambda: routing_store.get_routing(doc) is not None, what="the routing")
        decreed = api.call("POST", f"/units/{unit}/documents/{doc}/decretations", user=director,
                           json_body={"login": handler or director, "kind": "do_wiadomosci"})
        assert decreed.status == 200, decreed.body
        return doc

    return make


def test_case_lifecycle_spis_and_metryka(api, registered):
    year = clock.today().year
    doc1 = registered("SP15", "Wniosek o wydanie duplikatu świadectwa ukończenia szkoły")
    doc2 = registered("SP15", "Uzupełnienie wniosku o duplikat świadectwa")
    assert api.call("POST", "/units/SP15/cases", user="sp15.dyrektor",
                    json_body={"jrwa_symbol": "43", "title": "x"}).body["error_code"] == "JRWA_NOT_LEAF"
    opened = api.call("POST", "/units/SP15/cases", user="sp15.dyrektor",
                      json_body={"jrwa_symbol": "433", "title": "Duplikat świadectwa – J. Kowalski",
                                 "deadline_preset": "certificate_7d", "document_id": doc1})
    assert opened.status == 201, opened.body
    case = opened.body
    assert case["ref"] == f"DYR.433.1.{year}" and case["documents_count"] == 1 and case["deadline"]
    ref = case["ref"]
    second = api.call("POST", "/units/SP15/cases", user="sp15.dyrektor",
                      json_body={"jrwa_symbol": "433", "title": "Inna sprawa"}).body
    assert second["ref"] == f"DYR.433.2.{year}"
    # A document belongs to at most one case.
    again = api.call("POST", f"/units/SP15/cases/{second['ref']}/documents", user="sp15.dyrektor",
                     json_body={"document_id": doc1})
    assert again.status == 409 and again.body["error_code"] == "CASE_STATE"
    attached = api.call("POST", f"/units/SP15/cases/{ref}/documents", user="sp15.dyrektor", json_body={"document_id": doc2})
    assert attached.status == 200 and attached.body["documents_count"] == 2
    closed = api.call("POST", f"/units/SP15/cases/{ref}/close", user="sp15.dyrektor",
                      json_body={"settlement": "Wydano duplikat świadectwa"})
    assert closed.body["status"] == "closed"
    assert api.call("POST", f"/units/SP15/cases/{ref}/documents", user="sp15.dyrektor",
                    json_body={"document_id": registered("SP15", "Pismo po zamknięciu")}).status == 409
    reopened = api.call("POST", f"/units/SP15/cases/{ref}/reopen", user="sp15.dyrektor", json_body={"reason": "Błąd w imieniu"})
    assert reopened.body["status"] == "open" and reopened.body["ref"] == ref

    spis = api.call("GET", f"/units/SP15/spis?cell=DYR&jrwa=433&year={year}", user="sp15.sekretariat").body
    assert [line["znak_sprawy"] for line in spis["lines"]] == [ref, second["ref"]]
    assert spis["lines"][0]["od_kogo_wplynela"] == "Kowalski Jan"
    as_csv = api.call("GET", f"/units/SP15/spis?cell=DYR&jrwa=433&year={year}&format=csv", user="sp15.sekretariat")
    rows = list(csv.DictReader(io.StringIO(as_csv.raw.decode())))
    assert [r["lp"] for r in rows] == ["1", "2"] and rows[0]["sprawa"] == "Duplikat świadectwa – J. Kowalski"

    log = api.call("GET", f"/units/SP15/cases/{ref}/metryka", user="sp15.dyrektor").body["entries"]
    actions = [e["action"] for e in log]
    assert actions[:2] == ["registered", "classified"] or "registered" in actions
    for needed in ("case_opened", "attached", "case_closed", "case_reopened"):
        assert needed in actions
    assert all(e["actor"]["position"] for e in log)
    page = api.call("GET", f"/units/SP15/cases/{ref}/metryka?format=html", user="sp15.dyrektor")
    assert page.status == 200 and "Metryka sprawy" in page.raw.decode() and ref in page.raw.decode()
    verified = api.call("GET", f"/units/SP15/cases/{ref}/metryka/verify", user="sp15.dyrektor").body
    assert verified["ok"] is True and len(verified["chains"]) == 3


def test_concurrent_case_openings_never_share_a_reference(api):
    year = clock.today().year

    def open_one(i: int) -> str:
        response = api.call("POST", "/units/SP16/cases", user="sp16.dyrektor",
                            json_body={"jrwa_symbol": "220", "title": f"Zamówienie nr {i}"})
        assert response.status == 201, response.body
        return response.body["ref"]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        refs = list(pool.map(open_one, range(12)))
    assert sorted(refs, key=lambda r: int(r.split(".")[2])) == [f"DYR.220.{n}.{year}" for n in range(1, 13)]


def test_deadlines_suspension_and_the_overdue_watch(api, stack):
    opened = api.call("POST", "/units/SP17/cases", user="sp17.kadry",
                      json_body={"jrwa_symbol": "110", "title": "Nabór na stanowisko", "deadline_preset": "one_month"}).body
    assert opened["ref"].startswith("KAD.110.1.")
    deadline = date.fromisoformat(opened["deadline"])
    ref = opened["ref"]
    day_after = (deadline + timedelta(days=1)).isoformat()
    report = api.call("GET", f"/units/SP17/overdue?today={day_after}&days=7", user="sp17.dyrektor").body
    assert [c["ref"] for c in report["overdue"]] == [ref]
    soon = api.call("GET", f"/units/SP17/overdue?today={(deadline - timedelta(days=3)).isoformat()}&days=7",
                    user="sp17.dyrektor").body
    assert [c["ref"] for c in soon["due_soon"]] == [ref] and not soon["overdue"]
    assert api.call("GET", "/units/SP17/overdue", user="sp17.sekretariat").status == 403

    # The scheduled run tells the officer and the managers.
    from ezd.adapters.aws import client
    import json

    client("lambda").invoke(FunctionName=stack.provisioned.functions["DeadlineWatchFunction"],
                            Payload=json.dumps({"unit": "SP17", "today": day_after, "within_days": 7}).encode())
    for user in ("sp17.kadry", "sp17.dyrektor"):
        notes = api.call("GET", "/units/SP17/my-notifications", user=user).body["items"]
        assert any(n["case_ref"] == ref and "po terminie" in n["message"] for n in notes)

    # Ten days of suspension are added to the raw end of the term, which is then rolled
    # to a working day again (art. 57 §4): not simply the old deadline plus ten days,
    # since the old one may itself have been rolled past a weekend or a holiday.
    from ezd.models.deadlines import DeadlinePreset, Suspension
    from ezd.services.deadlines import case_deadline

    start, end = clock.today(), clock.today() + timedelta(days=10)
    suspended = api.call("POST", f"/units/SP17/cases/{ref}/suspend", user="sp17.kadry",
                         json_body={"start": start.isoformat(), "reason": "Oczekiwanie na opinię"}).body
    assert suspended["deadline"] is None  # the clock is stopped
    resumed = api.call("POST", f"/units/SP17/cases/{ref}/resume", user="sp17.kadry",
                       json_body={"end": end.isoformat()}).body
    initiated = date.fromisoformat(opened["initiated_on"])
    assert date.fromisoformat(resumed["deadline"]) == case_deadline(
        initiated, DeadlinePreset.ONE_MONTH, [Suspension(start=start, end=end, reason="x")])
    assert date.fromisoformat(resumed["deadline"]) > deadline


def test_a_unit_administrator_keeps_the_units_rules_and_model(api, deliverer, unique_letter):
    unit = "P1"
    assert api.call("GET", f"/units/{unit}/decretation-model", user="p1.admin").body["inherited_from_city"] is True
    rules = {"rules": [{"rule_id": "jadlospis", "owner": unit, "kind": "title_words", "pattern": "opłat stołówk",
                        "jrwa_symbol": "340", "priority": 5}]}
    assert api.call("PUT", f"/units/{unit}/classification-rules", user="p1.sekretariat", json_body=rules).status == 403
    bad = {"rules": [{**rules["rules"][0], "jrwa_symbol": "34"}]}
    assert api.call("PUT", f"/units/{unit}/classification-rules", user="p1.admin", json_body=bad).status == 400
    saved = api.call("PUT", f"/units/{unit}/classification-rules", user="p1.admin", json_body=rules)
    assert saved.status == 200 and [r["rule_id"] for r in saved.body["unit_rules"]] == ["jadlospis"]
    # A draft is previewed before it is saved, and is not saved by it.
    draft = {"title": "Zwrot opłaty za stołówkę", "rules": [{**rules["rules"][0], "jrwa_symbol": "341"}]}
    assert api.call("POST", f"/units/{unit}/classification-rules/preview", user="p1.admin",
                    json_body=draft).body == {"rule_id": "jadlospis", "jrwa_symbol": "341"}
    assert api.call("POST", f"/units/{unit}/classification-rules/preview", user="p1.admin",
                    json_body={**draft, "rules": []}).body == {"rule_id": None, "jrwa_symbol": None}
    assert api.call("POST", f"/units/{unit}/classification-rules/preview", user="p1.admin",
                    json_body={"title": ""}).status == 400
    saved = api.call("PUT", f"/units/{unit}/classification-rules", user="p1.admin", json_body=rules)
    assert saved.status == 200 and [r["rule_id"] for r in saved.body["unit_rules"]] == ["jadlospis"]
    preview = api.call("POST", f"/units/{unit}/classification-rules/preview", user="p1.dyrektor",
                       json_body={"title": "Zwrot opłaty za stołówkę"}).body
    assert preview == {"rule_id": "jadlospis", "jrwa_symbol": "340"}
    # The other units still follow only the city's rules.
    other = api.call("POST", "/units/P2/classification-rules/preview", user="p2.dyrektor",
                     json_body={"title": "Zwrot opłaty za stołówkę"}).body
    assert other == {"rule_id": None, "jrwa_symbol": None}

    no_default = {"rules": [{"unit": unit, "jrwa_prefix": "3", "target": {"login": "p1.kadry"}}]}
    assert api.call("PUT", f"/units/{unit}/decretation-model", user="p1.admin", json_body=no_default).status == 400
    model = {"rules": [{"unit": unit, "jrwa_prefix": "", "target": {"cell": "DYR"}},
                       {"unit": unit, "jrwa_prefix": "34", "target": {"login": "p1.kadry"}, "note": "Opłaty"}]}
    assert api.call("PUT", f"/units/{unit}/decretation-model", user="p1.admin", json_body=model).status == 200

    outcome = deliverer.deliver(unit, unique_letter(title="Wniosek o zwrot opłaty za stołówkę za marzec"))
    doc = outcome.document_id
    _wait_for(lambda: _waiting_for(doc, "decision"), what="the unit model's decretation")
    view = api.call("GET", f"/units/{unit}/documents/{doc}/routing", user="p1.kadry").body
    assert view["routing"]["classification"]["rule_id"] == "jadlospis"
    assert view["decretations"][-1]["target"] == {"login": "p1.kadry", "cell": None}


def test_corrections_keep_the_old_values_and_enter_the_metryka(api, deliverer, unique_letter):
    from ezd.services import audit

    outcome = deliverer.deliver("SP21", unique_letter(title="Wniosek o wydanie zaświadczenia o zatrudnienu"))
    doc = outcome.document_id
    patch = {"changes": {"title": "Wniosek o wydanie zaświadczenia o zatrudnieniu", "access": "niepubliczny"},
             "reason": "Literówka w tytule"}
    # Kadry need not know this non-public letter (404); once it is sent to them, they may
    # read it but still not correct the register (403).
    assert api.call("PATCH", f"/units/SP21/documents/{doc}/metadata", user="sp21.kadry", json_body=patch).status == 404
    _wait_for(lambda: routing_store.get_routing(doc) is not None, what="the routing")
    assert api.call("POST", f"/units/SP21/documents/{doc}/decretations", user="sp21.dyrektor",
                    json_body={"login": "sp21.kadry", "kind": "do_wiadomosci"}).status == 200
    assert api.call("PATCH", f"/units/SP21/documents/{doc}/metadata", user="sp21.kadry", json_body=patch).status == 403
    corrected = api.call("PATCH", f"/units/SP21/documents/{doc}/metadata", user="sp21.sekretariat", json_body=patch)
    assert corrected.status == 200, corrected.body
    assert corrected.body["version"] == 2
    (correction,) = corrected.body["corrections"]
    assert correction["changes"] == {"title": {"old": "Wniosek o wydanie zaświadczenia o zatrudnienu",
                                               "new": "Wniosek o wydanie zaświadczenia o zatrudnieniu"}}
    assert correction["by"] == "sp21.sekretariat" and correction["reason"] == "Literówka w tytule"
    same_again = api.call("PATCH", f"/units/SP21/documents/{doc}/metadata", user="sp21.sekretariat", json_body=patch)
    assert same_again.status == 400
    listing = api.call("GET", "/units/SP21/registry", user="sp21.sekretariat").body["items"]
    assert [e["title"] for e in listing if e["document_id"] == doc] == ["Wniosek o wydanie zaświadczenia o zatrudnieniu"]
    entries = audit.entries(audit.document_object(doc))
    assert entries[-1].action.value == "metadata_changed" and "Literówka" in entries[-1].summary
    assert audit.verify(audit.document_object(doc)).ok

    opened = api.call("POST", "/units/SP21/cases", user="sp21.kadry",
                      json_body={"jrwa_symbol": "111", "title": "Zaświadczenie", "document_id": doc}).body
    ref = opened["ref"]
    renamed = api.call("PATCH", f"/units/SP21/cases/{ref}", user="sp21.kadry",
                       json_body={"title": "Zaświadczenie o zatrudnieniu – A. Nowak"})
    assert renamed.status == 200 and renamed.body["title"] == "Zaświadczenie o zatrudnieniu – A. Nowak"
    assert api.call("PATCH", f"/units/SP21/cases/{ref}", user="sp21.kadry",
                    json_body={"officer": "sp21.dyrektor"}).status == 403
    handed = api.call("PATCH", f"/units/SP21/cases/{ref}", user="sp21.dyrektor", json_body={"officer": "sp21.dyrektor"})
    assert handed.status == 200 and handed.body["officer"] == "sp21.dyrektor"
    actions = [e["action"] for e in api.call("GET", f"/units/SP21/cases/{ref}/metryka", user="sp21.dyrektor").body["entries"]]
    assert actions.count("metadata_changed") >= 3  # the document's correction and the case's two changes


def test_the_kpa_term_runs_from_the_date_of_receipt_not_from_the_opening(api, deliverer, unique_letter):
    """A letter received 45 days ago whose case is opened only today: a one-month term
    ended already, so the case is overdue the moment it is opened."""
    from datetime import datetime, time as day_time

    from ezd.models.deadlines import DeadlinePreset
    from ezd.services.deadlines import case_deadline

    received_on = clock.today() - timedelta(days=45)
    received_at = datetime.combine(received_on, day_time(10, 30), tzinfo=clock.WARSAW)
    outcome = deliverer.deliver_as_received(
        "WOIW", unique_letter(title="Aneks nr 7 do arkusza organizacji SP 3 na rok 2026/2027"), received_at)
    assert outcome.status == "registered", outcome
    doc = outcome.document_id
    _wait_for(lambda: _waiting_for(doc, "decision"), what="the decretation to WO-AO")

    opened = api.call("POST", "/units/WOIW/cases", user="woiw.arkusze", json_body={
        "jrwa_symbol": "410", "title": "Aneks nr 7 SP 3", "deadline_preset": "one_month", "document_id": doc})
    assert opened.status == 201, opened.body
    case = opened.body
    assert case["initiated_on"] == received_on.isoformat()  # the case keeps both dates
    assert clock.local_date(datetime.fromisoformat(case["opened_at"])) == clock.today()
    expected = case_deadline(received_on, DeadlinePreset.ONE_MONTH)
    assert case["deadline"] == expected.isoformat() and expected < clock.today()

    overdue = api.call("GET", "/units/WOIW/overdue?days=0", user="woiw.arkusze").body["overdue"]
    assert case["ref"] in [c["ref"] for c in overdue]


def test_a_persons_decision_is_in_the_metryka_before_the_workflow_moves_on(api, deliverer, unique_letter, monkeypatch):
    """The workflow that a person's decision releases writes the next entries (the model's
    decretation); the decision itself must already be in the chain, or the metryka tells
    the story in the wrong order (seen under load: "decreed" before "classified")."""
    from ezd.adapters import workflows

    seen_at_release: list[tuple[str, list[str]]] = []
    release = workflows.complete_task

    def recording_release(token, output):
        seen_at_release.append((output["decision"], _actions(api, "SP13", "sp13.dyrektor", doc)))
        return release(token, output)

    outcome = deliverer.deliver("SP13", unique_letter(title="Prośba o wydanie zaświadczenia"))
    doc = outcome.document_id
    _wait_for(lambda: _waiting_for(doc, "classification"), what="the registry desk's classification")
    monkeypatch.setattr(workflows, "complete_task", recording_release)
    api.call("POST", f"/units/SP13/documents/{doc}/classification", user="sp13.sekretariat",
             json_body={"jrwa_symbol": "424"})
    _wait_for(lambda: _waiting_for(doc, "decision"), what="the model's decretation")
    api.call("POST", f"/units/SP13/documents/{doc}/return", user="sp13.dyrektor", json_body={"reason": "Nie do mnie"})
    _wait_for(lambda: _waiting_for(doc, "redecretation"), what="a manager's redecretation")
    api.call("POST", f"/units/SP13/documents/{doc}/decretations", user="sp13.dyrektor", json_body={"login": "sp13.kadry"})
    _wait_for(lambda: _waiting_for(doc, "decision"), what="the new assignee's decision")
    api.call("POST", f"/units/SP13/documents/{doc}/accept", user="sp13.kadry")
    _wait_for(lambda: _execution_status(deliverer, outcome.intake_id) == "SUCCEEDED", what="the workflow to end")

    last_entry_at_release = [(decision, actions[-1]) for decision, actions in seen_at_release]
    assert last_entry_at_release == [("classified", "classified"), ("returned", "decretation_returned"),
                                     ("redecreed", "redecreed"), ("accepted", "decretation_accepted")]
