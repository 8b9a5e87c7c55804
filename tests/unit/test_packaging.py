"""What SAM deploys matches what the project declares and runs locally."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ezd.local.template import Template

ROOT = Path(__file__).resolve().parents[2]


def test_layer_requirements_match_the_project_dependencies():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lines = (ROOT / "layers" / "requirements.txt").read_text().splitlines()
    required = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert sorted(required) == sorted(declared)


def test_every_function_in_the_template_has_its_handler():
    template = Template(ROOT / "infra" / "template.yaml", "ezd-test")
    functions = template.of_type("AWS::Serverless::Function")
    assert len(functions) >= 10
    for function in functions:
        module, attribute = function.properties["Handler"].rsplit(".", 1)
        source = (template.code_dir(function) / f"{module}.py").read_text()
        assert f"def {attribute}(" in source or f"{attribute} = " in source, function.logical_id


def test_every_state_machine_substitution_is_defined():
    template = Template(ROOT / "infra" / "template.yaml", "ezd-test")
    for machine in template.of_type("AWS::Serverless::StateMachine"):
        definition = (template.base_dir / machine.properties["DefinitionUri"]).read_text()
        used = set(re.findall(r"\$\{(\w+)\}", definition))
        assert used == set(machine.properties["DefinitionSubstitutions"]), machine.logical_id


def test_archive_and_quarantine_buckets_are_locked_in_compliance_mode():
    template = Template(ROOT / "infra" / "template.yaml", "ezd-test")
    for logical_id in ("ArchiveBucket", "QuarantineBucket"):
        props = template.resources[logical_id].properties
        assert props["ObjectLockEnabled"] is True
        assert props["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE"
        assert props["VersioningConfiguration"]["Status"] == "Enabled"


def _api_events(template: Template) -> dict[str, dict]:
    return template.resources["ApiFunction"].properties["Events"]


def test_every_api_route_but_health_the_login_config_and_the_push_and_callback_needs_cognito():
    template = Template(ROOT / "infra" / "template.yaml", "ezd-test")
    api = template.resources["PortalApi"].properties
    assert api["Auth"]["DefaultAuthorizer"] == "CognitoAuthorizer"
    assert api["Auth"]["Authorizers"]["CognitoAuthorizer"]["UserPoolArn"] == {"Fn::GetAtt": ["UserPool", "Arn"]}
    open_routes = set()
    for event in _api_events(template).values():
        assert event["Type"] == "Api" and event["Properties"]["RestApiId"] == {"Ref": "PortalApi"}
        if (event["Properties"].get("Auth") or {}).get("Authorizer") == "NONE":
            open_routes.add((event["Properties"]["Method"], event["Properties"]["Path"]))
    assert open_routes == {("GET", "/health"), ("GET", "/auth/config"), ("POST", "/epuap/push/{unit}"),
                           ("POST", "/edoreczenia/{unit}/on-message/{key}")}


def test_a_deployed_stage_tells_the_portal_its_hosted_login_and_the_local_stage_its_form():
    deployed = Template(ROOT / "infra" / "template.yaml", "ezd-prod",
                        {"Stage": "prod", "CognitoDomainPrefix": "ezd-miasto", "PortalUrl": "https://ezd.example.org/"})
    environment = deployed.function_environment(deployed.resources["ApiFunction"])
    assert environment["EZD_COGNITO_DOMAIN"] == "https://ezd-miasto.auth.eu-central-1.amazoncognito.com"
    assert environment["EZD_COGNITO_CLIENT_ID"] == deployed.resources["PortalUserPoolClient"].name
    assert environment["EZD_PORTAL_URL"] == "https://ezd.example.org/"
    # The client whose id the portal is told is public: nothing secret goes with it.
    assert deployed.resources["PortalUserPoolClient"].properties["GenerateSecret"] is False
    policy = deployed.resolve(deployed.resources["PortalSecurityHeaders"].properties)
    csp = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    connect = next(p for p in csp["ContentSecurityPolicy"].split(";") if p.strip().startswith("connect-src"))
    assert "https://ezd-miasto.auth.eu-central-1.amazoncognito.com" in connect
    local = Template(ROOT / "infra" / "template.yaml", "ezd-local")
    environment = local.function_environment(local.resources["ApiFunction"])
    assert (environment["EZD_STAGE"], environment["EZD_COGNITO_DOMAIN"], environment["EZD_COGNITO_CLIENT_ID"]) == (
        "local", "", "")


def test_the_user_pool_carries_roles_as_groups_and_the_unit_as_an_admin_only_attribute():
    from typing import get_args

    from ezd.models.directory import Role

    template = Template(ROOT / "infra" / "template.yaml", "ezd-test")
    pool = template.resources["UserPool"].properties
    assert any(a["Name"] == "unit" for a in pool["Schema"])
    assert pool["MfaConfiguration"] == {"Ref": "MfaConfiguration"} and pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"]
    groups = {r.properties["GroupName"] for r in template.of_type("AWS::Cognito::UserPoolGroup")}
    assert groups == set(get_args(Role))
    client = template.resources["PortalUserPoolClient"].properties
    assert "custom:unit" not in client["WriteAttributes"]


def test_no_secret_has_a_default_and_deployed_stages_refuse_local_tokens_and_unsealed_receipts():
    template = Template(ROOT / "infra" / "template.yaml", "ezd-test")
    for name, spec in template.raw["Parameters"].items():
        if spec.get("NoEcho"):
            assert not spec.get("Default"), name
    assert "AuthTokenSecret" not in template.raw["Parameters"]
    (rule,) = template.raw["Rules"].values()
    assert rule["RuleCondition"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "Stage"}, "local"]}]}
    assertions = [a["Assert"] for a in rule["Assertions"]]
    assert {"Fn::Equals": [{"Ref": "LocalTokenSecretArn"}, ""]} in assertions
    assert {"Fn::Not": [{"Fn::Equals": [{"Ref": "ReceiptSealSecretArn"}, ""]}]} in assertions
    # A deployed stage's API has no local token key at all.
    prod = Template(ROOT / "infra" / "template.yaml", "ezd-prod", {"Stage": "prod", "LocalTokenSecretArn": "arn:x"})
    assert prod.function_environment(prod.resources["ApiFunction"])["EZD_LOCAL_TOKEN_SECRET_ARN"] == ""
    local = Template(ROOT / "infra" / "template.yaml", "ezd-local", {"LocalTokenSecretArn": "arn:x"})
    assert local.function_environment(local.resources["ApiFunction"])["EZD_LOCAL_TOKEN_SECRET_ARN"] == "arn:x"
