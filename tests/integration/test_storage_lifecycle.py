"""S3 lifecycle as the template configures it, run by the local stack as S3 runs it.

moto stores lifecycle rules and never acts on them; the stack's runner (ezd/local/
lifecycle.py) applies the template's rules to moto's objects. Each test works on keys
under a prefix of its own and runs the rules for that prefix only, with the clock pinned
past the rule's age (``clock.frozen``): the other tests' objects in the same buckets are
left alone. Ages are counted from the objects' own creation, so the tests hold on any
day and hour (also under faketime).

The restart test runs its two halves as this file's ``__main__`` in a stack process of
its own: the first half leaves without stopping (no final snapshot, as after kill -9),
so what the runner changed comes back from the journal alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: testkit, also when run as a script
from testkit import real_clock  # noqa: E402

from ezd import clock  # noqa: E402

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
LETTER_BYTES = 273_000  # a signed letter with its attachment
RECEIPT_BYTES = 5_000  # a UPP

pytestmark = [pytest.mark.stack, pytest.mark.dates]


def _s3() -> Any:
    from ezd.adapters.aws import client

    return client("s3")


def _settings() -> Any:
    from ezd.config import settings

    return settings()


def _prefix() -> str:
    return f"lifecycle-test/{uuid.uuid4().hex}/"


def _created(bucket: str, key: str, version_id: str | None = None) -> datetime:
    """The object's creation as S3 reports it (whole seconds: the runner counts from the
    exact moment, at most a second later)."""
    extra = {"VersionId": version_id} if version_id else {}
    return _s3().head_object(Bucket=bucket, Key=key, **extra)["LastModified"]


def _run(stack: Any, at: datetime, prefix: str) -> dict[str, Any]:
    with clock.frozen(at):
        report = stack.lifecycle.run(prefix=prefix)
    return report.as_dict()["buckets"]


def _rule(stack: Any, bucket: str) -> dict[str, Any]:
    (rule,) = stack.provisioned.lifecycle[bucket].rules
    return rule


def _versions(bucket: str, key: str) -> list[dict[str, Any]]:
    """Every version and delete marker of ``key``, newest first."""
    listed = _s3().list_object_versions(Bucket=bucket, Prefix=key)
    entries = [{"id": v["VersionId"], "marker": False, "latest": v["IsLatest"], "class": v.get("StorageClass")}
               for v in listed.get("Versions", []) if v["Key"] == key]
    entries += [{"id": m["VersionId"], "marker": True, "latest": m["IsLatest"]}
                for m in listed.get("DeleteMarkers", []) if m["Key"] == key]
    return sorted(entries, key=lambda e: not e["latest"])


def _lock(bucket: str, key: str, version_id: str) -> dict[str, Any]:
    head = _s3().head_object(Bucket=bucket, Key=key, VersionId=version_id)
    return {"class": head.get("StorageClass", "STANDARD"), "version": head["VersionId"], "etag": head["ETag"],
            "last_modified": head["LastModified"], "mode": head.get("ObjectLockMode"),
            "until": head.get("ObjectLockRetainUntilDate"), "hold": head.get("ObjectLockLegalHoldStatus")}


def _error(call: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"]


# ---------------------------------------------------------------------------- the rules

def test_the_template_rules_are_on_the_provisioned_buckets(stack) -> None:
    from ezd.local.lifecycle import configuration_from_template

    template = stack.provisioned.template
    parameters = template.parameters  # the template's defaults: the session's stack sets none of these
    expected = {}
    for bucket in template.of_type("AWS::S3::Bucket"):
        configuration = configuration_from_template(template.resolve(bucket.properties))
        if configuration is not None:
            expected[bucket.name] = configuration
    assert stack.provisioned.lifecycle == expected
    settings = _settings()
    assert set(expected) == {settings.archive_bucket, settings.staging_bucket, settings.quarantine_bucket,
                             settings.derived_bucket}

    # What they say, with the template's defaults.
    archive = _rule(stack, settings.archive_bucket)
    assert archive["Filter"] == {"ObjectSizeGreaterThan": 128 * 1024}
    assert archive["Transitions"] == [{"StorageClass": parameters["ArchiveStorageClass"],
                                       "Days": int(parameters["ArchiveTransitionDays"])}]
    assert "Expiration" not in archive and "NoncurrentVersionExpiration" not in archive  # removal is disposal
    staging = _rule(stack, settings.staging_bucket)
    assert staging["Expiration"] == {"Days": int(parameters["StagingExpirationDays"])}
    assert staging["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    assert staging["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    quarantine = _rule(stack, settings.quarantine_bucket)
    assert int(parameters["QuarantineExpirationDays"]) > int(parameters["QuarantineRetentionDays"])
    assert quarantine["Expiration"] == {"Days": int(parameters["QuarantineExpirationDays"])}
    previews = _rule(stack, settings.derived_bucket)  # a letter's preview is a throwaway: a day
    assert previews["Filter"] == {"Prefix": "letter-previews/"} and previews["Expiration"] == {"Days": 1}

    # moto has the same rules, as far as it keeps them (it drops size filters, so the
    # runner takes its rules from the template, not from moto).
    for name, configuration in expected.items():
        stored = _s3().get_bucket_lifecycle_configuration(Bucket=name)
        assert stored["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
        without_filters = [{k: v for k, v in rule.items() if k != "Filter"} for rule in configuration.rules]
        assert [{k: v for k, v in rule.items() if k != "Filter"} for rule in stored["Rules"]] == without_filters


# ---------------------------------------------------------------------------- the archive

def test_an_archived_letter_moves_to_the_cheaper_class_with_its_version_and_lock(stack) -> None:
    from ezd.adapters import archive

    settings, prefix = _settings(), _prefix()
    bucket = settings.archive_bucket
    rule = _rule(stack, bucket)
    days, target = rule["Transitions"][0]["Days"], rule["Transitions"][0]["StorageClass"]
    letter_body, receipt_body = os.urandom(LETTER_BYTES), os.urandom(RECEIPT_BYTES)
    # The archive's own write path: content-addressed, compliance-locked, written once.
    letter, _ = archive.put_locked_once(bucket, letter_body, retention_days=settings.archive_retention_days,
                                        prefix=f"{prefix}sha256")
    receipt, _ = archive.put_locked_once(bucket, receipt_body, retention_days=settings.archive_retention_days,
                                         prefix=f"{prefix}sha256")
    held, _ = archive.put_locked_once(bucket, os.urandom(LETTER_BYTES), retention_days=1, prefix=f"{prefix}sha256")
    _s3().put_object_legal_hold(Bucket=bucket, Key=held, LegalHold={"Status": "ON"})
    version = {key: _versions(bucket, key)[0]["id"] for key in (letter, receipt, held)}
    before = {key: _lock(bucket, key, version[key]) for key in version}
    assert before[letter]["mode"] == "COMPLIANCE" and before[letter]["class"] == "STANDARD"
    created = _created(bucket, letter)

    # Not yet: a day short of the age.
    assert _run(stack, created + timedelta(days=days) - timedelta(hours=1), prefix)[bucket]["transitioned"] == 0
    assert _lock(bucket, letter, version[letter])["class"] == "STANDARD"

    moved = _run(stack, created + timedelta(days=days + 2), prefix)[bucket]
    assert moved["transitioned"] == 2, moved  # the letter and the held one; the receipt stays
    after = {key: _lock(bucket, key, version[key]) for key in version}
    for key in (letter, held):
        # The same version, only in another class: id, ETag, date, lock and hold as they were.
        assert after[key] == {**before[key], "class": target}
    assert after[held]["hold"] == "ON"
    assert after[receipt] == before[receipt]  # 5 kB: would be billed as 128 KiB there
    # Still read at once (Glacier IR and Standard-IA need no restore), byte for byte.
    assert _s3().get_object(Bucket=bucket, Key=letter)["Body"].read() == letter_body
    assert _versions(bucket, letter) == [{"id": version[letter], "marker": False, "latest": True, "class": target}]

    # Still locked in compliance mode: the version cannot be deleted, the key not rewritten.
    assert _error(lambda: _s3().delete_object(Bucket=bucket, Key=letter, VersionId=version[letter])) == "AccessDenied"
    assert _error(lambda: _s3().put_object(Bucket=bucket, Key=letter, Body=b"forged", IfNoneMatch="*")) \
        == "PreconditionFailed"
    assert archive.put_locked_once(bucket, letter_body, retention_days=1, prefix=f"{prefix}sha256")[0] == letter
    assert _lock(bucket, letter, version[letter]) == after[letter]
    assert len(_versions(bucket, letter)) == 1

    # Nothing in the archive ever expires, however old; a second run moves nothing again.
    late = _run(stack, created + timedelta(days=100 * 365), prefix)[bucket]
    assert late == {k: 0 for k in late}, late
    assert _lock(bucket, letter, version[letter]) == after[letter]


# ---------------------------------------------------------------------------- staging

def test_a_staging_copy_is_gone_after_the_expiration_days(stack) -> None:
    from ezd.adapters import archive

    settings, prefix = _settings(), _prefix()
    bucket = settings.staging_bucket
    days = _rule(stack, bucket)["Expiration"]["Days"]
    key = f"{prefix}incoming/SP99/{uuid.uuid4().hex}"
    body = os.urandom(RECEIPT_BYTES)
    version_id = archive.put_staged(bucket, key, body)
    created = _created(bucket, key)

    assert _run(stack, created + timedelta(days=days) - timedelta(hours=1), prefix)[bucket]["delete_markers"] == 0
    assert archive.read(bucket, key) == body

    # Past the age, run by hand as an operator would (`ezd lifecycle run`): a delete marker;
    # the version stays a day longer (an intake still running reads by version id).
    expired_at = created + timedelta(days=days + 2)
    with clock.frozen(expired_at):
        done = subprocess.run([sys.executable, "-m", "ezd.cli", "--stack", str(Path(stack.info.state_dir) / "stack.json"),
                               "lifecycle", "run", "--prefix", prefix], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "layers")})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["buckets"][bucket]["delete_markers"] == 1
    assert _error(lambda: _s3().head_object(Bucket=bucket, Key=key)) == "404"
    assert archive.read(bucket, key, version_id) == body
    marker = _versions(bucket, key)[0]
    assert marker["marker"] and marker["latest"]

    # A day later the bytes are gone; a week after the marker, the marker too.
    removed = _run(stack, expired_at + timedelta(days=2), prefix)[bucket]
    assert removed["removed_versions"] == 1, removed
    assert _versions(bucket, key) == [marker]
    assert _error(lambda: archive.read(bucket, key, version_id)) in ("NoSuchVersion", "NoSuchKey")
    assert _run(stack, expired_at + timedelta(days=days + 2), prefix)[bucket]["removed_delete_markers"] == 1
    assert _versions(bucket, key) == []


def test_an_incomplete_multipart_upload_is_aborted_after_a_day(stack) -> None:
    settings, prefix = _settings(), _prefix()
    bucket = settings.staging_bucket
    started = clock.now_utc()
    upload = _s3().create_multipart_upload(Bucket=bucket, Key=f"{prefix}uploads/scan")["UploadId"]
    _s3().upload_part(Bucket=bucket, Key=f"{prefix}uploads/scan", UploadId=upload, PartNumber=1, Body=b"x" * 1024)

    def open_uploads() -> list[str]:
        listed = _s3().list_multipart_uploads(Bucket=bucket, Prefix=prefix).get("Uploads", [])
        return [u["UploadId"] for u in listed]

    assert _run(stack, started + timedelta(hours=1), prefix)[bucket]["aborted_uploads"] == 0
    assert open_uploads() == [upload]
    assert _run(stack, started + timedelta(days=3), prefix)[bucket]["aborted_uploads"] == 1
    assert open_uploads() == []


# ---------------------------------------------------------------------------- quarantine

def test_a_locked_quarantine_object_is_never_expired_before_its_lock_ends(stack) -> None:
    from ezd.adapters import archive

    settings, prefix = _settings(), _prefix()
    bucket = settings.quarantine_bucket
    expire_days = _rule(stack, bucket)["Expiration"]["Days"]
    lock_days = settings.quarantine_retention_days
    long_lock = expire_days + 100
    bodies = {name: os.urandom(RECEIPT_BYTES) for name in ("usual", "longer", "held")}
    keys = {name: archive.put_locked_once(bucket, body, retention_days=long_lock if name == "longer" else lock_days,
                                          prefix=f"{prefix}sha256")[0] for name, body in bodies.items()}
    _s3().put_object_legal_hold(Bucket=bucket, Key=keys["held"], LegalHold={"Status": "ON"})
    version = {name: _versions(bucket, key)[0]["id"] for name, key in keys.items()}
    created = _created(bucket, keys["usual"])

    def present(name: str) -> bool:
        return any(v["id"] == version[name] for v in _versions(bucket, keys[name]))

    # While locked, and until the rule's age: untouched, readable as always.
    assert _run(stack, created + timedelta(days=lock_days) - timedelta(hours=1), prefix)[bucket]["delete_markers"] == 0
    assert _run(stack, created + timedelta(days=expire_days) - timedelta(hours=1), prefix)[bucket]["delete_markers"] == 0
    assert all(archive.read(bucket, key) == bodies[name] for name, key in keys.items())

    # Past it, S3 puts delete markers on all three (a marker deletes nothing, so it does
    # so on locked versions too); a day later it removes the version whose lock has ended.
    first = _run(stack, created + timedelta(days=expire_days + 2), prefix)[bucket]
    assert first["delete_markers"] == 3, first
    second = _run(stack, created + timedelta(days=expire_days + 4), prefix)[bucket]
    assert second["removed_versions"] == 1 and second["kept_locked"] == 2, second
    assert not present("usual") and present("longer") and present("held")
    # What is still locked is still there, byte for byte, with its lock.
    assert archive.read(bucket, keys["longer"], version["longer"]) == bodies["longer"]
    assert _lock(bucket, keys["longer"], version["longer"])["mode"] == "COMPLIANCE"

    # The day before its lock ends the longer-locked version is kept; once it has ended,
    # removed. The one under a legal hold never goes.
    assert _run(stack, created + timedelta(days=long_lock - 1), prefix)[bucket]["removed_versions"] == 0
    assert present("longer")
    assert _run(stack, created + timedelta(days=long_lock + 2), prefix)[bucket]["removed_versions"] == 1
    assert not present("longer") and present("held")
    assert _run(stack, created + timedelta(days=10 * 365), prefix)[bucket]["removed_versions"] == 0
    assert archive.read(bucket, keys["held"], version["held"]) == bodies["held"]


# ---------------------------------------------------------------------------- persistence

def _python_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "layers"), str(TESTS), env.get("PYTHONPATH", "")])
    env.pop("EZD_STACK_FILE", None)
    return real_clock(env)


def test_what_lifecycle_changed_survives_a_crash(tmp_path: Path) -> None:
    """Transitions, delete markers and removed versions and keys come back from the
    snapshot and from the journal after it (the process leaves without stopping)."""
    state, facts = tmp_path / "state", tmp_path / "facts.json"
    for phase in ("before", "after"):
        done = subprocess.run([sys.executable, __file__, phase, str(state), str(facts)], capture_output=True,
                              text=True, timeout=300, env=_python_env())
        assert done.returncode == 0, f"phase {phase} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    result = json.loads(facts.read_text())
    assert result["after"] == result["before"]
    assert [result["before"][name]["versions"][0]["class"] for name in ("first", "second")] == ["GLACIER_IR"] * 2


def _facts(objects: dict[str, tuple[str, str]]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for name, (bucket, key) in objects.items():
        versions = _versions(bucket, key)
        facts[name] = {"versions": versions,
                       "locks": {v["id"]: {k: str(x) for k, x in _lock(bucket, key, v["id"]).items()}
                                 for v in versions if not v["marker"]}}
    return facts


def _phase_before(state: Path) -> dict[str, Any]:
    from ezd.adapters import archive
    from ezd.local.stack import LocalStack

    stack = LocalStack(state, api_port=0, run_schedules=False, seed_demo=False)
    stack.start()
    settings, prefix = _settings(), _prefix()

    def letter() -> str:
        return archive.put_locked_once(settings.archive_bucket, os.urandom(LETTER_BYTES),
                                       retention_days=settings.archive_retention_days, prefix=f"{prefix}sha256")[0]

    first = letter()
    staged = f"{prefix}incoming/SP99/staged"
    archive.put_staged(settings.staging_bucket, staged, os.urandom(RECEIPT_BYTES))
    rejected, _ = archive.put_locked_once(settings.quarantine_bucket, os.urandom(RECEIPT_BYTES), retention_days=400,
                                          prefix=f"{prefix}sha256")
    created = _created(settings.archive_bucket, first)
    _run(stack, created + timedelta(days=120), prefix)  # a transition; markers on staging and quarantine
    _run(stack, created + timedelta(days=122), prefix)  # the staged bytes removed, the locked ones kept
    assert [v["marker"] for v in _versions(settings.staging_bucket, staged)] == [True]
    # A snapshot holds this much; what follows is in the journal alone.
    stack.persistence.checkpoint()
    second = letter()
    _run(stack, created + timedelta(days=130), prefix)  # the second letter moves; the staged marker goes
    objects = {"first": (settings.archive_bucket, first), "second": (settings.archive_bucket, second),
               "staging": (settings.staging_bucket, staged), "quarantine": (settings.quarantine_bucket, rejected)}
    facts = _facts(objects)
    assert [v["class"] for v in facts["second"]["versions"]] == ["GLACIER_IR"]
    assert facts["staging"]["versions"] == []
    assert [v["marker"] for v in facts["quarantine"]["versions"]] == [True, False]
    facts["_objects"] = {name: list(where) for name, where in objects.items()}
    return facts


def _phase_after(state: Path, before: dict[str, Any]) -> dict[str, Any]:
    from ezd.local.stack import LocalStack

    stack = LocalStack(state, api_port=0, run_schedules=False, seed_demo=False)
    stack.start()
    try:
        assert stack.restored is not None and stack.restored.resumed, stack.restored
        objects = {name: (bucket, key) for name, (bucket, key) in before["_objects"].items()}
        return {**_facts(objects), "_objects": before["_objects"]}
    finally:
        stack.stop()


def _main(argv: list[str]) -> None:
    phase, state, facts_file = argv[1], Path(argv[2]), Path(argv[3])
    facts = json.loads(facts_file.read_text()) if facts_file.exists() else {}
    if phase == "before":
        facts["before"] = json.loads(json.dumps(_phase_before(state), default=str))
        facts_file.write_text(json.dumps(facts, indent=2))
        # Leave as kill -9 would: no stop, no final snapshot; only the journal has it.
        sys.stdout.flush()
        os._exit(0)
    facts["after"] = json.loads(json.dumps(_phase_after(state, facts["before"]), default=str))
    facts_file.write_text(json.dumps(facts, indent=2))


if __name__ == "__main__":
    _main(sys.argv)
