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
