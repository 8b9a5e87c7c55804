"""The registry desk corrects who sent a letter (PATCH …/metadata with a new sender):
the register, the item and its correction then name the new sender.

Units used here and nowhere else: SP27.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.stack]

UNIT = "SP27"


def test_the_sender_of_a_registered_letter_can_be_corrected(api, paper_desk):
    registered = paper_desk.register(UNIT, title="Wniosek o przyjęcie do klasy pierwszej", clerk="sp27.sekretariat")
    assert registered.status == 201, registered.body
    doc = registered.body["document_id"]
    sender = {"kind": "person", "first_names": "Anna", "surname": "Kowalska", "town": "Świdnik", "country": "PL"}
    corrected = api.call("PATCH", f"/units/{UNIT}/documents/{doc}/metadata", user="sp27.sekretariat",
                         json_body={"changes": {"sender": sender}, "reason": "Nadawcą jest matka, nie ojciec"})
    assert corrected.status == 200, corrected.body
    assert corrected.body["entry"]["sender"]["surname"] == "Kowalska"
    assert corrected.body["entry"]["sender"]["name"] == "Kowalska Anna"
    (correction,) = corrected.body["corrections"]
    assert correction["changes"]["sender"]["old"]["surname"] == "Kowalski"
    assert correction["changes"]["sender"]["new"]["town"] == "Świdnik"
    listing = api.call("GET", f"/units/{UNIT}/registry", user="sp27.sekretariat").body["items"]
    assert [e["sender"]["surname"] for e in listing if e["document_id"] == doc] == ["Kowalska"]
    found = api.call("GET", f"/units/{UNIT}/registry?sender=kowalska", user="sp27.sekretariat").body["items"]
    assert doc in [e["document_id"] for e in found]
