"""Who may call what: a school never sees another school's register.

Every route of the portal API that takes a {unit} is found in the Chalice app itself, so a
route added later is covered without touching this file. Units used here and nowhere
else: SP46 (unit A) and SP47 (unit B).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from ezd.samples.letters import make_letter, sample_pdf
from ezd import clock

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
A, B = "SP46", "SP47"
# No user: ePUAP's SOAP push (checked separately below) and e-Doręczenia's onMessage
# callback, which proves itself by its key (tests/e2e/test_edoreczenia_intake.py).
MACHINE_ROUTES = {"/epuap/push/{unit}", "/edoreczenia/{unit}/on-message/{key}"}
KNOWN_UNIT_ROUTES = {
    ("GET", "/units/{unit}/registry"),
    ("GET", "/units/{unit}/documents/{document_id}"),
    ("GET", "/units/{unit}/reports/intake"),
    ("POST", "/units/{unit}/paper-letters"),
    ("GET", "/units/{unit}/intakes/{intake_id}"),
    ("GET", "/units/{unit}/notifications"),
    ("GET", "/units/{unit}/quarantine"),
}


def _api_app():
    from ezd.local.lambda_runtime import _load_module  # the module the local stack serves

    return _load_module(ROOT / "functions" / "api", "app").app


def unit_routes() -> list[tuple[str, str]]:
    routes = []
    for path, methods in _api_app().routes.items():
        if "{unit}" in path and path not in MACHINE_ROUTES:
            routes.extend((method, path) for method in methods)
    return sorted(routes)


UNIT_ROUTES = unit_routes()


def test_route_enumeration_finds_the_unit_routes():
    assert KNOWN_UNIT_ROUTES <= set(UNIT_ROUTES)
    assert MACHINE_ROUTES <= set(_api_app().routes)


def paper_body(title: str, upload_id: str = "0" * 32) -> dict:
    return {
        "upload_id": upload_id,
        "channel": "post",
        "received_at": clock.now_utc().isoformat(),
        "metadata": {
            "title": title,
            "sender": {"kind": "person", "first_names": "Jan", "surname": "Kowalski", "town": "Lublin", "country": "PL"},
        },
    }


@pytest.fixture(scope="module")
def letters(api, paper_desk) -> dict[str, dict]:
    """One registered letter in each unit: {unit: outcome}."""
    out = {}
    for unit in (A, B):
        upload_id = paper_desk.upload(unit, sample_pdf(700, seed=time.time_ns()))
        response = api.call("POST", f"/units/{unit}/paper-letters?wait=20", user=f"{unit.lower()}.sekretariat",
                            json_body=paper_body(f"Pismo do {unit}", upload_id))
        assert response.status == 201 and response.body["status"] == "registered", response.body
        out[unit] = response.body
    return out


def _url(method: str, path: str, unit: str, letters: dict[str, dict]) -> str:
    own = letters.get(unit) or {}
    values = {"unit": unit, "document_id": own.get("document_id", "x"), "intake_id": own.get("intake_id", "x")}
    url = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), path)
    if path.endswith("/paper-letters"):
        url += "?wait=0"
    return url


KNOWN_PARAMS = {"unit", "document_id", "intake_id"}


def _content_type(method: str, path: str) -> str:
    types = _api_app().routes[path][method].content_types or ["application/json"]
    return "application/json" if "application/json" in types else types[0]


def _call(api, method: str, path: str, unit: str, letters: dict[str, dict], *, user: str | None = None,
          token: str | None = None, valid_body: bool = True):
    """Calls a route of ``unit`` with that unit's identifiers, and a body of the type it takes."""
    url = _url(method, path, unit, letters)
    if method not in ("POST", "PUT", "PATCH"):
        return api.call(method, url, user=user, token=token)
    content_type = _content_type(method, path)
    if content_type == "application/json":
        body = paper_body("Pismo cudzej szkoły") if valid_body and path.endswith("/paper-letters") else {}
        raw = json.dumps(body).encode()
    else:
        raw = b""
    return api.call(method, url, user=user, token=token, raw=raw, content_type=content_type)


def _titles(api, unit: str) -> list[str]:
    year = clock.today().year
    return [e["title"] for e in api.call("GET", f"/units/{unit}/registry?year={year}", user=f"{unit.lower()}.sekretariat").body["items"]]


