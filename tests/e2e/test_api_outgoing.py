"""An outgoing document in a case, through the API: drafted from an upload, addressed
from the address book and from the case's letter, along the unit's approval path (a
return with a remark, a new version, two steps), every step in the case's metryka, and
nobody outside the draft's people seeing it. P18 is this file's unit and no other test's."""

from __future__ import annotations

import hashlib
import urllib.request

import pytest

from ezd.samples.letters import sample_pdf
from ezd.adapters import routing_store
from testkit import post_form, wait_for

pytestmark = pytest.mark.stack

UNIT = "P18"
CLERK, DIRECTOR, OFFICER, ADMIN = (f"p18.{s}" for s in ("sekretariat", "dyrektor", "kadry", "admin"))
DEPUTY = "p18.wicedyrektor"


def _upload(api, user: str, content: bytes, filename: str = "odpowiedz.pdf") -> str:
    ticket = api.call("POST", f"/units/{UNIT}/uploads", user=user,
                      json_body={"filename": filename, "size": len(content), "purpose": "draft"})
    assert ticket.status == 201, ticket.body
    assert post_form(ticket.body["url"], ticket.body["fields"], content, filename) in (200, 201, 204)
    return ticket.body["upload_id"]


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.read()


@pytest.fixture(scope="module")
def case_ref(api) -> str:
    opened = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR, json_body={
        "jrwa_symbol": "051", "title": "Wniosek o udostępnienie informacji publicznej", "cell": "KAD",
        "officer": OFFICER})
    assert opened.status == 201, opened.body
    return opened.body["ref"]


