"""A sealed answer dispatched by post: each addressee's item takes the next number of the
unit's outgoing register (gapless, also when dispatches race), waits in the registry
desk's tray, is posted with its numer nadawczy and appears in the day's postal book (JSON
and CSV) at the tariff's price. P22 is this file's unit and no other test's."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import pytest

from ezd import clock
from ezd.samples.letters import sample_pdf
from testkit import post_form

pytestmark = [pytest.mark.stack, pytest.mark.dates]

UNIT = "P22"
CLERK, DIRECTOR, OFFICER = (f"p22.{s}" for s in ("sekretariat", "dyrektor", "kadry"))
PERSON = {"kind": "person", "first_names": "Adam", "surname": "Nowicki", "street": "ul. Długa 5",
          "postal_code": "20-001", "town": "Lublin"}


def _upload(api, content: bytes) -> str:
    ticket = api.call("POST", f"/units/{UNIT}/uploads", user=OFFICER,
                      json_body={"filename": "odpowiedz.pdf", "size": len(content), "purpose": "draft"}).body
    assert post_form(ticket["url"], ticket["fields"], content, "odpowiedz.pdf") in (200, 201, 204)
    return ticket["upload_id"]


def _sealed(api, ref: str, seed: int, addressees: list[dict]) -> str:
    created = api.call("POST", f"/units/{UNIT}/cases/{ref}/outgoing", user=OFFICER, json_body={
        "title": f"Odpowiedź {seed}", "upload_id": _upload(api, sample_pdf(2500, seed=seed))})
    assert created.status == 201, created.body
    path = f"/units/{UNIT}/outgoing/{created.body['document']['outgoing_id']}"
    assert api.call("PUT", f"{path}/addressees", user=OFFICER, json_body={"addressees": addressees}).status == 200
    assert api.call("POST", f"{path}/submit", user=OFFICER).status == 200
    assert api.call("POST", f"{path}/decision", user=DIRECTOR, json_body={"decision": "approved"}).status == 200
    assert api.call("POST", f"{path}/seal", user=OFFICER).status == 200
    return path


@pytest.fixture(scope="module")
def case_ref(api) -> str:
    opened = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR, json_body={
        "jrwa_symbol": "051", "title": "Korespondencja", "cell": "KAD", "officer": OFFICER})
    assert opened.status == 201, opened.body
    return opened.body["ref"]


@pytest.fixture(scope="module")
def person(api) -> str:
    added = api.call("POST", f"/units/{UNIT}/contractors", user=OFFICER, json_body=PERSON)
    assert added.status == 201, added.body
    return added.body["contractor_id"]


def test_a_letter_by_post_is_registered_posted_and_in_the_postal_book(api, case_ref, person):
    path = _sealed(api, case_ref, 221, [{"contractor_id": person}])
    assert api.call("POST", f"{path}/dispatch", user=CLERK, json_body={}).status == 403
    dispatched = api.call("POST", f"{path}/dispatch", user=OFFICER, json_body={})
    assert dispatched.status == 200, dispatched.body
    (item,) = dispatched.body["items"]
    year = clock.today().year
    assert item["registry_number"].startswith("RPWy/") and item["registry_number"].endswith(f"/{year}")
    assert (item["method"], item["status"], item["addressee_name"]) == ("post", "awaiting_postage", "Nowicki Adam")
    assert item["addressee_address"] == "ul. Długa 5, 20-001 Lublin, PL"
    officer = api.call("GET", "/me", user=OFFICER).body
    assert (item["responsible_name"], item["responsible_position"]) == (officer["full_name"], officer["position"])
    assert dispatched.body["outgoing"]["document"]["status"] == "dispatched"
    again = api.call("POST", f"{path}/dispatch", user=OFFICER, json_body={})
    assert again.status == 409 and again.body["error_code"] == "OUTGOING_STATE", again.body

    tray = api.call("GET", f"/units/{UNIT}/postal-tray", user=CLERK)
    assert item["registry_number"] in [i["registry_number"] for i in tray.body["items"]]
    number = item["number"]
    posting = f"/units/{UNIT}/outgoing-register/{year}/{number}/postage"
    bad = api.call("POST", posting, user=CLERK, json_body={
        "tracking_number": "RR473124828PL", "service": "polecony", "weight_class": "do_350g"})
    assert bad.status == 400 and bad.body["error_code"] == "VALIDATION_FAILED", bad.body  # wrong check digit
    assert api.call("POST", posting, user=OFFICER, json_body={
        "tracking_number": "RR473124829PL", "service": "polecony", "weight_class": "do_350g"}).status == 403
    posted = api.call("POST", posting, user=CLERK, json_body={
        "tracking_number": "RR473124829PL", "service": "polecony_zpo", "weight_class": "do_350g"})
    assert posted.status == 200, posted.body
    assert posted.body["status"] == "posted" and posted.body["postage"]["price_grosze"] == 1400
    assert item["registry_number"] not in [i["registry_number"] for i in
                                           api.call("GET", f"/units/{UNIT}/postal-tray", user=CLERK).body["items"]]
    twice = api.call("POST", posting, user=CLERK, json_body={
        "tracking_number": "RR473124829PL", "service": "polecony", "weight_class": "do_350g"})
    assert twice.status == 409, twice.body

    book = api.call("GET", f"/units/{UNIT}/postal-book?date={clock.today().isoformat()}", user=CLERK)
    assert book.status == 200, book.body
    assert [i["postage"]["tracking_number"] for i in book.body["items"]] == ["RR473124829PL"]
    assert book.body["total_grosze"] == 1400 and book.body["sender_name"] == "Przedszkole nr 22 w Lublinie"
    rows = list(csv.DictReader(io.StringIO(api.call(
        "GET", f"/units/{UNIT}/postal-book?date={clock.today().isoformat()}&format=csv", user=CLERK).raw.decode())))
    assert [(r["lp"], r["tracking_number"], r["price_pln"]) for r in rows] == [("1", "RR473124829PL", "14.00")]

    register = api.call("GET", f"/units/{UNIT}/outgoing-register?year={year}", user=CLERK).body
    assert register["items"][0]["registry_number"] == item["registry_number"]
    metryka = api.call("GET", f"/units/{UNIT}/cases/{case_ref}/metryka", user=DIRECTOR).body["entries"]
    dispatched_lines = [e["summary"] for e in metryka if e["action"] == "dispatched"]
    assert any(item["registry_number"] in s and "RR473124829PL" in s for s in dispatched_lines), dispatched_lines


def test_numbers_stay_gapless_when_dispatches_race_and_electronic_dispatch_is_registered_sending(api, case_ref, person):
    other = api.call("POST", f"/units/{UNIT}/contractors", user=OFFICER, json_body={
        **PERSON, "first_names": "Ewa", "surname": "Kamińska", "ade": "AE:PL-11111-22222-ABCDE-33"}).body["contractor_id"]
    # P69's mailbox and box: no test reads them (tests/e2e/test_electronic_dispatch.py sends there too).
    city = _sealed(api, case_ref, 229, [{"contractor_id": "unit-P69"}])
    by_post = api.call("POST", f"{city}/dispatch", user=OFFICER,
                       json_body={"choices": [{"addressee": 0, "method": "post"}]})
    assert by_post.status == 400, by_post.body  # the city's units have no postal address in the directory
    electronic = api.call("POST", f"{city}/dispatch", user=OFFICER, json_body={})  # e-Doręczenia first
    assert electronic.status == 200, electronic.body  # registered; the dispatch workflow sends it
    assert [(i["method"], i["status"]) for i in electronic.body["items"]] == [("edoreczenia", "sending")]
    paths = [_sealed(api, case_ref, 230 + n, [{"contractor_id": person}, {"contractor_id": other}]) for n in range(4)]
    no_ade = api.call("POST", f"{paths[0]}/dispatch", user=OFFICER,
                      json_body={"choices": [{"addressee": 0, "method": "edoreczenia"}]})
    assert no_ade.status == 400, no_ade.body  # Nowicki has no e-delivery address
    before = api.call("GET", f"/units/{UNIT}/outgoing-register", user=CLERK).body["total"]
    body = {"choices": [{"addressee": 0}, {"addressee": 1, "method": "post"}]}
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda p: api.call("POST", f"{p}/dispatch", user=OFFICER, json_body=body), paths))
    assert all(a.status == 200 for a in answers), [a.body for a in answers]
    register = api.call("GET", f"/units/{UNIT}/outgoing-register", user=CLERK).body
    assert register["total"] == before + 8
    assert sorted(i["number"] for i in register["items"]) == list(range(1, before + 9))
    assert all(i["method"] == "post" for a in answers for i in a.body["items"])


def test_the_case_is_closed_as_settled_by_the_letter_sent_in_it(api, person):
    opened = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR, json_body={
        "jrwa_symbol": "051", "title": "Wniosek o zaświadczenie", "cell": "KAD", "officer": OFFICER})
    ref = opened.body["ref"]
    sent = api.call("POST", f"{_sealed(api, ref, 241, [{'contractor_id': person}])}/dispatch", user=OFFICER,
                    json_body={}).body["items"][0]["registry_number"]
    other_case = api.call("GET", f"/units/{UNIT}/outgoing-register", user=CLERK).body["items"]
    foreign = next(i["registry_number"] for i in other_case if i["case_ref"] != ref)
    for wrong in (foreign, "RPWy/999999/2026", "nie-numer"):
        refused = api.call("POST", f"/units/{UNIT}/cases/{ref}/close", user=OFFICER,
                           json_body={"settlement": "Udzielono odpowiedzi", "settled_by": wrong})
        assert refused.status == 400 and refused.body["error_code"] == "VALIDATION_FAILED", (wrong, refused.body)
    closed = api.call("POST", f"/units/{UNIT}/cases/{ref}/close", user=OFFICER,
                      json_body={"settlement": "Udzielono odpowiedzi", "settled_by": sent})
    assert closed.status == 200 and (closed.body["status"], closed.body["settled_by"]) == ("closed", sent), closed.body
    metryka = api.call("GET", f"/units/{UNIT}/cases/{ref}/metryka", user=DIRECTOR).body["entries"]
    assert any(e["action"] == "case_closed" and sent in e["summary"] for e in metryka)
