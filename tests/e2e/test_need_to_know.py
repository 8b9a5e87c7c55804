"""Need to know inside a unit, and routing and cases agreeing on where a document is.

SP50 is this file's unit: its letters come through ePUAP (non-public by default) or the
registry desk. A complaint is decreed by the city's model to the director's komórka.
"""

from __future__ import annotations

import time

import pytest

from ezd import clock
from testkit import wait_for as _wait_for

pytestmark = pytest.mark.stack

UNIT = "SP50"
CLERK, DIRECTOR, OFFICER, ARCHIVIST, ADMIN = (f"sp50.{s}" for s in ("sekretariat", "dyrektor", "kadry", "archiwum", "admin"))


def _routing(document_id: str):
    from ezd.adapters import routing_store

    return routing_store.get_routing(document_id)


def _waiting(document_id: str, what: str) -> bool:
    state = _routing(document_id)
    return bool(state and state.pending_token and state.waiting_for == what)


def _execution(deliverer, intake_id: str) -> str:
    from ezd.adapters import workflows

    machine = deliverer.stack.provisioned.state_machines["RoutingStateMachine"]
    return workflows.describe(f"{machine.replace(':stateMachine:', ':execution:')}:{intake_id}")["status"]


def _opens(api, user: str, document_id: str) -> int:
    return api.call("GET", f"/units/{UNIT}/documents/{document_id}", user=user).status


@pytest.fixture(scope="module")
def complaint(deliverer):
    from ezd.samples.letters import make_letter

    outcome = deliverer.deliver(UNIT, make_letter(title=f"Skarga na nauczyciela matematyki {time.time_ns()}"))
    _wait_for(lambda: _waiting(outcome.document_id, "decision"), "the decretation to DYR")
    return outcome


def test_a_non_public_complaint_is_seen_only_by_those_who_need_it(api, complaint):
    doc = complaint.document_id
    assert {user: _opens(api, user, doc) for user in (CLERK, DIRECTOR, OFFICER, ARCHIVIST, ADMIN)} == {
        CLERK: 200, DIRECTOR: 200, OFFICER: 404, ARCHIVIST: 404, ADMIN: 404}
    # 404 exactly as for a document that does not exist: nothing tells it is there.
    hidden = api.call("GET", f"/units/{UNIT}/documents/{doc}", user=ARCHIVIST)
    missing = api.call("GET", f"/units/{UNIT}/documents/{UNIT}-nie-ma-takiego", user=ARCHIVIST)
    assert hidden.body["error_code"] == missing.body["error_code"] == "NOT_FOUND"
    for path in ("routing",):
        assert api.call("GET", f"/units/{UNIT}/documents/{doc}/{path}", user=ARCHIVIST).status == 404
    # Nor do the register and the daily report show it to them.
    assert api.call("GET", f"/units/{UNIT}/registry", user=ARCHIVIST).status == 403
    assert api.call("GET", f"/units/{UNIT}/reports/intake", user=OFFICER).status == 403


def test_a_copy_do_wiadomosci_lets_its_reader_in(api, deliverer):
    from ezd.samples.letters import make_letter

    outcome = deliverer.deliver(UNIT, make_letter(title=f"Skarga na organizację wycieczki {time.time_ns()}"))
    doc = outcome.document_id
    _wait_for(lambda: _waiting(doc, "decision"), "the decretation to DYR")
    assert _opens(api, OFFICER, doc) == 404
    copy = api.call("POST", f"/units/{UNIT}/documents/{doc}/decretations", user=DIRECTOR,
                    json_body={"login": OFFICER, "kind": "do_wiadomosci", "note": "Do wiadomości kadr"})
    assert copy.status == 200, copy.body
    assert _opens(api, OFFICER, doc) == 200
    assert _opens(api, ARCHIVIST, doc) == 404


def _paper(paper_desk, title: str, access: str = "niepubliczny") -> str:
    response = paper_desk.register(UNIT, title=title, access=access)
    assert response.status == 201 and response.body["status"] == "registered", response.body
    return response.body["document_id"]


def test_a_public_document_is_open_to_the_whole_unit(api, paper_desk):
    doc = _paper(paper_desk, f"Informacja o zebraniu rodziców {time.time_ns()}", access="publiczny – dostępny w całości")
    assert _opens(api, ARCHIVIST, doc) == 200 and _opens(api, ADMIN, doc) == 200