def test_a_draft_goes_along_the_approval_path_and_every_step_is_in_the_metryka(api, case_ref):
    first = sample_pdf(4000, seed=181)
    created = api.call("POST", f"/units/{UNIT}/cases/{case_ref}/outgoing", user=OFFICER, json_body={
        "title": "Odpowiedź na wniosek", "upload_id": _upload(api, OFFICER, first), "note": "pierwsza wersja"})
    assert created.status == 201, created.body
    doc = created.body["document"]
    oid = doc["outgoing_id"]
    assert (doc["status"], doc["responsible"], doc["case_ref"]) == ("draft", OFFICER, case_ref)
    assert doc["versions"][0]["sha256"] == hashlib.sha256(first).hexdigest()
    assert _download(created.body["links"][0]["url"]) == first
    assert created.body["may_edit"] and not created.body["may_decide"]

    # Not before it has addressees.
    refused = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/submit", user=OFFICER)
    assert refused.status == 400 and refused.body["error_code"] == "VALIDATION_FAILED", refused.body
    contractor = api.call("POST", f"/units/{UNIT}/contractors", user=OFFICER, json_body={
        "kind": "person", "first_names": "Anna", "surname": "Zielińska", "street": "ul. Lipowa 3",
        "postal_code": "20-020", "town": "Lublin", "ade": "AE:PL-12345-67890-ABCDE-12"}).body
    addressed = api.call("PUT", f"/units/{UNIT}/outgoing/{oid}/addressees", user=OFFICER, json_body={
        "addressees": [{"contractor_id": contractor["contractor_id"]}, {"contractor_id": "unit-WOIW"}]})
    assert addressed.status == 200, addressed.body
    names = [a["name"] for a in addressed.body["document"]["addressees"]]
    assert names == ["Zielińska Anna", "Urząd Miasta Lublin – Wydział Oświaty i Wychowania"], names
    assert addressed.body["document"]["addressees"][0]["channels"] == ["edoreczenia", "post"]

    # Without a path of its own, the unit's head approves.
    submitted = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/submit", user=OFFICER)
    assert submitted.status == 200 and submitted.body["document"]["status"] == "in_approval", submitted.body
    assert [i["document"]["outgoing_id"] for i in api.call("GET", f"/units/{UNIT}/approvals", user=DIRECTOR).body["items"]] == [oid]
    assert api.call("GET", f"/units/{UNIT}/approvals", user=OFFICER).body["items"] == []
    assert api.call("POST", f"/units/{UNIT}/outgoing/{oid}/decision", user=OFFICER,
                    json_body={"decision": "approved"}).status == 403
    again = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/versions", user=OFFICER,
                     json_body={"upload_id": _upload(api, OFFICER, sample_pdf(4000, seed=182))})
    assert again.status == 409 and again.body["error_code"] == "OUTGOING_STATE", again.body
    no_reason = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/decision", user=DIRECTOR, json_body={"decision": "returned"})
    assert no_reason.status == 400, no_reason.body
    returned = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/decision", user=DIRECTOR,
                        json_body={"decision": "returned", "remark": "Proszę dopisać podstawę prawną."})
    assert returned.status == 200 and returned.body["document"]["status"] == "draft", returned.body
    assert api.call("GET", f"/units/{UNIT}/approvals", user=DIRECTOR).body["items"] == []

    # A new version keeps the old one; the unit's own path for 05 now has two steps.
    second = sample_pdf(5000, seed=183)
    versioned = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/versions", user=OFFICER,
                         json_body={"upload_id": _upload(api, OFFICER, second), "note": "dopisana podstawa prawna"})
    assert versioned.status == 200, versioned.body
    assert [v["version"] for v in versioned.body["document"]["versions"]] == [1, 2]
    assert [_download(link["url"]) for link in versioned.body["links"]] == [first, second]
    deputy = api.call("POST", f"/units/{UNIT}/users", user=ADMIN, json_body={
        "login": DEPUTY, "full_name": "Ewa Wicedyrektorska", "position": "wicedyrektor", "cell": "DYR",
        "roles": ["case_officer"], "email": "wicedyrektor@example.org"})
    assert deputy.status == 201, deputy.body
    paths = api.call("PUT", f"/units/{UNIT}/approval-paths", user=ADMIN, json_body={"paths": [
        {"unit": UNIT, "jrwa_prefix": "05", "steps": [{"login": DEPUTY}, {"role": "manager"}]}]})
    assert paths.status == 200, paths.body
    assert api.call("PUT", f"/units/{UNIT}/approval-paths", user=OFFICER, json_body=paths.body).status == 403
    assert api.call("POST", f"/units/{UNIT}/outgoing/{oid}/submit", user=OFFICER).status == 200
    assert api.call("GET", f"/units/{UNIT}/approvals", user=DIRECTOR).body["items"] == []  # the deputy first
    assert api.call("POST", f"/units/{UNIT}/outgoing/{oid}/decision", user=DIRECTOR,
                    json_body={"decision": "approved"}).status == 403
    seen_by_deputy = api.call("GET", f"/units/{UNIT}/outgoing/{oid}", user=DEPUTY)
    assert seen_by_deputy.status == 200 and seen_by_deputy.body["may_decide"], seen_by_deputy.body
    first_step = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/decision", user=DEPUTY, json_body={"decision": "approved"})
    assert first_step.status == 200 and first_step.body["document"]["status"] == "in_approval", first_step.body
    approved = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/decision", user=DIRECTOR,
                        json_body={"decision": "approved", "remark": "Bez uwag."})
    assert approved.status == 200, approved.body
    document = approved.body["document"]
    assert document["status"] == "approved"
    rounds = document["rounds"]
    assert [(r["round"], r["version"], r["path_rule"]) for r in rounds] == [(1, 1, None), (2, 2, "05")]
    assert [(s["decision"], s["decided_by"]) for s in rounds[0]["steps"]] == [("returned", DIRECTOR)]
    assert [(s["decision"], s["decided_by"], s["version"]) for s in rounds[1]["steps"]] == [
        ("approved", DEPUTY, 2), ("approved", DIRECTOR, 2)]

    # Sealed with the unit's seal: the approved version's bytes and a detached .xades beside them.
    assert api.call("POST", f"/units/{UNIT}/outgoing/{oid}/seal", user=CLERK).status == 403
    sealed = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/seal", user=OFFICER)
    assert sealed.status == 200, sealed.body
    signed = sealed.body["document"]
    assert signed["status"] == "signed" and signed["signing"]["method"] == "unit_seal"
    assert (signed["signing"]["report"]["signature"], signed["signing"]["report"]["certificate"]) == ("valid", "trusted")
    assert f"OU={UNIT}" in signed["signing"]["seal_subject"]
    links = {link["name"]: link["url"] for link in sealed.body["signed_links"]}
    assert set(links) == {"odpowiedz.pdf", "odpowiedz.pdf.xades"}
    assert _download(links["odpowiedz.pdf"]) == second
    xades = _download(links["odpowiedz.pdf.xades"])
    assert b"SignedProperties" in xades and b"odpowiedz.pdf" in xades
    again_sealed = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/seal", user=OFFICER)
    assert again_sealed.status == 409 and again_sealed.body["error_code"] == "OUTGOING_STATE", again_sealed.body

    metryka = api.call("GET", f"/units/{UNIT}/cases/{case_ref}/metryka", user=DIRECTOR)
    assert metryka.status == 200, metryka.body
    lines = [(e["action"], e["actor"]["login"]) for e in metryka.body["entries"]
             if (e.get("details") or {}).get("outgoing_id") == oid]
    assert lines == [("draft_created", OFFICER), ("addressees_set", OFFICER), ("submitted_for_approval", OFFICER),
                     ("approval_returned", DIRECTOR), ("draft_version_added", OFFICER),
                     ("submitted_for_approval", OFFICER), ("approved", DEPUTY), ("approved", DIRECTOR),
                     ("signed", OFFICER)]
    returned_line = next(e for e in metryka.body["entries"] if e["action"] == "approval_returned")
    assert "Proszę dopisać podstawę prawną." in returned_line["summary"]


