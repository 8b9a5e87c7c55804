"""The address book through the API: a unit's own contractors beside the city's units, the
addresses each needs and the channels they allow, searched without regard to case or
Polish letters, changed and removed only at the version read. P13 is this file's unit."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.stack

UNIT, CLERK, ARCHIVIST = "P13", "p13.sekretariat", "p13.archiwum"
PERSON = {"kind": "person", "first_names": "Joanna", "surname": "Wiśniewska", "street": "ul. Lipowa 3",
          "postal_code": "20-020", "town": "Lublin"}
INSTITUTION = {"kind": "institution", "institution": "Kuratorium Oświaty w Lublinie", "town": "Lublin",
               "postal_code": "20-950", "esp_address": "/kuratorium-lublin/SkrytkaESP",
               "ade": "AE:PL-12345-67890-ABCDE-12"}


def _add(api, body: dict, user: str = CLERK):
    return api.call("POST", f"/units/{UNIT}/contractors", user=user, json_body=body)


def test_the_book_holds_the_units_contractors_and_the_city_units(api):
    person = _add(api, PERSON)
    assert person.status == 201, person.body
    assert person.body["name_display"] == "Wiśniewska Joanna" and person.body["channels"] == ["post"]
    office = _add(api, INSTITUTION).body
    assert office["channels"] == ["edoreczenia", "epuap", "post"] and office["owner"] == UNIT

    book = api.call("GET", f"/units/{UNIT}/contractors", user=ARCHIVIST).body  # everyone reads
    ids = [c["contractor_id"] for c in book["items"]]
    assert person.body["contractor_id"] in ids and office["contractor_id"] in ids
    city = {c["contractor_id"]: c for c in book["items"] if c["owner"] == "CITY"}
    assert "unit-SP1" in city and f"unit-{UNIT}" not in city  # the others, not itself
    assert city["unit-SP1"]["ade"].startswith("AE:PL-") and city["unit-SP1"]["channels"] == ["edoreczenia", "epuap"]
    assert book["count"] == len(book["items"])

    found = api.call("GET", f"/units/{UNIT}/contractors?q=WISNIEWSKA", user=CLERK).body["items"]
    assert [c["contractor_id"] for c in found] == [person.body["contractor_id"]]
    by_address = api.call("GET", f"/units/{UNIT}/contractors?q=kuratorium", user=CLERK).body["items"]
    assert [c["contractor_id"] for c in by_address] == [office["contractor_id"]]
    assert api.call("GET", f"/units/{UNIT}/contractors/unit-SP1", user=CLERK).body["institution"].startswith("Szkoła")


@pytest.mark.parametrize("body", [
    {**PERSON, "surname": ""},                                   # no name
    {"kind": "institution", "institution": "Nikt nigdzie"},      # no address at all
    {**INSTITUTION, "ade": "AE:PL-123"},                         # an e-delivery address of the wrong form
    {**INSTITUTION, "esp_address": "skrytka"},                   # not an ePUAP box
    {**PERSON, "postal_code": "20020"},
    {**PERSON, "email": "nie-adres"},
])
def test_bad_entries_are_refused_and_nothing_is_written(api, body):
    before = api.call("GET", f"/units/{UNIT}/contractors", user=CLERK).body["count"]
    answer = _add(api, body)
    assert answer.status == 400 and answer.body["error_code"] == "VALIDATION_FAILED", answer.body
    assert api.call("GET", f"/units/{UNIT}/contractors", user=CLERK).body["count"] == before


def test_changes_and_removal_at_the_version_read_and_who_may(api):
    added = _add(api, {**PERSON, "surname": "Zawadzka"}).body
    path = f"/units/{UNIT}/contractors/{added['contractor_id']}"
    changed = api.call("PUT", path, user="p13.kadry", json_body={
        "details": {**PERSON, "surname": "Zawadzka", "ade": "AE:PL-54321-09876-EDCBA-21"}, "expected_version": 1})
    assert changed.status == 200 and changed.body["version"] == 2 and changed.body["channels"] == ["edoreczenia", "post"]
    stale = api.call("PUT", path, user=CLERK, json_body={"details": PERSON, "expected_version": 1})
    assert stale.status == 409 and stale.body["error_code"] == "CONTRACTOR_CHANGED"
    city = api.call("PUT", f"/units/{UNIT}/contractors/unit-SP1", user=CLERK,
                    json_body={"details": INSTITUTION, "expected_version": 1})
    assert city.status == 409 and city.body["error_code"] == "CONTRACTOR_READ_ONLY"
    assert _add(api, PERSON, user=ARCHIVIST).status == 403
    assert api.call("GET", path, user="p14.sekretariat").status == 403  # another unit
    assert api.call("GET", f"/units/P14/contractors/{added['contractor_id']}", user="p14.sekretariat").status == 404
    assert api.call("DELETE", f"{path}?expected_version=1", user=CLERK).status == 409
    assert api.call("DELETE", f"{path}?expected_version=2", user=CLERK).status == 204
    assert api.call("GET", path, user=CLERK).status == 404
