"""The Cognito identity adapter against moto's cognito-idp, on a user pool made from the
template's own UserPool and groups: what a unit administrator does in AWS."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from ezd.adapters.identity import IdentityExists, IdentityProviderFailed
from ezd.adapters.identity.cognito import CognitoIdentities
from ezd.local.template import Template
from ezd.models.directory import User
from testkit import moto_sandbox

ROOT = Path(__file__).resolve().parents[2]
TEMPORARY, OTHER = "Tymczasowe2026x", "Inne2027haslo"


def _template(stage: str = "local") -> Template:
    return Template(ROOT / "infra" / "template.yaml", f"ezd-{stage}", {"Stage": stage})


def _schema(attribute: dict[str, Any]) -> dict[str, Any]:
    converted = {k: attribute[k] for k in ("Name", "AttributeDataType", "Mutable", "Required") if k in attribute}
    if "StringAttributeConstraints" in attribute:
        converted["StringAttributeConstraints"] = attribute["StringAttributeConstraints"]
    return converted


class Recording:
    """The boto3 client, with the operations the adapter called."""

    def __init__(self, real: Any) -> None:
        self.real, self.called = real, set()

    def __getattr__(self, name: str) -> Any:
        self.called.add(name)
        return getattr(self.real, name)


@pytest.fixture
def pool():
    template = _template()
    properties = template.resources["UserPool"].properties
    with moto_sandbox():
        cognito = boto3.client("cognito-idp", region_name="eu-central-1")
        policy = properties["Policies"]["PasswordPolicy"]
        pool_id = cognito.create_user_pool(
            PoolName="ezd-test-users", Schema=[_schema(a) for a in properties["Schema"]],
            Policies={"PasswordPolicy": {k: v for k, v in policy.items() if k != "TemporaryPasswordValidityDays"}},
            UsernameConfiguration=properties["UsernameConfiguration"],
        )["UserPool"]["Id"]
        for group in template.of_type("AWS::Cognito::UserPoolGroup"):
            cognito.create_group(UserPoolId=pool_id, GroupName=group.properties["GroupName"])
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName="test", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
        )["UserPoolClient"]["ClientId"]
        yield cognito, pool_id, client_id


def _user(login: str = "sp13.nowak", roles: list[str] | None = None) -> User:
    return User(login=login, full_name="Jan Nowak", position="nauczyciel", unit="SP13",
                roles=roles or ["case_officer", "archivist"], cell="KAD", email="jan.nowak@example.org")


def _auth(cognito: Any, pool_id: str, client_id: str, login: str, password: str) -> dict[str, Any]:
    return cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": login, "PASSWORD": password})


def _groups(cognito: Any, pool_id: str, login: str) -> list[str]:
    return sorted(g["GroupName"] for g in cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=login)["Groups"])


def test_a_new_user_has_the_unit_attribute_the_roles_as_groups_and_a_temporary_password(pool):
    cognito, pool_id, client_id = pool
    CognitoIdentities(pool_id, cognito).create(_user(), TEMPORARY)
    described = cognito.admin_get_user(UserPoolId=pool_id, Username="sp13.nowak")
    attributes = {a["Name"]: a["Value"] for a in described["UserAttributes"]}
    assert attributes["custom:unit"] == "SP13" and attributes["name"] == "Jan Nowak"
    assert attributes["email"] == "jan.nowak@example.org"
    assert described["UserStatus"] == "FORCE_CHANGE_PASSWORD" and described["Enabled"]
    assert _groups(cognito, pool_id, "sp13.nowak") == ["archivist", "case_officer"]
    assert _auth(cognito, pool_id, client_id, "sp13.nowak", TEMPORARY)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    with pytest.raises(IdentityExists) as taken:
        CognitoIdentities(pool_id, cognito).create(_user(), TEMPORARY)
    assert taken.value.code == "USER_EXISTS"


def test_a_creation_that_fails_halfway_leaves_no_identity(pool):
    cognito, pool_id, _ = pool
    cognito.delete_group(UserPoolId=pool_id, GroupName="archivist")
    with pytest.raises(IdentityProviderFailed) as failed:
        CognitoIdentities(pool_id, cognito).create(_user(), TEMPORARY)
    assert failed.value.code == "IDENTITY_PROVIDER_FAILED"
    with pytest.raises(ClientError, match="UserNotFound"):
        cognito.admin_get_user(UserPoolId=pool_id, Username="sp13.nowak")


def test_roles_change_as_groups_and_back_when_a_group_is_refused(pool):
    cognito, pool_id, _ = pool
    identities = CognitoIdentities(pool_id, cognito)
    identities.create(_user(roles=["case_officer"]), TEMPORARY)
    identities.set_roles("sp13.nowak", ["case_officer"], ["manager", "unit_admin"])
    assert _groups(cognito, pool_id, "sp13.nowak") == ["manager", "unit_admin"]
    cognito.delete_group(UserPoolId=pool_id, GroupName="archivist")
    with pytest.raises(IdentityProviderFailed):
        identities.set_roles("sp13.nowak", ["manager", "unit_admin"], ["registry_clerk", "archivist"])
    assert _groups(cognito, pool_id, "sp13.nowak") == ["manager", "unit_admin"]


def test_a_disabled_user_cannot_log_in_until_enabled(pool):
    cognito, pool_id, client_id = pool
    identities = CognitoIdentities(pool_id, cognito)
    identities.create(_user(), TEMPORARY)
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="sp13.nowak", Password=OTHER, Permanent=True)
    assert "AuthenticationResult" in _auth(cognito, pool_id, client_id, "sp13.nowak", OTHER)
    identities.disable("sp13.nowak")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="sp13.nowak")["Enabled"] is False
    with pytest.raises(ClientError, match="NotAuthorized|UserNotConfirmed|disabled"):
        _auth(cognito, pool_id, client_id, "sp13.nowak", OTHER)
    identities.enable("sp13.nowak")
    assert "AuthenticationResult" in _auth(cognito, pool_id, client_id, "sp13.nowak", OTHER)


def test_a_reset_makes_the_old_password_useless_and_the_new_one_temporary(pool):
    cognito, pool_id, client_id = pool
    identities = CognitoIdentities(pool_id, cognito)
    identities.create(_user(), TEMPORARY)
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="sp13.nowak", Password=OTHER, Permanent=True)
    identities.set_temporary_password("sp13.nowak", "Reset2026haslo")
    with pytest.raises(ClientError, match="NotAuthorized"):
        _auth(cognito, pool_id, client_id, "sp13.nowak", OTHER)
    assert _auth(cognito, pool_id, client_id, "sp13.nowak", "Reset2026haslo")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    with pytest.raises(IdentityProviderFailed):
        identities.set_temporary_password("sp13.nikt", "Reset2026haslo")


def test_a_deployed_api_may_call_exactly_what_the_adapter_calls(pool):
    cognito, pool_id, _ = pool
    recording = Recording(cognito)
    identities = CognitoIdentities(pool_id, recording)
    identities.create(_user(), TEMPORARY)
    identities.set_roles("sp13.nowak", ["case_officer", "archivist"], ["manager"])
    identities.disable("sp13.nowak")
    identities.enable("sp13.nowak")
    identities.set_temporary_password("sp13.nowak", "Reset2026haslo")
    identities.delete("sp13.nowak")
    called = {"cognito-idp:" + "".join(part.title() for part in name.split("_")) for name in recording.called}

    def granted(stage: str) -> set[str]:
        template = _template(stage)
        api = template.resources["ApiFunction"]
        policies = template.resolve(api.properties["Policies"])
        return {action for policy in policies if "Statement" in policy for statement in policy["Statement"]
                for action in statement["Action"] if action.startswith("cognito-idp:")}

    assert granted("prod") == called
    assert granted("local") == set()  # locally the local store: no grant nobody uses
    prod = _template("prod")
    assert prod.function_environment(prod.resources["ApiFunction"])["EZD_USER_POOL_ID"]
    assert _template().function_environment(_template().resources["ApiFunction"])["EZD_USER_POOL_ID"] == ""
    assert all(re.fullmatch(r"cognito-idp:Admin[A-Za-z]+", action) for action in called)