def test_only_the_drafts_people_see_it(api, case_ref):
    created = api.call("POST", f"/units/{UNIT}/cases/{case_ref}/outgoing", user=OFFICER, json_body={
        "title": "Zawiadomienie o przedłużeniu terminu", "upload_id": _upload(api, OFFICER, sample_pdf(3000, seed=184))})
    assert created.status == 201, created.body
    oid = created.body["document"]["outgoing_id"]
    assert api.call("GET", f"/units/{UNIT}/outgoing/{oid}", user=DIRECTOR).status == 200
    for stranger in (CLERK, "p18.archiwum"):
        assert api.call("GET", f"/units/{UNIT}/outgoing/{oid}", user=stranger).status == 403
        listed = api.call("GET", f"/units/{UNIT}/cases/{case_ref}/outgoing", user=stranger).body["items"]
        assert oid not in [i["document"]["outgoing_id"] for i in listed]
    assert api.call("GET", f"/units/{UNIT}/outgoing/{oid}", user="p19.dyrektor").status == 403
    assert api.call("GET", f"/units/P19/outgoing/{oid}", user="p19.dyrektor").status == 404
    # A clerk's upload is for the register; a draft's upload is the uploader's own.
    clerk_ticket = api.call("POST", f"/units/{UNIT}/uploads", user=CLERK,
                            json_body={"filename": "x.pdf", "size": 10, "purpose": "draft"})
    assert clerk_ticket.status == 403, clerk_ticket.body
    director_upload = _upload(api, DIRECTOR, sample_pdf(3000, seed=185))
    foreign = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/versions", user=OFFICER,
                       json_body={"upload_id": director_upload})
    assert foreign.status == 404, foreign.body
    as_paper = api.call("POST", f"/units/{UNIT}/paper-letters", user=CLERK, json_body={
        "upload_id": director_upload, "channel": "post", "received_at": "2026-01-05T10:00:00+00:00",
        "metadata": {"title": "x", "sender": {"kind": "person", "surname": "X", "town": "Lublin", "country": "PL"}}})
    assert as_paper.status == 404, as_paper.body


