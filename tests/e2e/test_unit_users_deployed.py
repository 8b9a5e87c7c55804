"""The unit administrator's users as a deployed stage runs them: the API's own handler with
the Cognito authorizer's claims (no local tokens), the user pool in the stack's moto (made
from the template's UserPool and groups), and the API function's calls checked against
the Cognito statement a deployed stage's role gets from the template.

ZS9 is this file's unit.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
UNIT, ADMIN = "ZS9", "zs9.admin"


ROUTES = ["/units/{unit}/users/{login}/deactivate", "/units/{unit}/users/{login}/reactivate",
          "/units/{unit}/users/{login}/password-reset", "/units/{unit}/users/{login}", "/units/{unit}/users",
          "/units/{unit}/user-history", "/auth/password", "/me"]


def _resource(path: str) -> tuple[str, dict | None]:
    """The route a path takes and its parameters, as API Gateway hands them over."""
    for route in ROUTES:
        pattern = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route) + "$"
        found = re.match(pattern, path)
        if found:
            return route, found.groupdict() or None
    raise AssertionError(f"no route for {path}")


def _event(path: str, method: str, login: str, body: dict | None = None) -> dict:
    claims = {"cognito:username": login, "custom:unit": UNIT, "token_use": "id"}
    resource, parameters = _resource(path)
    return {"resource": resource, "path": path, "httpMethod": method,
            "headers": {"content-type": "application/json"} if body is not None else {},
            "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
            "pathParameters": parameters, "stageVariables": None, "isBase64Encoded": False,
            "requestContext": {"resourcePath": resource, "httpMethod": method, "path": path, "stage": "api",
                               "authorizer": {"claims": claims}},
            "body": json.dumps(body) if body is not None else None}


@pytest.fixture
def deployed(stack, monkeypatch):
    """(call, cognito, pool id): the API handler of a prod stage whose user pool is in moto."""
    from ezd.adapters.aws import client
    from ezd.api import auth_routes, common
    from ezd.config import settings
    from ezd.local.iam_enforcement import acting_as
    from ezd.local.iam_policies import Statement
    from ezd.local.lambda_runtime import LambdaContext
    from ezd.local.template import Template
    from ezd.services import unit_users

    cognito = client("cognito-idp")
    local = Template(ROOT / "infra" / "template.yaml", "ezd-test")
    schema = [{k: a[k] for k in ("Name", "AttributeDataType", "Mutable", "Required", "StringAttributeConstraints")
               if k in a} for a in local.resources["UserPool"].properties["Schema"]]
    policy = {k: v for k, v in local.resources["UserPool"].properties["Policies"]["PasswordPolicy"].items()
              if k != "TemporaryPasswordValidityDays"}
    pool = cognito.create_user_pool(PoolName="ezd-deployed-users", Schema=schema,
                                    Policies={"PasswordPolicy": policy})["UserPool"]
    for group in local.of_type("AWS::Cognito::UserPoolGroup"):
        cognito.create_group(UserPoolId=pool["Id"], GroupName=group.properties["GroupName"])
    prod = settings().model_copy(update={"stage": "prod", "local_token_secret_arn": None, "user_pool_id": pool["Id"]})
    for module in (common, auth_routes, unit_users):
        monkeypatch.setattr(module, "settings", lambda: prod)
    # The deployed role's Cognito statement, on this pool: the only grant of cognito-idp.
    deployed_template = Template(ROOT / "infra" / "template.yaml", "ezd-prod", {"Stage": "prod"})
    (granted,) = [s for p in deployed_template.resolve(deployed_template.resources["ApiFunction"].properties["Policies"])
                  for s in p.get("Statement", []) if s.get("Sid") == "AdministerTheUnitsUsers"]
    function = stack.provisioned.name("ApiFunction")
    statements = stack.enforcer._statements  # noqa: SLF001 - the test widens one role for one test
    monkeypatch.setitem(statements, function, [*statements[function],
                                               Statement("Allow", tuple(granted["Action"]), (pool["Arn"],))])
    handler = stack.runtime.handler(function)

    class _Spec:
        name, arn, memory_mb, timeout_s = "api", "arn:aws:lambda:eu-central-1:123456789012:function:api", 512, 29

    def call(method: str, path: str, login: str = ADMIN, body: dict | None = None) -> tuple[int, dict]:
        denied = len(stack.enforcer.denied())
        with acting_as(function):
            answer = handler(_event(path, method, login, body), LambdaContext(_Spec()))  # type: ignore[arg-type]
        assert stack.enforcer.denied()[denied:] == [], "the deployed role lacks a permission the code uses"
        return answer["statusCode"], json.loads(answer["body"])

    yield call, cognito, pool["Id"]
    cognito.delete_user_pool(UserPoolId=pool["Id"])


def _cognito_user(cognito, pool_id: str, login: str) -> dict:
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=login)
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=login)["Groups"]
    return {"enabled": user["Enabled"], "status": user["UserStatus"], "groups": sorted(g["GroupName"] for g in groups),
            "attributes": {a["Name"]: a["Value"] for a in user["UserAttributes"]}}


def _new(login: str, roles: list[str]) -> dict:
    return {"login": login, "full_name": "Ewa Nowak", "position": "nauczycielka", "cell": "KAD", "roles": roles,
            "email": "ewa.nowak@example.org"}


def test_in_a_deployed_stage_the_administrator_manages_users_in_the_user_pool(deployed):
    call, cognito, pool_id = deployed
    login = "zs9.nowak"
    status, added = call("POST", f"/units/{UNIT}/users", body=_new(login, ["case_officer"]))
    assert status == 201, added
    seen = _cognito_user(cognito, pool_id, login)
    assert seen["attributes"]["custom:unit"] == UNIT and seen["attributes"]["email"] == "ewa.nowak@example.org"
    assert (seen["status"], seen["enabled"], seen["groups"]) == ("FORCE_CHANGE_PASSWORD", True, ["case_officer"])
    # The new user, signed in through Cognito, is the directory's user of the unit.
    status, me = call("GET", "/me", login=login)
    assert status == 200 and me["unit"] == UNIT and me["roles"] == ["case_officer"]

    status, changed = call("PATCH", f"/units/{UNIT}/users/{login}", body={"roles": ["registry_clerk", "manager"]})
    assert status == 200, changed
    assert _cognito_user(cognito, pool_id, login)["groups"] == ["manager", "registry_clerk"]

    assert call("POST", f"/units/{UNIT}/users/{login}/deactivate")[0] == 200
    assert _cognito_user(cognito, pool_id, login)["enabled"] is False
    assert call("GET", "/me", login=login)[0] == 401  # an ID token still valid is refused at once
    assert call("POST", f"/units/{UNIT}/users/{login}/reactivate")[0] == 200
    assert _cognito_user(cognito, pool_id, login)["enabled"] is True

    cognito.admin_set_user_password(UserPoolId=pool_id, Username=login, Password="Wlasne-Haslo-2026", Permanent=True)
    status, reset = call("POST", f"/units/{UNIT}/users/{login}/password-reset")
    assert status == 200 and len(reset["temporary_password"]) >= 12, reset
    assert _cognito_user(cognito, pool_id, login)["status"] == "FORCE_CHANGE_PASSWORD"
    # In a deployed stage the passwords are Cognito's: the local routes are not there.
    assert call("POST", "/auth/password", body={"login": login, "password": "x", "new_password": "y"})[0] == 404


def test_when_cognito_refuses_nothing_is_left_half_done(deployed):
    call, cognito, pool_id = deployed
    cognito.delete_group(UserPoolId=pool_id, GroupName="archivist")
    status, body = call("POST", f"/units/{UNIT}/users", body=_new("zs9.polowa", ["case_officer", "archivist"]))
    assert status == 502 and body["error_code"] == "IDENTITY_PROVIDER_FAILED", body
    assert call("GET", f"/units/{UNIT}/users")[1]["users"] and "zs9.polowa" not in {
        u["login"] for u in call("GET", f"/units/{UNIT}/users")[1]["users"]}
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=pool_id, Username="zs9.polowa")
    # A role change Cognito refuses changes neither Cognito nor the directory.
    status, _ = call("POST", f"/units/{UNIT}/users", body=_new("zs9.cala", ["case_officer"]))
    assert status == 201
    status, body = call("PATCH", f"/units/{UNIT}/users/zs9.cala", body={"roles": ["manager", "archivist"]})
    assert status == 502, body
    assert _cognito_user(cognito, pool_id, "zs9.cala")["groups"] == ["case_officer"]
    listed = {u["login"]: u for u in call("GET", f"/units/{UNIT}/users")[1]["users"]}
    assert listed["zs9.cala"]["roles"] == ["case_officer"]
    history = [e for e in call("GET", f"/units/{UNIT}/user-history")[1]["entries"]
               if e["details"].get("login") in ("zs9.polowa", "zs9.cala")]
    assert [(e["action"], e["details"]["login"]) for e in history] == [("user_added", "zs9.cala")]
