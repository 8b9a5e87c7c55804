"""Nobody can fill the locked quarantine: only authenticated input gets there, each source
has an hourly allowance, and what is kept is locked for 90 days, not the archive's years.

SP52 and SP53 are this file's units.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from ezd import clock
from ezd.samples.letters import executable_scan

pytestmark = pytest.mark.stack


@pytest.fixture
def small_allowance(stack):
    """The in-process stack's settings with an allowance of two rejected inputs an hour,
    and its clock held still, so that no test straddles the turn of an hour."""
    from ezd.config import settings

    current = settings()
    count, size = current.quarantine_quota_count, current.quarantine_quota_bytes
    current.quarantine_quota_count = 2
    with clock.frozen(clock.now_utc()):
        yield current
    current.quarantine_quota_count, current.quarantine_quota_bytes = count, size


def _quarantined(api, unit: str) -> list[dict]:
    return api.call("GET", f"/units/{unit}/quarantine", user=f"{unit.lower()}.sekretariat").body["items"]


def _staged(stack, unit: str) -> int:
    import boto3

    from ezd.config import settings

    s3 = boto3.client("s3", endpoint_url=stack.info.moto_url, region_name=settings().region)
    return s3.list_objects_v2(Bucket=settings().staging_bucket, Prefix=f"incoming/{unit}/").get("KeyCount", 0)


def test_a_clerk_over_the_allowance_is_refused_and_nothing_is_stored(api, stack, paper_desk, small_allowance):
    for n in range(2):
        rejected = paper_desk.register("SP52", title=f"Skan {n}", scan=executable_scan(time.time_ns()))
        assert rejected.status == 422 and rejected.body["error_code"] == "FORBIDDEN_FILE_TYPE", rejected.body
    assert len(_quarantined(api, "SP52")) == 2
    staged_before = _staged(stack, "SP52")

    # Refused when asking where to upload: the bytes never even reach the staging bucket.
    refused = api.call("POST", "/units/SP52/uploads", user="sp52.sekretariat", json_body={"filename": "s.pdf", "size": 300})
    assert refused.status == 429 and refused.body["error_code"] == "QUOTA_EXCEEDED", refused.body
    assert _staged(stack, "SP52") == staged_before and len(_quarantined(api, "SP52")) == 2
    # Another source is not affected.
    other = paper_desk.register("SP53", title="Skan obcy", scan=executable_scan(time.time_ns()))
    assert other.status == 422 and other.body["error_code"] == "FORBIDDEN_FILE_TYPE"


def test_signed_malformed_pushes_count_against_the_units_push_allowance(api, stack, epuap_sign, small_allowance):
    from ezd.adapters.epuap_soap import parse_push_response

    def malformed(n: int) -> bytes:
        return epuap_sign((
            '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
            f"<s:Header/><s:Body><pismo>{n} {time.time_ns()}</pismo></s:Body></s:Envelope>").encode())

    statuses = [api.call("POST", "/epuap/push/SP53", raw=malformed(n), content_type="text/xml").status for n in range(3)]
    assert statuses == [400, 400, 429]
    refused = api.call("POST", "/epuap/push/SP53", raw=malformed(9), content_type="text/xml")
    assert refused.status == 429 and parse_push_response(refused.raw).status.kod == 429
    assert len([q for q in _quarantined(api, "SP53") if q["error_code"] == "MALFORMED_PUSH"]) == 2


def test_a_byte_allowance_stops_large_rejected_inputs_too(api, paper_desk, small_allowance):
    small_allowance.quarantine_quota_count = 100
    small_allowance.quarantine_quota_bytes = 1000
    big = executable_scan(time.time_ns()) + b"\x00" * 2000
    assert paper_desk.register("SP52", title="Duży skan", clerk="sp52.dyrektor", scan=big).status == 403  # not a clerk
    first = paper_desk.register("SP53", title="Duży skan", scan=big)
    assert first.status == 422, first.body  # charged: 2 KB over an allowance of 1000 bytes
    refused = api.call("POST", "/units/SP53/uploads", user="sp53.sekretariat", json_body={"filename": "s.pdf", "size": 300})
    assert refused.status == 429 and refused.body["error_code"] == "QUOTA_EXCEEDED"


def test_quarantine_is_locked_for_its_own_short_retention(api, stack, paper_desk):
    import boto3

    from ezd.config import settings

    assert settings().quarantine_retention_days == 90 < settings().archive_retention_days
    rejected = paper_desk.register("SP53", title="Skan do kwarantanny", scan=executable_scan(time.time_ns()))
    record = next(q for q in _quarantined(api, "SP53") if q["intake_id"] == rejected.body["intake_id"])
    s3 = boto3.client("s3", endpoint_url=stack.info.moto_url, region_name=settings().region)
    head = s3.head_object(Bucket=record["bucket"], Key=record["key"])
    assert head["ObjectLockMode"] == "COMPLIANCE"
    until = head["ObjectLockRetainUntilDate"]
    assert clock.now_utc() + timedelta(days=89) < until < clock.now_utc() + timedelta(days=91)