def test_the_answer_goes_back_to_whoever_wrote_the_letter(api, deliverer, unique_letter):
    # The city's rules class a complaint 050 and the unit's model decrees it to the director.
    letter = deliverer.deliver(UNIT, unique_letter(title="Skarga na hałas podczas przerw na boisku")).document_id
    other = deliverer.deliver(UNIT, unique_letter(title="Pismo z innej sprawy")).document_id
    wait_for(lambda: (s := routing_store.get_routing(letter)) and s.status == "awaiting_acceptance",
             what="the decretation of the complaint")
    opened = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR, json_body={
        "jrwa_symbol": "050", "title": "Skarga na hałas", "document_id": letter})
    assert opened.status == 201, opened.body
    ref = opened.body["ref"]
    created = api.call("POST", f"/units/{UNIT}/cases/{ref}/outgoing", user=DIRECTOR, json_body={
        "title": "Odpowiedź", "upload_id": _upload(api, DIRECTOR, sample_pdf(3000, seed=186))})
    assert created.status == 201, created.body
    oid = created.body["document"]["outgoing_id"]
    sender = api.call("GET", f"/units/{UNIT}/documents/{letter}", user=DIRECTOR).body["entry"]["sender"]
    addressed = api.call("PUT", f"/units/{UNIT}/outgoing/{oid}/addressees", user=DIRECTOR,
                         json_body={"addressees": [{"document_id": letter}]})
    assert addressed.status == 200, addressed.body
    (addressee,) = addressed.body["document"]["addressees"]
    assert (addressee["name"], addressee["town"], addressee["from_document"]) == (sender["name"], sender["town"], letter)
    assert addressee["channels"] and addressee["channels"][-1] == "post"
    outside = api.call("PUT", f"/units/{UNIT}/outgoing/{oid}/addressees", user=DIRECTOR,
                       json_body={"addressees": [{"document_id": other}]})
    assert outside.status == 400 and outside.body["error_code"] == "VALIDATION_FAILED", outside.body
    both = api.call("PUT", f"/units/{UNIT}/outgoing/{oid}/addressees", user=DIRECTOR,
                    json_body={"addressees": [{"document_id": letter, "contractor_id": "unit-WOIW"}]})
    assert both.status == 400, both.body


def test_a_signature_made_outside_is_verified_before_it_is_taken(api):
    """Signed outside (here: a detached XAdES by another unit's seal, as a qualified
    signature would come): over the approved bytes it is taken; over other bytes refused."""
    from ezd.services.dispatch.sealing import seal_outgoing

    opened = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR, json_body={  # a class without a path of its own
        "jrwa_symbol": "110", "title": "Zaświadczenie o zatrudnieniu", "cell": "KAD", "officer": OFFICER})
    assert opened.status == 201, opened.body
    case_ref = opened.body["ref"]
    content = sample_pdf(3500, seed=187)
    created = api.call("POST", f"/units/{UNIT}/cases/{case_ref}/outgoing", user=OFFICER, json_body={
        "title": "Pismo podpisane kwalifikowanym podpisem", "upload_id": _upload(api, OFFICER, content, "pismo.pdf")})
    oid = created.body["document"]["outgoing_id"]
    api.call("PUT", f"/units/{UNIT}/outgoing/{oid}/addressees", user=OFFICER,
             json_body={"addressees": [{"contractor_id": "unit-WOIW"}]})
    early = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/signature", user=OFFICER,
                     json_body={"upload_id": _upload(api, OFFICER, content, "pismo.pdf")})
    assert early.status == 409 and early.body["error_code"] == "OUTGOING_STATE", early.body
    assert api.call("POST", f"/units/{UNIT}/outgoing/{oid}/submit", user=OFFICER).status == 200
    assert api.call("POST", f"/units/{UNIT}/outgoing/{oid}/decision", user=DIRECTOR,
                    json_body={"decision": "approved"}).status == 200

    other = seal_outgoing("P19", "pismo.pdf", "application/pdf", sample_pdf(3500, seed=188)).file("pismo.pdf.xades")
    wrong = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/signature", user=OFFICER, json_body={
        "upload_id": _upload(api, OFFICER, content, "pismo.pdf"),
        "signature_upload_id": _upload(api, OFFICER, other.content, "pismo.pdf.xades")})
    assert wrong.status == 400 and wrong.body["error_code"] == "SIGNATURE_NOT_VALID", wrong.body
    unsigned = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/signature", user=OFFICER,
                        json_body={"upload_id": _upload(api, OFFICER, content, "pismo.pdf")})
    assert unsigned.status == 400 and unsigned.body["error_code"] == "VALIDATION_FAILED", unsigned.body
    assert api.call("GET", f"/units/{UNIT}/outgoing/{oid}", user=OFFICER).body["document"]["status"] == "approved"

    good = seal_outgoing("P19", "pismo.pdf", "application/pdf", content).file("pismo.pdf.xades")
    taken = api.call("POST", f"/units/{UNIT}/outgoing/{oid}/signature", user=OFFICER, json_body={
        "upload_id": _upload(api, OFFICER, content, "pismo.pdf"),
        "signature_upload_id": _upload(api, OFFICER, good.content, "pismo.pdf.xades")})
    assert taken.status == 200, taken.body
    signing = taken.body["document"]["signing"]
    assert (taken.body["document"]["status"], signing["method"], signing["report"]["signature"]) == (
        "signed", "external", "valid")
    assert [f["name"] for f in signing["files"]] == ["pismo.pdf", "pismo.pdf.xades"]


