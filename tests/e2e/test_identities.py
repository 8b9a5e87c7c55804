"""Real identities: a key per installation, passwords, short-lived tokens, and no way in
outside the local stage but through Cognito."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ezd import clock

pytestmark = pytest.mark.stack

OLD_DEFAULT_KEY = "change-me-local-only"  # the fixed key every installation used to share


def _ezd(stack, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "EZD_STACK_FILE": str(Path(stack.info.state_dir) / "stack.json")}
    return subprocess.run([sys.executable, "-m", "ezd.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_a_demo_user_logs_in_with_the_demo_password_and_gets_a_short_lived_token(api):
    from ezd.local.demo_data import DEMO_PASSWORD

    answer = api.call("POST", "/auth/login", json_body={"login": "sp19.sekretariat", "password": DEMO_PASSWORD})
    assert answer.status == 200, answer.body
    assert answer.body["token_type"] == "Bearer" and answer.body["expires_in"] <= 3600
    assert answer.body["user"]["unit"] == "SP19" and answer.body["user"]["roles"] == ["registry_clerk"]
    me = api.call("GET", "/me", token=answer.body["token"])
    assert me.status == 200 and me.body["login"] == "sp19.sekretariat"


def test_wrong_password_and_unknown_login_get_the_same_answer(api):
    wrong = api.call("POST", "/auth/login", json_body={"login": "sp19.kadry", "password": "not the password"})
    nobody = api.call("POST", "/auth/login", json_body={"login": "nikt.nieznany", "password": "whatever123"})
    assert wrong.status == nobody.status == 401
    assert wrong.body == nobody.body == {"error_code": "UNAUTHENTICATED", "message": "wrong login or password"}
    assert api.call("POST", "/auth/login", json_body={"login": "sp19.kadry"}).status == 400


def test_five_failed_logins_lock_the_account_for_a_while(api):
    from ezd.local.demo_data import DEMO_PASSWORD

    for _ in range(5):
        assert api.call("POST", "/auth/login", json_body={"login": "sp49.archiwum", "password": "zgadywanie1"}).status == 401
    locked = api.call("POST", "/auth/login", json_body={"login": "sp49.archiwum", "password": DEMO_PASSWORD})
    assert locked.status == 429 and locked.body["error_code"] == "ACCOUNT_LOCKED"


@pytest.mark.parametrize("key", [OLD_DEFAULT_KEY, "another-installations-key", ""])
def test_a_token_signed_with_any_other_key_is_refused(api, key):
    from ezd.services.auth import issue_token

    # The forged token of the issue: the director of SP19, valid until 2100.
    forged = issue_token("sp19.dyrektor", key, lifetime=int(4_102_444_800 - clock.timestamp()))
    response = api.call("GET", "/units/SP19/inbox", token=forged)
    assert response.status == 401 and response.body["error_code"] == "UNAUTHENTICATED"
    assert api.call("GET", "/units/SP19/inbox", user="sp19.dyrektor").status == 200  # the real key works


def test_the_installation_key_is_random_private_and_not_in_stack_json(stack):
    key_file = Path(stack.info.token_key_file)
    key = key_file.read_text(encoding="ascii").strip()
    assert len(key) == 64 and key != OLD_DEFAULT_KEY
    stack_json = (Path(stack.info.state_dir) / "stack.json").read_text(encoding="utf-8")
    assert key not in stack_json
    for path in (Path(stack.info.state_dir) / "keys").rglob("*"):  # the units' seals are in a folder of their own
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def test_ezd_token_prints_a_working_token_and_refuses_unknown_users(api, stack):
    printed = _ezd(stack, "token", "--user", "sp19.kadry")
    assert printed.returncode == 0, printed.stderr
    assert api.call("GET", "/me", token=printed.stdout.strip()).body["login"] == "sp19.kadry"
    refused = _ezd(stack, "token", "--user", "nikt.nieznany")
    assert refused.returncode != 0 and refused.stdout == "" and "nikt.nieznany" in refused.stderr


# --------------------------------------------------------------------------- deployed stages


def _gateway_event(path: str, method: str = "GET", headers: dict | None = None, claims: dict | None = None,
                   body: str | None = None) -> dict:
    """What API Gateway hands the function, with the Cognito authorizer's claims."""
    context: dict = {"resourcePath": path, "httpMethod": method, "path": path, "stage": "api"}
    if claims is not None:
        context["authorizer"] = {"claims": claims}
    return {"resource": path, "path": path, "httpMethod": method, "headers": headers or {},
            "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
            "pathParameters": None, "stageVariables": None, "requestContext": context, "body": body,
            "isBase64Encoded": False}


@pytest.fixture
def deployed_stage(stack, monkeypatch):
    """The API's code as a deployed stage runs it (stage prod: no local token key)."""
    from ezd.api import auth_routes, common
    from ezd.config import settings

    prod = settings().model_copy(update={"stage": "prod", "local_token_secret_arn": None})
    monkeypatch.setattr(common, "settings", lambda: prod)
    monkeypatch.setattr(auth_routes, "settings", lambda: prod)
    return stack.runtime.handler(stack.provisioned.name("ApiFunction"))


def _call_app(app, event: dict) -> tuple[int, dict]:
    from ezd.local.lambda_runtime import LambdaContext

    class _Spec:
        name, arn, memory_mb, timeout_s = "api", "arn:aws:lambda:eu-central-1:123456789012:function:api", 512, 29

    answer = app(event, LambdaContext(_Spec()))  # type: ignore[arg-type]
    return answer["statusCode"], json.loads(answer["body"])


def test_a_deployed_stage_refuses_local_tokens_even_signed_with_the_real_key(api, deployed_stage):
    token = api.token("sp19.dyrektor")
    status, body = _call_app(deployed_stage, _gateway_event("/me", headers={"authorization": f"Bearer {token}"}))
    assert (status, body["error_code"]) == (401, "UNAUTHENTICATED")
    status, body = _call_app(deployed_stage, _gateway_event(
        "/auth/login", "POST", headers={"content-type": "application/json"},
        body=json.dumps({"login": "sp19.dyrektor", "password": "ezd-demo-2026"})))
    assert status == 404  # no local password store behind a deployed API


def test_a_deployed_stage_takes_the_caller_from_the_cognito_claims(deployed_stage):
    claims = {"cognito:username": "sp19.dyrektor", "custom:unit": "SP19", "token_use": "id"}
    status, body = _call_app(deployed_stage, _gateway_event("/me", claims=claims))
    assert status == 200 and body["login"] == "sp19.dyrektor" and body["unit"] == "SP19"
    # A unit attribute that disagrees with the directory is not believed.
    status, body = _call_app(deployed_stage, _gateway_event("/me", claims={**claims, "custom:unit": "SP20"}))
    assert status == 401