def test_only_the_case_officer_attaches_and_only_what_is_decreed_to_them(api, paper_desk):
    opened = api.call("POST", f"/units/{UNIT}/cases", user=OFFICER,
                      json_body={"jrwa_symbol": "110", "title": f"Nabór {time.time_ns()}"})
    assert opened.status == 201, opened.body
    ref = opened.body["ref"]
    secret = _paper(paper_desk, f"Zaświadczenie lekarskie pracownika {time.time_ns()}")
    public = _paper(paper_desk, f"Ogłoszenie o naborze {time.time_ns()}", access="publiczny – dostępny w całości")
    _wait_for(lambda: _routing(secret) and _routing(public), "the routing of both letters")

    def attach(user: str, doc: str):
        return api.call("POST", f"/units/{UNIT}/cases/{ref}/documents", user=user, json_body={"document_id": doc})

    assert attach(OFFICER, secret).status == 404     # cannot even see it
    refused = attach(OFFICER, public)                  # sees it, but it is not decreed to them
    assert refused.status == 403 and "not decreed" in refused.body["message"]
    assert attach(DIRECTOR, public).status == 403      # a manager, but not the case's officer
    decreed = api.call("POST", f"/units/{UNIT}/documents/{public}/decretations", user=DIRECTOR,
                       json_body={"login": OFFICER, "kind": "do_wiadomosci"})
    assert decreed.status == 200, decreed.body
    assert attach(OFFICER, public).status == 200


def test_joining_a_case_records_it_on_the_routing_and_ends_every_wait(api, deliverer, unique_letter):
    """A letter no rule classifies waits in the registry desk's queue; the director sends
    it to the officer for information; the officer attaches it to a case: it leaves the
    queue, takes the case's class, its routing names the case, and its workflow ends."""
    outcome = deliverer.deliver(UNIT, unique_letter(title=f"Prośba o spotkanie {time.time_ns()}"))
    doc = outcome.document_id
    _wait_for(lambda: _waiting(doc, "classification"), "the registry desk's classification")
    queue = api.call("GET", f"/units/{UNIT}/queues/registry", user=CLERK).body["items"]
    assert doc in [i["document_id"] for i in queue]
    assert api.call("POST", f"/units/{UNIT}/documents/{doc}/decretations", user=DIRECTOR,
                    json_body={"login": OFFICER, "kind": "do_wiadomosci"}).status == 200
    ref = api.call("POST", f"/units/{UNIT}/cases", user=OFFICER,
                   json_body={"jrwa_symbol": "110", "title": "Spotkanie w sprawie zatrudnienia",
                              "deadline_preset": "one_month", "document_id": doc}).body["ref"]

    routing = api.call("GET", f"/units/{UNIT}/documents/{doc}/routing", user=OFFICER).body["routing"]
    assert routing["case_ref"] == ref and routing["status"] == "accepted" and routing["responsible"] == OFFICER
    assert routing["classification"]["jrwa_symbol"] == "110"
    for name, user in (("registry", CLERK), ("managers", DIRECTOR)):
        items = api.call("GET", f"/units/{UNIT}/queues/{name}", user=user).body["items"]
        assert doc not in [i["document_id"] for i in items], name
    _wait_for(lambda: _execution(deliverer, outcome.intake_id) == "SUCCEEDED", "the intake workflow to end")

    view = api.call("GET", f"/units/{UNIT}/documents/{doc}", user=OFFICER).body
    assert view["case_ref"] == ref
    listing = api.call("GET", f"/units/{UNIT}/registry?year={clock.today().year}", user=CLERK).body["items"]
    assert next(e for e in listing if e["document_id"] == doc)["case_ref"] == ref


def test_the_case_officer_keeps_seeing_the_cases_documents(api, deliverer):
    """A complaint decreed to the officer and attached to their case: when a manager
    later decrees it to someone else, the officer of the case still opens it."""
    from ezd.samples.letters import make_letter

    outcome = deliverer.deliver(UNIT, make_letter(title=f"Skarga na dyżury nauczycieli {time.time_ns()}"))
    doc = outcome.document_id
    _wait_for(lambda: _waiting(doc, "decision"), "the decretation to DYR")
    assert api.call("POST", f"/units/{UNIT}/documents/{doc}/decretations", user=DIRECTOR,
                    json_body={"login": OFFICER, "kind": "do_zalatwienia"}).status == 200
    ref = api.call("POST", f"/units/{UNIT}/cases", user=OFFICER, json_body={
        "jrwa_symbol": "050", "title": "Skarga na dyżury", "document_id": doc}).body["ref"]
    redecreed = api.call("POST", f"/units/{UNIT}/documents/{doc}/decretations", user=DIRECTOR,
                         json_body={"login": DIRECTOR, "kind": "do_zalatwienia"})
    assert redecreed.status == 200, redecreed.body
    assert _opens(api, OFFICER, doc) == 200
    assert api.call("GET", f"/units/{UNIT}/cases/{ref}", user=OFFICER).status == 200