def test_a_draft_from_the_units_template_is_filled_from_the_case_and_the_addressee(api, case_ref):
    import io

    from pypdf import PdfReader

    person = api.call("POST", f"/units/{UNIT}/contractors", user=OFFICER, json_body={
        "kind": "person", "first_names": "Zofia", "surname": "Łęcka", "street": "ul. Źródlana 7",
        "postal_code": "20-400", "town": "Lublin"}).body["contractor_id"]
    created = api.call("POST", f"/units/{UNIT}/cases/{case_ref}/outgoing", user=OFFICER, json_body={
        "title": "Odpowiedź na wniosek", "template_id": "std-odpowiedz-na-wniosek",
        "addressees": [{"contractor_id": person}]})
    assert created.status == 201, created.body
    document = created.body["document"]
    (version,) = document["versions"]
    assert (version["source"], version["template_id"], version["mime"]) == (
        "template", "std-odpowiedz-na-wniosek", "application/pdf")
    assert version["template_version"] >= 1
    assert [a["name"] for a in document["addressees"]] == ["Łęcka Zofia"]
    pdf = PdfReader(io.BytesIO(_download(created.body["links"][0]["url"])))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    for words in ("Zofia Łęcka", "ul. Źródlana 7", case_ref):
        assert words in text, (words, text[:400])

    for body in ({"title": "x"}, {"title": "x", "template_id": "std-odpowiedz-na-wniosek",
                                  "upload_id": _upload(api, OFFICER, sample_pdf(2000, seed=189))}):
        refused = api.call("POST", f"/units/{UNIT}/cases/{case_ref}/outgoing", user=OFFICER, json_body=body)
        assert refused.status == 400 and refused.body["error_code"] == "VALIDATION_FAILED", refused.body
    unknown = api.call("POST", f"/units/{UNIT}/cases/{case_ref}/outgoing", user=OFFICER,
                       json_body={"title": "x", "template_id": "nie-ma-takiego"})
    assert unknown.status == 404, unknown.body


