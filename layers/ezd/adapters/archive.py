"""S3: the staging area, the locked archive, the locked quarantine and derived files.

Archive and quarantine are written once, content-addressed by SHA-256, with an explicit
compliance-mode retention. There is deliberately no delete here: removal from the
archive happens only through disposal, which is its own capability.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from ezd.adapters.aws import client
from ezd.clock import now_utc
from ezd.errors import TransientFault


class ArchiveConflict(Exception):
    """An object exists at a content address but holds other bytes: refuse to overwrite."""


def content_key(sha256: str, prefix: str = "sha256") -> str:
    return f"{prefix}/{sha256[:2]}/{sha256}"


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _transient(exc: ClientError) -> bool:
    code = exc.response.get("Error", {}).get("Code", "")
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return status >= 500 or code in ("SlowDown", "RequestTimeout", "ServiceUnavailable", "InternalError")


def _head(bucket: str, key: str) -> dict[str, Any] | None:
    try:
        return client("s3").head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        if _transient(exc):
            raise TransientFault(f"S3 head {bucket}/{key}: {exc}") from exc
        raise


def put_locked_once(
    bucket: str,
    body: bytes,
    *,
    retention_days: int,
    content_type: str = "application/octet-stream",
    metadata: dict[str, str] | None = None,
    prefix: str = "sha256",
) -> tuple[str, str]:
    """Stores ``body`` at its content address under compliance retention.

    Returns (key, sha256). Storing the same bytes again is a no-op, which makes retried
    and repeated deliveries idempotent. One conditional request (``If-None-Match: *``)
    instead of a HEAD before the PUT: S3 writes only if no object has the key, so the
    bytes there are the ones the key is the digest of (their SHA-256 checksum was checked
    by S3 when they were written).
    """
    digest = sha256_hex(body)
    key = content_key(digest, prefix)
    retain_until = now_utc() + timedelta(days=retention_days)
    try:
        client("s3").put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            Metadata={**(metadata or {}), "sha256": digest},
            ObjectLockMode="COMPLIANCE",
            ObjectLockRetainUntilDate=retain_until,
            ChecksumAlgorithm="SHA256",
            IfNoneMatch="*",
        )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "PreconditionFailed":
            return key, digest  # already archived: the same bytes, by their address
        if code == "ConditionalRequestConflict" or _transient(exc):
            # A concurrent write of the same key: the retry finds it written.
            raise TransientFault(f"S3 put {bucket}/{key}: {exc}") from exc
        raise
    return key, digest


def put_staged(bucket: str, key: str, body: bytes, metadata: dict[str, str] | None = None) -> str | None:
    """Writes a delivery to the staging bucket; returns its version id."""
    try:
        response = client("s3").put_object(
            Bucket=bucket, Key=key, Body=body, Metadata=metadata or {}, ChecksumAlgorithm="SHA256"
        )
    except ClientError as exc:
        raise TransientFault(f"S3 put {bucket}/{key}: {exc}") from exc
    return response.get("VersionId")


def upload_form(bucket: str, key: str, max_bytes: int, expires_seconds: int) -> tuple[str, dict[str, str]]:
    """A pre-signed POST for exactly ``key``: S3 refuses a body over ``max_bytes`` (the
    local moto does not, so the registration checks the size again)."""
    form = client("s3").generate_presigned_post(
        bucket, key, Conditions=[["content-length-range", 1, max_bytes]], ExpiresIn=expires_seconds)
    return form["url"], {k: str(v) for k, v in form["fields"].items()}


class StagedVersion:
    """The current version of a staged object: its id and size, from HEAD."""

    def __init__(self, version_id: str | None, size: int) -> None:
        self.version_id, self.size = version_id, size


def staged_version(bucket: str, key: str) -> StagedVersion | None:
    head = _head(bucket, key)
    if head is None:
        return None
    return StagedVersion(head.get("VersionId"), int(head.get("ContentLength", 0)))


def sha256_of(bucket: str, key: str, version_id: str | None, chunk: int = 1024 * 1024) -> str:
    """SHA-256 of a stored object, read in chunks: a 50 MB scan never sits in memory whole."""
    kwargs: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version_id:
        kwargs["VersionId"] = version_id
    try:
        body = client("s3").get_object(**kwargs)["Body"]
    except ClientError as exc:
        if _transient(exc):
            raise TransientFault(f"S3 get {bucket}/{key}: {exc}") from exc
        raise
    digest = hashlib.sha256()
    for part in iter(lambda: body.read(chunk), b""):
        digest.update(part)
    return digest.hexdigest()


def put_derived(bucket: str, key: str, body: bytes, content_type: str) -> None:
    client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)


def read(bucket: str, key: str, version_id: str | None = None) -> bytes:
    kwargs: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version_id:
        kwargs["VersionId"] = version_id
    try:
        return client("s3").get_object(**kwargs)["Body"].read()
    except ClientError as exc:
        if _transient(exc):
            raise TransientFault(f"S3 get {bucket}/{key}: {exc}") from exc
        raise


def retention_of(bucket: str, key: str) -> dict[str, Any]:
    """Mode and retain-until date of an object, from HEAD (as S3 reports them there)."""
    response = client("s3").head_object(Bucket=bucket, Key=key)
    return {"Mode": response.get("ObjectLockMode"), "RetainUntilDate": response.get("ObjectLockRetainUntilDate")}


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """RFC 6266: the real (UTF-8) name in filename*, an ASCII look-alike for old clients;
    headers are Latin-1 at best, so "świadectwo.pdf" cannot go in as it is."""
    folded = unicodedata.normalize("NFKD", filename.replace("ł", "l").replace("Ł", "L"))
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_"
                       for c in folded if not unicodedata.combining(c)) or "download"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def preview_link(bucket: str, key: str, filename: str, mime: str, expires_seconds: int) -> str:
    """A short-lived link the browser shows inline (in the portal's preview), with the
    type the intake verified — never the type the object might claim."""
    return client("s3").generate_presigned_url(
        "get_object",
        Params={"Bucket": bucket, "Key": key, "ResponseContentDisposition": content_disposition(filename, "inline"),
                "ResponseContentType": mime},
        ExpiresIn=expires_seconds,
    )


def download_link(bucket: str, key: str, filename: str, expires_seconds: int) -> str:
    return client("s3").generate_presigned_url(
        "get_object",
        Params={"Bucket": bucket, "Key": key, "ResponseContentDisposition": content_disposition(filename)},
        ExpiresIn=expires_seconds,
    )
