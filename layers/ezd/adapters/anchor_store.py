"""S3 access for the metryka's anchors (a compliance-locked bucket of their own).

Keys: `anchors/<unit>/<YYYY>/<MM>/<YYYYMMDDTHHMMSSffffffZ>-<nonce>.json.gz`: listing a
month's prefix gives that month's anchors in time order, so the latest is found without
trusting anything kept in the records table.
"""

from __future__ import annotations

import gzip
import secrets
from datetime import datetime, timedelta, timezone

from botocore.exceptions import ClientError

from ezd.adapters.aws import client
from ezd.errors import TransientFault

MONTHS_LOOKED_BACK = 24


def anchor_key(unit: str, moment: datetime) -> str:
    utc = moment.astimezone(timezone.utc)
    return f"anchors/{unit}/{utc:%Y}/{utc:%m}/{utc:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.json.gz"


def put(bucket: str, key: str, body: bytes, retain_until: datetime) -> None:
    try:
        client("s3").put_object(Bucket=bucket, Key=key, Body=gzip.compress(body), ContentType="application/json",
                                ContentEncoding="gzip", ObjectLockMode="COMPLIANCE",
                                ObjectLockRetainUntilDate=retain_until, ChecksumAlgorithm="SHA256",
                                IfNoneMatch="*")
    except ClientError as exc:
        if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
            raise TransientFault(f"S3 put {bucket}/{key}: {exc}") from exc
        raise


def _month_prefixes(unit: str, now: datetime) -> list[str]:
    first = now.astimezone(timezone.utc).replace(day=1)
    prefixes = []
    for _ in range(MONTHS_LOOKED_BACK):
        prefixes.append(f"anchors/{unit}/{first:%Y}/{first:%m}/")
        first = (first - timedelta(days=1)).replace(day=1)
    return prefixes


def latest_key(bucket: str, unit: str, now: datetime) -> str | None:
    """The newest anchor of ``unit`` (looking back up to two years)."""
    s3 = client("s3")
    for prefix in _month_prefixes(unit, now):
        keys = [obj["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
                for obj in page.get("Contents", [])]
        if keys:
            return max(keys)
    return None


def read(bucket: str, key: str) -> bytes:
    return gzip.decompress(client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