def test_attachments_go_with_the_document_sealed_beside_it_and_are_sent_with_it(api, stack):
    ade = "AE:PL-18018-18018-ZALAC-18"
    stack.edoreczenia.register_address(ade, "Biuro Załączników", public=False, external=True, policy="collect")
    opened = api.call("POST", f"/units/{UNIT}/cases", user=DIRECTOR, json_body={
        "jrwa_symbol": "110", "title": "Zaświadczenie z załącznikami", "cell": "KAD", "officer": OFFICER}).body
    firm = api.call("POST", f"/units/{UNIT}/contractors", user=OFFICER, json_body={
        "kind": "institution", "institution": "Biuro Załączników", "ade": ade}).body["contractor_id"]
    created = api.call("POST", f"/units/{UNIT}/cases/{opened['ref']}/outgoing", user=OFFICER, json_body={
        "title": "Zaświadczenie", "upload_id": _upload(api, OFFICER, sample_pdf(2500, seed=190), "pismo.pdf"),
        "addressees": [{"contractor_id": firm}]}).body
    path = f"/units/{UNIT}/outgoing/{created['document']['outgoing_id']}"
    annex = sample_pdf(2200, seed=191)
    added = api.call("POST", f"{path}/attachments", user=OFFICER,
                     json_body={"upload_id": _upload(api, OFFICER, annex, "zalacznik-1.pdf")})
    assert added.status == 200, added.body
    (attachment,) = added.body["document"]["attachments"]
    assert (attachment["name"], attachment["sha256"]) == ("zalacznik-1.pdf", hashlib.sha256(annex).hexdigest())
    assert _download(added.body["attachment_links"][0]["url"]) == annex
    twice = api.call("POST", f"{path}/attachments", user=OFFICER,
                     json_body={"upload_id": _upload(api, OFFICER, annex, "zalacznik-1.pdf")})
    assert twice.status == 400 and twice.body["error_code"] == "VALIDATION_FAILED", twice.body
    assert api.call("POST", f"{path}/attachments", user=CLERK,
                    json_body={"upload_id": "0" * 32}).status == 403
    extra = api.call("POST", f"{path}/attachments", user=OFFICER,
                     json_body={"upload_id": _upload(api, OFFICER, sample_pdf(2100, seed=192), "zbedny.pdf")}).body
    extra_sha = next(a["sha256"] for a in extra["document"]["attachments"] if a["name"] == "zbedny.pdf")
    removed = api.call("DELETE", f"{path}/attachments/{extra_sha}", user=OFFICER)
    assert [a["name"] for a in removed.body["document"]["attachments"]] == ["zalacznik-1.pdf"], removed.body
    assert api.call("DELETE", f"{path}/attachments/{extra_sha}", user=OFFICER).status == 404

    assert api.call("POST", f"{path}/submit", user=OFFICER).status == 200
    late = api.call("POST", f"{path}/attachments", user=OFFICER,
                    json_body={"upload_id": _upload(api, OFFICER, sample_pdf(2000, seed=193), "pozny.pdf")})
    assert late.status == 409 and late.body["error_code"] == "OUTGOING_STATE", late.body
    assert api.call("POST", f"{path}/decision", user=DIRECTOR, json_body={"decision": "approved"}).status == 200
    sealed = api.call("POST", f"{path}/seal", user=OFFICER).body
    assert [f["name"] for f in sealed["document"]["signing"]["files"]] == [
        "pismo.pdf", "pismo.pdf.xades", "zalacznik-1.pdf", "zalacznik-1.pdf.xades"]

    dispatched = api.call("POST", f"{path}/dispatch", user=OFFICER, json_body={})
    assert dispatched.status == 200, dispatched.body
    sender = directory_ade(UNIT)
    wait_for(lambda: [m for m in stack.edoreczenia.store.messages.values()
                      if m.owner == sender and m.recipient == ade and m.label == "SENT"], what="the message sent")
    (message,) = [m for m in stack.edoreczenia.store.messages.values()
                  if m.owner == sender and m.recipient == ade and m.label == "SENT"]
    assert sorted(f.filename for f in message.attachments) == [
        "pismo.pdf", "pismo.pdf.xades", "zalacznik-1.pdf", "zalacznik-1.pdf.xades"]
    assert next(f.data for f in message.attachments if f.filename == "zalacznik-1.pdf") == annex


def directory_ade(unit: str) -> str:
    from ezd.adapters import directory_store

    return directory_store.get_unit(unit).ade