# --------------------------------------------------------------------------- another unit


@pytest.mark.parametrize(("method", "path"), UNIT_ROUTES)
@pytest.mark.parametrize("role", ["sekretariat", "dyrektor", "archiwum"])
def test_user_of_one_unit_is_refused_on_another_units_route(api, letters, method, path, role):
    # Unit B's own identifiers, so nothing but the unit can be the reason for the refusal.
    response = _call(api, method, path, B, letters, user=f"{A.lower()}.{role}")
    assert response.status == 403, (method, path, response.status, response.body)
    assert response.body["error_code"] == "FORBIDDEN"


@pytest.mark.parametrize(("method", "path"), UNIT_ROUTES)
def test_user_of_the_unit_gets_past_the_access_check(api, letters, method, path):
    """The same calls by the unit's own people are not all refused: the 403s above mean something."""
    statuses = {}
    for role in ("sekretariat", "dyrektor", "archiwum"):
        # An empty body: checked after access, it changes nothing.
        response = _call(api, method, path, B, letters, user=f"{B.lower()}.{role}", valid_body=False)
        assert response.status < 500, (method, path, role, response.status, response.body)
        assert response.status not in (401, 405, 415), (method, path, role, response.body)
        statuses[role] = response.status
    if set(re.findall(r"\{(\w+)\}", path)) <= KNOWN_PARAMS:  # other identifiers are made up: 404 is fine
        assert any(status not in (403, 404) for status in statuses.values()), (method, path, statuses)


def test_refused_calls_changed_nothing_in_the_other_unit(api, letters):
    for method, path in UNIT_ROUTES:
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            response = _call(api, method, path, B, letters, user=f"{A.lower()}.sekretariat")
            assert response.status == 403, (method, path, response.status)
    assert _titles(api, B) == [f"Pismo do {B}"]
    assert _titles(api, A) == [f"Pismo do {A}"]


def test_document_of_another_unit_is_refused_under_the_own_unit(api, letters):
    other_document = letters[B]["document_id"]
    for role in ("sekretariat", "dyrektor", "archiwum"):
        response = api.call("GET", f"/units/{A}/documents/{other_document}", user=f"{A.lower()}.{role}")
        assert response.status == 403, (role, response.body)
        assert response.body["error_code"] == "FORBIDDEN"
        assert "url" not in json.dumps(response.body)
    own = api.call("GET", f"/units/{A}/documents/{letters[A]['document_id']}", user=f"{A.lower()}.sekretariat")
    assert own.status == 200


def test_intake_of_another_unit_is_refused_under_the_own_unit(api, letters):
    response = api.call("GET", f"/units/{A}/intakes/{letters[B]['intake_id']}", user=f"{A.lower()}.sekretariat")
    assert response.status == 403, response.body
    assert response.body["error_code"] == "FORBIDDEN"
    own = api.call("GET", f"/units/{A}/intakes/{letters[A]['intake_id']}", user=f"{A.lower()}.sekretariat")
    assert own.status == 200 and own.body["registry_number"] == letters[A]["registry_number"]


# --------------------------------------------------------------------------- authentication


ALL_USER_ROUTES = [*UNIT_ROUTES, ("GET", "/me")]


@pytest.mark.parametrize(("method", "path"), ALL_USER_ROUTES)
def test_no_token_is_401(api, letters, method, path):
    response = _call(api, method, path, A, letters)
    assert response.status == 401, (method, path, response.status, response.body)
    assert response.body["error_code"] == "UNAUTHENTICATED"


TOKEN_CASES = [
    "expired", "expired_long_ago", "wrong_secret", "flipped_signature", "swapped_body", "no_signature",
    "empty_signature", "garbage", "three_parts", "non_ascii_signature", "unknown_user",
]


def _bad_tokens(api) -> dict[str, str]:
    from ezd.services.auth import issue_token

    login = f"{A.lower()}.sekretariat"
    good = api.token(login)
    body, signature = good.split(".")
    other_body = issue_token(f"{B.lower()}.sekretariat", api.secret).split(".")[0]
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    tokens = {
        "expired": issue_token(login, api.secret, lifetime=-60),
        "expired_long_ago": issue_token(login, api.secret, now=clock.timestamp() - 30 * 24 * 3600),
        "wrong_secret": issue_token(login, api.secret + "x"),
        "flipped_signature": f"{body}.{flipped}",
        "swapped_body": f"{other_body}.{signature}",
        "no_signature": body,
        "empty_signature": f"{body}.",
        "garbage": "not-a-token",
        "three_parts": f"{good}.extra",
        "non_ascii_signature": f"{body}.{signature[:-1]}é",
        "unknown_user": issue_token("nikt.nieznany", api.secret),
    }
    assert set(tokens) == set(TOKEN_CASES)
    return tokens


