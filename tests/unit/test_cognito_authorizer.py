"""The emulated Cognito authorizer (ezd/local/cognito_authorizer.py) refuses every token
API Gateway's would: checked with a pool key made here, served as a JWKS."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ezd.local import cognito_authorizer
from ezd.local.cognito_authorizer import GatewayAuthorizer, IdTokenVerifier, TokenRefused, public_routes

ISSUER = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_test"
CLIENT = "portal-client"
NOW = 1_000_000


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def verifier(key, monkeypatch):
    numbers = key.public_key().public_numbers()
    jwks = {"keys": [{"kty": "RSA", "kid": "k1", "alg": "RS256", "n": _int(numbers.n), "e": _int(numbers.e)}]}
    monkeypatch.setattr(cognito_authorizer, "fetch_jwks", lambda url: jwks)
    return IdTokenVerifier(issuer=ISSUER, audiences={CLIENT}, jwks_url="unused", clock=lambda: NOW,
                           max_age_seconds=lambda client: 600)


def _token(key, header: dict | None = None, **claims) -> str:
    body = {"iss": ISSUER, "aud": CLIENT, "token_use": "id", "iat": NOW - 10, "exp": NOW + 3590,
            "cognito:username": "p6.dyrektor", "custom:unit": "P6", "cognito:groups": ["manager"], **claims}
    head = _b64(json.dumps(header or {"alg": "RS256", "kid": "k1"}).encode())
    payload = _b64(json.dumps(body).encode())
    signature = key.sign(f"{head}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{payload}.{_b64(signature)}"


def test_a_valid_id_token_gives_its_claims(key, verifier):
    claims = verifier.verify(_token(key))
    assert (claims["cognito:username"], claims["custom:unit"]) == ("p6.dyrektor", "P6")


@pytest.mark.parametrize("claims, why", [
    ({"iss": "https://cognito-idp.eu-central-1.amazonaws.com/another"}, "another pool"),
    ({"aud": "another-client"}, "another app client"),
    ({"token_use": "access"}, "not an ID token"),
    ({"exp": NOW}, "expired"),
    ({"iat": NOW - 600}, "expired (the app client's IdTokenValidity)"),
    ({"cognito:username": None}, "no cognito:username"),
])
def test_what_the_authorizer_refuses(key, verifier, claims, why):
    with pytest.raises(TokenRefused, match=why.replace("(", r"\(").replace(")", r"\)")):
        verifier.verify(_token(key, **claims))


def test_a_changed_claim_an_other_key_or_no_signature_is_refused(key, verifier):
    head, body, signature = _token(key).split(".")
    changed = _b64(json.dumps({**json.loads(base64.urlsafe_b64decode(body + "==")), "custom:unit": "SP19"}).encode())
    with pytest.raises(TokenRefused, match="bad signature"):
        verifier.verify(f"{head}.{changed}.{signature}")
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(TokenRefused, match="bad signature"):
        verifier.verify(_token(other))
    with pytest.raises(TokenRefused, match="algorithm"):
        verifier.verify(_token(key, header={"alg": "none", "kid": "k1"}))
    with pytest.raises(TokenRefused, match="no key"):
        verifier.verify(_token(key, header={"alg": "RS256", "kid": "k2"}))
    for garbage in ("", "abc", "a.b.c", "ą.ę.ś"):
        with pytest.raises(TokenRefused):
            verifier.verify(garbage)


def test_the_gateway_passes_open_routes_and_hands_claims_to_the_function(key, verifier):
    from chalice.local import NotAuthorizedError

    gateway = GatewayAuthorizer(verifier, [("GET", "/health"), ("POST", "/epuap/push/{unit}")])

    def event(method: str, path: str, header: str | None = None) -> dict:
        return {"requestContext": {"httpMethod": method, "path": path},
                "headers": {"authorization": header} if header is not None else {}}

    assert "authorizer" not in gateway.authorize("/health", event("GET", "/health"), None)[0]["requestContext"]
    assert gateway.authorize("/x", event("POST", "/epuap/push/SP1"), None)[0]["requestContext"] == {
        "httpMethod": "POST", "path": "/epuap/push/SP1"}
    with pytest.raises(NotAuthorizedError):
        gateway.authorize("/me", event("GET", "/me"), None)
    with pytest.raises(NotAuthorizedError):
        gateway.authorize("/health", event("POST", "/health"), None)  # open for GET only
    passed, _ = gateway.authorize("/me", event("GET", "/me", f"Bearer {_token(key)}"), None)
    claims = passed["requestContext"]["authorizer"]["claims"]
    assert claims["cognito:username"] == "p6.dyrektor" and claims["cognito:groups"] == "manager"
    assert all(isinstance(v, str) for v in claims.values())  # as a REST API hands them over


def test_the_open_routes_are_the_templates():
    from pathlib import Path

    from ezd.local.template import Template

    template = Template(Path(__file__).resolve().parents[2] / "infra" / "template.yaml", "ezd-test")
    assert sorted(public_routes(template)) == [("GET", "/auth/config"), ("GET", "/health"),
                                               ("POST", "/edoreczenia/{unit}/on-message/{key}"),
                                               ("POST", "/epuap/push/{unit}")]
