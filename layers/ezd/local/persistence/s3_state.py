"""S3 objects: every version of a changed key is journaled with its metadata; its bytes
go once into the blob store.

A change to an object key (PutObject, CopyObject, multipart completion, POST upload,
DeleteObject(s) and delete markers, retention, legal hold, tagging, ACL, restore) is
journaled as the key's whole version list as it stands after the request — version ids,
last-modified, content type and user metadata, ETag, checksums, Object Lock mode and
retain-until date, legal hold, tags — so replay is deterministic and nothing depends on
how moto would handle the request again. Version lists are short (archive keys are
written once; staging keys get one version per delivery).

Records: ``("s3", bucket, key, [version images] or None when the key is gone)``; a
version image is a dict of plain fields, its bytes named by ``sha256``.

Once its bytes are durable, a version reads them from the blob file (``BlobBuffer``):
memory holds metadata, not documents. Versions loaded at start-up read from disk too.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from sys import intern
from threading import RLock
from typing import Any

from ezd.local.persistence import changes
from ezd.local.persistence.blobs import BlobBuffer, BlobStore

Record = tuple[Any, ...]
KIND = "s3"
SHA_ATTRIBUTE = "_ezd_sha256"  # set on moto's FakeKey once its bytes are in the blob store
_installed = False

# The backend methods that change an object key; each takes (bucket_name, key_name, ...).
_KEY_METHODS = ("put_object", "delete_object", "put_object_acl", "put_object_legal_hold",
                "put_object_retention", "delete_object_tagging", "restore_object")


def install_hooks() -> None:
    global _installed
    if _installed:
        return
    from moto.s3.models import S3Backend

    def reporting(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            bucket = kwargs.get("bucket_name", args[0] if args else None)
            key = kwargs.get("key_name", args[1] if len(args) > 1 else None)
            try:
                return original(self, *args, **kwargs)
            finally:  # also after a failure: the image is whatever is really there
                if bucket is not None and key is not None:
                    changes.touched_object(bucket, key)
        return wrapper

    for name in _KEY_METHODS:
        setattr(S3Backend, name, reporting(getattr(S3Backend, name)))
    original_tagging = S3Backend.put_object_tagging

    def put_object_tagging(self: Any, key: Any, tags: Any) -> Any:
        try:
            return original_tagging(self, key, tags)
        finally:
            changes.touched_object(key.bucket_name, key.name)

    S3Backend.put_object_tagging = put_object_tagging  # type: ignore[method-assign]
    _installed = True


# --------------------------------------------------------------------------- moto -> plain

def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _acl(acl: Any) -> Any:
    if acl is None:
        return None
    return [[[(g.id, g.uri, g.display_name) for g in grant.grantees], list(grant.permissions)] for grant in acl.grants]


def _metadata(metadata: Any) -> dict[str, str]:
    store = getattr(metadata, "store", metadata)  # a LowercaseDict, or a dict after a REPLACE
    return {str(k): str(v) for k, v in store.items()}


@dataclass
class Imaged:
    records: list[Record] = field(default_factory=list)
    blobs: list[tuple[str, bytes]] = field(default_factory=list)  # to be durable before the records
    fresh: list[Any] = field(default_factory=list)  # versions to move to disk once they are


def _backend_of(bucket: str) -> Any:
    from moto.s3.models import s3_backends

    located = s3_backends.bucket_accounts.get(bucket)
    if located is None:
        return None
    partition, account = located
    return s3_backends[account][partition]


class Imager:
    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs
        self._backends: dict[str, Any] = {}  # bucket -> its backend (moto's lookup is slow)

    def _backend(self, bucket: str) -> Any:
        backend = self._backends.get(bucket)
        if backend is None:
            backend = _backend_of(bucket)
            if backend is not None:
                self._backends[bucket] = backend
        return backend

    def _version(self, version: Any, backend: Any, out: Imaged) -> dict[str, Any]:
        from moto.s3.models import FakeDeleteMarker

        if isinstance(version, FakeDeleteMarker):
            return {"t": "marker", "version_id": version._version_id, "last_modified": _moment(version.last_modified)}
        sha = getattr(version, SHA_ATTRIBUTE, None)
        if sha is None:
            data = version.value
            sha = hashlib.sha256(data).hexdigest()
            setattr(version, SHA_ATTRIBUTE, sha)
            out.blobs.append((sha, data))
            out.fresh.append(version)
        version.etag  # noqa: B018 - computes and caches the ETag while the bytes are at hand
        tags = backend.tagger.list_tags_for_resource(version.arn).get("Tags", [])
        return {
            "t": "key", "version_id": version._version_id, "versioned": version._is_versioned,
            "last_modified": _moment(version.last_modified), "sha256": sha, "size": version.contentsize,
            "etag": version._etag, "metadata": _metadata(version._metadata), "storage_class": version._storage_class,
            "encryption": version.encryption, "kms_key_id": version.kms_key_id,
            "bucket_key_enabled": version.bucket_key_enabled, "lock_mode": version.lock_mode,
            "legal_hold": version.lock_legal_status, "retain_until": version.lock_until,
            "checksum_algorithm": version.checksum_algorithm, "checksum_value": version.checksum_value,
            "checksum_type": version.checksum_type, "checksum_parts": version.checksum_parts,
            "website_redirect": version.website_redirect_location, "expiry": _moment(version._expiry),
            "restore_status": version._status, "acl": _acl(version.acl),
            "tags": [(t["Key"], t["Value"]) for t in tags],
        }

    def images(self, touched: set[changes.ObjectKey], out: Imaged | None = None) -> Imaged:
        """The version lists of the touched keys (caller holds the server lock)."""
        out = out or Imaged()
        for bucket_name, key_name in touched:
            backend = self._backend(bucket_name)
            bucket = backend.buckets.get(bucket_name) if backend is not None else None
            if bucket is None:
                continue  # buckets are the template's; one deleted at runtime is not kept
            versions = bucket.keys.getlist(key_name, None)
            images = [self._version(v, backend, out) for v in versions] if versions else None
            out.records.append((KIND, bucket_name, key_name, images))
        return out

    def move_to_disk(self, versions: list[Any]) -> Callable[[], None]:
        """An action for after the bytes are durable: versions read them from disk."""
        def action() -> None:
            for version in versions:
                with version.lock:
                    if version.disposed or isinstance(version._value_buffer, BlobBuffer):
                        continue
                    old = version._value_buffer
                    version._value_buffer = BlobBuffer(self._blobs.path(getattr(version, SHA_ATTRIBUTE)))
                old.close()
        return action


# --------------------------------------------------------------------------- plain -> moto

class Loader:
    def __init__(self, blobs: BlobStore) -> None:
        from moto.s3.models import FakeAcl, FakeDeleteMarker, FakeGrant, FakeGrantee, FakeKey

        self._blobs = blobs
        self._key = FakeKey
        self._marker = FakeDeleteMarker
        self._grant, self._grantee, self._acl_type = FakeGrant, FakeGrantee, FakeAcl
        self._acls: dict[Any, Any] = {}
        # One key built by moto's constructor: the attributes (and defaults) of this
        # moto version, so an attribute added by a later moto is not left unset.
        prototype = FakeKey("prototype", b"", "000000000000", "aws")
        self._template = {k: v for k, v in prototype.__dict__.items() if k not in ("_value_buffer", "lock")}
        self._mutable = [k for k, v in self._template.items() if isinstance(v, (list, dict, set))
                         and k != "_transitions"]
        prototype.dispose()
        self.unknown_buckets: set[str] = set()
        self.missing_blobs: set[str] = set()
        self._buckets: dict[str, tuple[Any, Any]] = {}

    def _shared_acl(self, plain: Any) -> Any:
        if plain is None:
            return None
        # moto replaces a key's ACL rather than changing it, so equal ACLs can share one object.
        name = repr(plain)
        acl = self._acls.get(name)
        if acl is None:
            grants = [self._grant([self._grantee(grantee_id=i or "", uri=u or "", display_name=d or "")
                                   for i, u, d in grantees], list(perms)) for grantees, perms in plain]
            acl = self._acls[name] = self._acl_type(grants=grants)
        return acl

    def _build_key(self, image: dict[str, Any], name: str, bucket: Any, backend: Any) -> Any:
        from moto.utilities.utils import LowercaseDict

        key = self._key.__new__(self._key)
        state = dict(self._template)
        for attribute in self._mutable:
            state[attribute] = type(state[attribute])(state[attribute])
        metadata = LowercaseDict()
        # Names and short values (content types, unit symbols) repeat across versions.
        metadata.store.update({intern(k): intern(v) if len(v) < 40 else v for k, v in image["metadata"].items()})
        state.update(
            name=name, account_id=bucket.account_id, region_name=backend.region_name, partition=bucket.partition,
            bucket_name=bucket.name, last_modified=datetime.fromisoformat(image["last_modified"]),
            acl=self._shared_acl(image["acl"]), website_redirect_location=image["website_redirect"],
            checksum_algorithm=image["checksum_algorithm"], _storage_class=image["storage_class"], _metadata=metadata,
            _expiry=datetime.fromisoformat(image["expiry"]) if image["expiry"] else None, _etag=image["etag"],
            _version_id=image["version_id"], _is_versioned=image["versioned"], multipart=None,
            contentsize=image["size"], disposed=False, encryption=image["encryption"],
            kms_key_id=image["kms_key_id"], bucket_key_enabled=image["bucket_key_enabled"],
            lock_mode=image["lock_mode"], lock_legal_status=image["legal_hold"], lock_until=image["retain_until"],
            checksum_value=image["checksum_value"], checksum_type=image["checksum_type"],
            checksum_parts=image["checksum_parts"], _status=image["restore_status"],
        )
        state[SHA_ATTRIBUTE] = image["sha256"]
        state["_value_buffer"] = BlobBuffer(self._blobs.path(image["sha256"]))
        state["lock"] = threading.Lock()
        key.__dict__.update(state)
        if image["tags"]:
            arn = key.arn
            backend.tagger.delete_all_tags_for_resource(arn)
            backend.tagger.tag_resource(arn, [{"Key": k, "Value": v} for k, v in image["tags"]])
        return key

    def _build_marker(self, image: dict[str, Any], name: str, previous: Any) -> Any:
        marker = self._marker.__new__(self._marker)
        marker.key = previous
        marker.name = name
        marker.last_modified = datetime.fromisoformat(image["last_modified"])
        marker._version_id = image["version_id"]
        return marker

    def apply(self, record: Record) -> None:
        _, bucket_name, key_name, images = record
        found = self._buckets.get(bucket_name)
        if found is None:
            backend = _backend_of(bucket_name)
            found = self._buckets[bucket_name] = (backend, backend.buckets.get(bucket_name) if backend else None)
        backend, bucket = found
        if bucket is None:
            self.unknown_buckets.add(bucket_name)
            return
        if not images:
            if key_name in bucket.keys:
                # Not moto's pop, which disposes every version: a delete marker (the last
                # thing left of a key that S3 lifecycle or a versioned delete then removed)
                # has no dispose.
                bucket.keys.setlist(key_name, [])
                dict.pop(bucket.keys, key_name)
            return
        versions: list[Any] = []
        for image in images:
            if image["t"] == "marker":
                versions.append(self._build_marker(image, key_name, versions[-1] if versions else None))
            else:
                versions.append(self._build_key(image, key_name, bucket, backend))
        bucket.keys.setlist(key_name, versions)

    def check_blobs(self) -> None:
        """Names every version whose bytes are missing from the blob store."""
        for sha in referenced_blobs():
            if not self._blobs.has(sha):
                self.missing_blobs.add(sha)


# --------------------------------------------------------------------------- snapshot

def _buckets() -> list[Any]:
    from moto.s3.models import s3_backends

    return [bucket for regions in s3_backends.values() for backend in regions.values()
            for bucket in backend.buckets.values()]


def referenced_blobs() -> set[str]:
    return {sha for bucket in _buckets() for versions in dict.values(bucket.keys) for version in versions
            if (sha := getattr(version, SHA_ATTRIBUTE, None)) is not None}


def version_counts() -> dict[str, int]:
    from moto.s3.models import FakeKey

    return {bucket.name: sum(1 for versions in dict.values(bucket.keys) for v in versions if isinstance(v, FakeKey))
            for bucket in _buckets()}


def snapshot_images(lock: RLock, imager: Imager, blobs: BlobStore, chunk: int = 5000) -> Iterator[Imaged]:
    """Every key's versions, a chunk of keys at a time under the server's lock.

    A version whose bytes were never stored (made outside a request) has them written
    while the lock is still held: a request journaling the same key right after would
    otherwise name bytes that are not on disk yet."""
    with lock:
        keys = [(bucket.name, name) for bucket in _buckets() for name in list(dict.keys(bucket.keys))]
    for start in range(0, len(keys), chunk):
        with lock:
            imaged = imager.images(set(keys[start:start + chunk]))
            if imaged.blobs:
                blobs.write_many(imaged.blobs)
        if imaged.fresh:
            imager.move_to_disk(imaged.fresh)()
        imaged.records = [r for r in imaged.records if r[3] is not None]
        if imaged.records:
            yield imaged