@pytest.mark.parametrize("case", TOKEN_CASES)
def test_tampered_or_expired_token_is_401(api, letters, case):
    token = _bad_tokens(api)[case]
    for method, path in ALL_USER_ROUTES:
        response = _call(api, method, path, A, letters, token=token)
        assert response.status == 401, (case, method, path, response.status, response.body)
        assert response.body["error_code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("header", ["Basic c3A0Ni5zZWtyZXRhcmlhdDp4", "Bearer", "Bearer ", "Token abc"])
def test_other_authorization_schemes_are_401(api, header):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{api.base_url}/units/{A}/registry", headers={"Authorization": header})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 401
    assert json.loads(caught.value.read())["error_code"] == "UNAUTHENTICATED"


def test_me_tells_the_callers_unit_and_roles(api):
    me = api.call("GET", "/me", user=f"{A.lower()}.dyrektor")
    assert me.status == 200
    assert me.body["unit"] == A
    assert set(me.body["roles"]) == {"manager", "unit_admin", "case_officer"}


# --------------------------------------------------------------------------- ePUAP push


def test_push_for_another_units_box_is_refused(api, letters, epuap_sign):
    from ezd.adapters import directory_store
    from ezd.adapters.epuap_soap import build_push_request, parse_push_response
    from ezd.models.epuap import PulledDocument

    title = f"Pismo do skrytki innej szkoły {time.time_ns()}"
    box = directory_store.get_unit(B)
    body = epuap_sign(build_push_request(PulledDocument(
        sender_id="jan.kowalski", sender_type="F", sender_first_name="Jan", sender_name="Kowalski",
        delivered_at=clock.now_utc(), box_name=box.box_name, box_address=box.esp_address,
        filename="pismo.xml", content_type="text/xml", content=make_letter(title=title),
    )))
    response = api.call("POST", f"/epuap/push/{A}", raw=body, content_type="text/xml; charset=utf-8")
    assert response.status == 404, response.raw
    assert response.headers["Content-Type"].startswith("text/xml")
    answer = parse_push_response(response.raw)
    assert answer.status.kod == 404
    assert "UNKNOWN_RECIPIENT" in (answer.status.komunikat or "")
    assert answer.document_id is None

    time.sleep(0.5)  # nothing may have started: neither register gets the letter
    assert title not in _titles(api, A)
    assert title not in _titles(api, B)


def test_push_to_an_unknown_unit_is_refused(api):
    from ezd.adapters import directory_store
    from ezd.adapters.epuap_soap import build_push_request, parse_push_response
    from ezd.models.epuap import PulledDocument

    box = directory_store.get_unit(A)
    body = build_push_request(PulledDocument(
        sender_id="jan.kowalski", sender_type="F", delivered_at=clock.now_utc(), box_name=box.box_name,
        box_address=box.esp_address, filename="pismo.xml", content=make_letter(title=f"Nikt {time.time_ns()}"),
    ))
    response = api.call("POST", "/epuap/push/NIEISTNIEJE", raw=body, content_type="text/xml")
    assert response.status == 404
    assert parse_push_response(response.raw).status.kod == 404


def test_malformed_push_to_an_unknown_unit_stores_nothing(api, stack):
    import boto3

    from ezd.adapters.epuap_soap import parse_push_response
    from ezd.config import settings

    response = api.call("POST", "/epuap/push/NIEISTNIEJE", raw=f"<oops {time.time_ns()}".encode(), content_type="text/xml")
    assert response.status == 404, response.raw
    assert parse_push_response(response.raw).status.kod == 404
    s3 = boto3.client("s3", endpoint_url=stack.info.moto_url, region_name=settings().region)
    listed = s3.list_objects_v2(Bucket=settings().quarantine_bucket, Prefix="NIEISTNIEJE/")
    assert listed.get("KeyCount", 0) == 0
