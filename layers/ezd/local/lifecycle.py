"""S3 Lifecycle on the embedded stack: the template's rules, run on moto's objects.

moto stores a bucket's lifecycle configuration and never acts on it (and drops the size
filters it does not model). So the provisioner converts each bucket's
``LifecycleConfiguration`` of the template once (``configuration_from_template``), puts it
on moto's bucket, and hands the same rules to a ``LifecycleRunner``, which does what S3
does with them, in place on moto's objects:

- A **transition** changes the storage class of the same object version: its version id,
  bytes, ETag, last-modified, Object Lock mode, retain-until date and legal hold stay.
  Only to a colder class (S3's waterfall); objects smaller than 128 KiB only where the
  rule names a size (S3's default ``all_storage_classes_128K``).
- **Expiration** of a current version puts a delete marker on a versioned bucket (also
  on a locked version: a marker deletes nothing) and deletes the object on an
  unversioned one; a delete marker left alone is removed. A transition due the same day
  goes first (S3: "transition takes precedence over creation of delete markers").
- **Noncurrent expiration** removes old versions, counted from when the next version
  was written, never a version under retention or legal hold: a locked version is kept
  and tried again at the next run. Incomplete multipart uploads are aborted.

Dates as S3 counts them: the object's creation (or the moment it became noncurrent)
plus the rule's days, rounded up to the next midnight UTC. "Now" is the project's one
clock (``ezd.clock``), so a test can pin it and faketime moves it with everything else.

A run is a request into moto like any other (``SerializedMotoServer.run_locked``): it
holds the server's lock a chunk of keys at a time, reports every key it changed
(``persistence.changes``), and returns once those keys' new version lists are journaled
and durable, so a restart — after a stop or kill -9 — finds them as they were left.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Protocol

from ezd import clock
from ezd.local.persistence import changes

log = logging.getLogger(__name__)

MIN_TRANSITION_BYTES = 128 * 1024  # S3's default: smaller objects are not transitioned
CHUNK_KEYS = 2000  # keys examined per hold of the server's lock

# The order S3 transitions in: only ever to a class further down.
_COLDNESS = {"STANDARD": 0, "REDUCED_REDUNDANCY": 0, "STANDARD_IA": 1, "INTELLIGENT_TIERING": 2,
             "ONEZONE_IA": 3, "GLACIER_IR": 4, "GLACIER": 5, "DEEP_ARCHIVE": 6}
# Classes an object under 128 KiB may go to with ``varies_by_storage_class``.
_SMALL_ALLOWED = {"GLACIER", "DEEP_ARCHIVE"}


# --------------------------------------------------------------------------- the template's rules

_KNOWN_RULE_PROPERTIES = {
    "Id", "Status", "Prefix", "TagFilters", "ObjectSizeGreaterThan", "ObjectSizeLessThan",
    "ExpirationInDays", "ExpirationDate", "ExpiredObjectDeleteMarker", "Transitions", "Transition",
    "NoncurrentVersionExpiration", "NoncurrentVersionExpirationInDays", "NoncurrentVersionTransitions",
    "NoncurrentVersionTransition", "AbortIncompleteMultipartUpload",
}


@dataclass(frozen=True)
class LifecycleConfiguration:
    """A bucket's rules in the form of S3's API (``PutBucketLifecycleConfiguration``)."""

    rules: list[dict[str, Any]]
    transition_default_minimum_object_size: str = "all_storage_classes_128K"

    def put_arguments(self) -> dict[str, Any]:
        return {"LifecycleConfiguration": {"Rules": self.rules},
                "TransitionDefaultMinimumObjectSize": self.transition_default_minimum_object_size}


def _filter(rule: dict[str, Any]) -> dict[str, Any]:
    conditions: dict[str, Any] = {}
    if rule.get("Prefix"):
        conditions["Prefix"] = rule["Prefix"]
    tags = [{"Key": t["Key"], "Value": t["Value"]} for t in rule.get("TagFilters") or []]
    for name in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
        if rule.get(name) is not None:
            conditions[name] = int(rule[name])
    if tags:
        conditions["Tags"] = tags
    if not conditions:
        return {"Prefix": ""}
    if len(conditions) == 1 and "Tags" not in conditions:
        return conditions
    if len(conditions) == 1 and len(tags) == 1:
        return {"Tag": tags[0]}
    return {"And": conditions}


def _rule_from_template(rule: dict[str, Any]) -> dict[str, Any]:
    unknown = set(rule) - _KNOWN_RULE_PROPERTIES
    if unknown:
        # Better refuse than run a rule the local stack would get wrong.
        raise ValueError(f"lifecycle rule {rule.get('Id')!r}: the local stack does not run {sorted(unknown)}")
    converted: dict[str, Any] = {"ID": rule["Id"], "Status": rule["Status"], "Filter": _filter(rule)}
    expiration: dict[str, Any] = {}
    if rule.get("ExpirationInDays") is not None:
        expiration["Days"] = int(rule["ExpirationInDays"])
    if rule.get("ExpirationDate"):
        expiration["Date"] = str(rule["ExpirationDate"])
    if rule.get("ExpiredObjectDeleteMarker") is not None:
        expiration["ExpiredObjectDeleteMarker"] = str(rule["ExpiredObjectDeleteMarker"]).lower() == "true"
    if expiration:
        converted["Expiration"] = expiration
    transitions = list(rule.get("Transitions") or []) + ([rule["Transition"]] if rule.get("Transition") else [])
    if transitions:
        converted["Transitions"] = [
            {"StorageClass": t["StorageClass"],
             **({"Days": int(t["TransitionInDays"])} if t.get("TransitionInDays") is not None
                else {"Date": str(t["TransitionDate"])})}
            for t in transitions]
    noncurrent = dict(rule.get("NoncurrentVersionExpiration") or {})
    if rule.get("NoncurrentVersionExpirationInDays") is not None:
        noncurrent["NoncurrentDays"] = rule["NoncurrentVersionExpirationInDays"]
    if noncurrent:
        converted["NoncurrentVersionExpiration"] = {k: int(v) for k, v in noncurrent.items()}
    moves = list(rule.get("NoncurrentVersionTransitions") or [])
    if rule.get("NoncurrentVersionTransition"):
        moves.append(rule["NoncurrentVersionTransition"])
    if moves:
        converted["NoncurrentVersionTransitions"] = [
            {"NoncurrentDays": int(t["TransitionInDays"]), "StorageClass": t["StorageClass"],
             **({"NewerNoncurrentVersions": int(t["NewerNoncurrentVersions"])}
                if t.get("NewerNoncurrentVersions") is not None else {})}
            for t in moves]
    if rule.get("AbortIncompleteMultipartUpload"):
        converted["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])}
    return converted


def configuration_from_template(properties: dict[str, Any]) -> LifecycleConfiguration | None:
    """The bucket's ``LifecycleConfiguration`` (its resolved properties) in S3's API form."""
    lifecycle = properties.get("LifecycleConfiguration")
    if not lifecycle:
        return None
    return LifecycleConfiguration(
        rules=[_rule_from_template(rule) for rule in lifecycle["Rules"]],
        transition_default_minimum_object_size=lifecycle.get(
            "TransitionDefaultMinimumObjectSize", "all_storage_classes_128K"),
    )


# --------------------------------------------------------------------------- evaluating a rule

def _utc(moment: datetime) -> datetime:
    """moto stamps objects with naive UTC datetimes."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def due(start: datetime, days: int) -> datetime:
    """S3: "adding the number of days specified in the rule to the object creation time and
    rounding the resulting time to the next day midnight UTC"."""
    moment = _utc(start) + timedelta(days=days)
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return moment if moment == midnight else midnight + timedelta(days=1)


def _on_date(value: str) -> datetime:
    """A rule's Date: midnight UTC of that day."""
    return _utc(datetime.fromisoformat(value.replace("Z", "+00:00")))


def locked(version: Any, now: datetime) -> bool:
    """Under a legal hold, or a retention (either mode: lifecycle never bypasses
    governance) that has not ended."""
    if getattr(version, "lock_legal_status", None) == "ON":
        return True
    until = getattr(version, "lock_until", None)
    if getattr(version, "lock_mode", None) in ("GOVERNANCE", "COMPLIANCE") and until:
        if not isinstance(until, datetime):  # moto keeps the header's text
            until = datetime.fromisoformat(str(until).replace("Z", "+00:00"))
        return _utc(until) > now
    return False


@dataclass(frozen=True)
class _Rule:
    id: str
    enabled: bool
    prefix: str
    tags: tuple[tuple[str, str], ...]
    larger_than: int | None
    smaller_than: int | None
    expiration: dict[str, Any]
    transitions: tuple[dict[str, Any], ...]
    noncurrent_expiration: dict[str, Any] | None
    noncurrent_transitions: tuple[dict[str, Any], ...]
    abort_after_days: int | None

    @classmethod
    def parse(cls, rule: dict[str, Any]) -> "_Rule":
        raw = rule.get("Filter") or {}
        conditions = raw.get("And") or raw
        tags = list(conditions.get("Tags") or []) + ([conditions["Tag"]] if conditions.get("Tag") else [])
        return cls(
            id=rule.get("ID", ""), enabled=rule.get("Status") == "Enabled",
            prefix=conditions.get("Prefix", rule.get("Prefix", "")) or "",
            tags=tuple((t["Key"], t.get("Value", "")) for t in tags),
            larger_than=conditions.get("ObjectSizeGreaterThan"), smaller_than=conditions.get("ObjectSizeLessThan"),
            expiration=dict(rule.get("Expiration") or {}), transitions=tuple(rule.get("Transitions") or ()),
            noncurrent_expiration=rule.get("NoncurrentVersionExpiration"),
            noncurrent_transitions=tuple(rule.get("NoncurrentVersionTransitions") or ()),
            abort_after_days=(rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation"),
        )

    @property
    def sized(self) -> bool:
        return self.larger_than is not None or self.smaller_than is not None

    def matches(self, size: int, tags: Callable[[], dict[str, str]]) -> bool:
        if self.larger_than is not None and not size > self.larger_than:
            return False
        if self.smaller_than is not None and not size < self.smaller_than:
            return False
        if self.tags:
            have = tags()
            return all(have.get(k) == v for k, v in self.tags)
        return True

    def expires(self, start: datetime, now: datetime) -> bool:
        if "Days" in self.expiration:
            return now >= due(start, int(self.expiration["Days"]))
        if "Date" in self.expiration:
            return now >= _on_date(self.expiration["Date"])
        return False


def _may_go(size: int, storage_class: str, rule: _Rule, default_minimum: str) -> bool:
    """S3's default minimum object size for transitions; a rule naming a size overrides it."""
    if rule.sized or size >= MIN_TRANSITION_BYTES:
        return True
    return default_minimum == "varies_by_storage_class" and storage_class in _SMALL_ALLOWED


def _colder(target: str | None, current: str | None) -> bool:
    return target is not None and _COLDNESS.get(target, 0) > _COLDNESS.get(current or "STANDARD", 0)


# --------------------------------------------------------------------------- applying the rules

@dataclass
class BucketReport:
    transitioned: int = 0
    delete_markers: int = 0  # current versions expired on a versioned bucket
    deleted_objects: int = 0  # current versions expired on an unversioned bucket
    removed_versions: int = 0  # noncurrent versions expired
    removed_delete_markers: int = 0  # expired object delete markers
    kept_locked: int = 0  # versions due to expire but under retention or legal hold
    aborted_uploads: int = 0


@dataclass
class LifecycleReport:
    at: str
    buckets: dict[str, BucketReport] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at, "buckets": {name: asdict(report) for name, report in self.buckets.items()}}


def _backend_and_bucket(name: str) -> tuple[Any, Any]:
    from moto.s3.models import s3_backends

    located = s3_backends.bucket_accounts.get(name)
    if located is None:
        return None, None
    partition, account = located
    backend = s3_backends[account][partition]
    return backend, backend.buckets.get(name)


class _BucketRun:
    """The rules of one bucket applied to some of its keys (the server's lock held)."""

    def __init__(self, name: str, configuration: LifecycleConfiguration, now: datetime, report: BucketReport) -> None:
        self.name = name
        self.rules = [r for r in map(_Rule.parse, configuration.rules) if r.enabled]
        self.default_minimum = configuration.transition_default_minimum_object_size
        self.now = now
        self.report = report
        self.backend, self.bucket = _backend_and_bucket(name)

    def _tags(self, version: Any) -> Callable[[], dict[str, str]]:
        @functools.cache
        def tags() -> dict[str, str]:
            found = self.backend.tagger.list_tags_for_resource(version.arn).get("Tags", [])
            return {t["Key"]: t["Value"] for t in found}
        return tags

    def _target(self, version: Any, moves: Iterable[tuple[_Rule, dict[str, Any]]], start: datetime,
                newer: int | None = None) -> str | None:
        """The coldest class a due transition moves ``version`` to, if colder than its own."""
        best = None
        for rule, move in moves:
            days_key = "NoncurrentDays" if newer is not None else "Days"
            if days_key in move:
                if self.now < due(start, int(move[days_key])):
                    continue
            elif self.now < _on_date(move["Date"]):
                continue
            if newer is not None and newer < int(move.get("NewerNoncurrentVersions", 0)):
                continue
            storage_class = move["StorageClass"]
            if not _may_go(version.contentsize, storage_class, rule, self.default_minimum):
                continue
            if best is None or _COLDNESS.get(storage_class, 0) > _COLDNESS.get(best, 0):
                best = storage_class
        return best if _colder(best, version._storage_class) else None

    def apply(self, key_name: str) -> bool:
        """Returns whether anything of the key changed."""
        from moto.s3.models import FakeDeleteMarker

        versions = self.bucket.keys.getlist(key_name, None)
        if not versions:
            return False
        rules = [r for r in self.rules if key_name.startswith(r.prefix)]
        if not rules:
            return False
        kept: list[Any] = []
        changed = False
        # Versions are kept oldest first; the last is the current one.
        positions = [i for i, v in enumerate(versions[:-1]) if not isinstance(v, FakeDeleteMarker)]
        for index, version in enumerate(versions[:-1]):
            if isinstance(version, FakeDeleteMarker):
                kept.append(version)
                continue
            since = _utc(versions[index + 1].last_modified)  # it stopped being current then
            newer = sum(1 for p in positions if p > index)  # newer noncurrent versions
            matching = [r for r in rules if r.matches(version.contentsize, self._tags(version))]
            expiring = [r for r in matching if r.noncurrent_expiration
                        and self.now >= due(since, int(r.noncurrent_expiration["NoncurrentDays"]))
                        and newer >= int(r.noncurrent_expiration.get("NewerNoncurrentVersions", 0))]
            if expiring:
                if not locked(version, self.now):
                    self.report.removed_versions += 1
                    changed = True
                    continue
                self.report.kept_locked += 1
            target = self._target(version, [(r, m) for r in matching for m in r.noncurrent_transitions], since, newer)
            if target:
                version.set_storage_class(target)  # the same version: id, lock and hold stay
                self.report.transitioned += 1
                changed = True
            kept.append(version)
        current = versions[-1]
        if isinstance(current, FakeDeleteMarker):
            kept.append(current)
            only_marker = all(isinstance(v, FakeDeleteMarker) for v in kept)
            plain = [r for r in rules if not r.sized and not r.tags]  # a marker has no size or tags
            if only_marker and any(r.expiration.get("ExpiredObjectDeleteMarker") is True
                                   or r.expires(_utc(current.last_modified), self.now) for r in plain):
                self.report.removed_delete_markers += len(kept)
                kept = []
                changed = True
        else:
            changed |= self._current(current, kept, rules)
        if changed:
            self.bucket.keys.setlist(key_name, kept)  # disposes the versions left out
            if not kept:  # (moto's pop would dispose a delete marker, which it cannot)
                dict.pop(self.bucket.keys, key_name)
        return changed

    def _current(self, current: Any, kept: list[Any], rules: list[_Rule]) -> bool:
        """Transition or expire the current version; appends what stays to ``kept``."""
        from moto.s3.models import FakeDeleteMarker

        created = _utc(current.last_modified)
        matching = [r for r in rules if r.matches(current.contentsize, self._tags(current))]
        target = self._target(current, [(r, m) for r in matching for m in r.transitions], created)
        expires = any(r.expires(created, self.now) for r in matching)
        status = self.bucket.versioning_status
        if expires and not status:
            # An unversioned bucket (never locked: Object Lock needs versioning): gone.
            self.report.deleted_objects += 1
            return True
        if target:  # "transition takes precedence over creation of delete markers"
            current.set_storage_class(target)  # the same version: id, lock and hold stay
            self.report.transitioned += 1
            kept.append(current)
            return True
        kept.append(current)
        if not expires:
            return False
        marker = FakeDeleteMarker(key=current)
        marker.last_modified = self.now.replace(tzinfo=None)  # moto's naive UTC
        if status == "Suspended":
            # The marker takes the null version's place (a locked null version stays).
            marker._version_id = "null"
            kept[:] = [v for v in kept if str(v.version_id) != "null" or locked(v, self.now)]
        kept.append(marker)
        self.report.delete_markers += 1
        return True

    def abort_uploads(self, prefix: str) -> None:
        rules = [r for r in self.rules if r.abort_after_days is not None]
        for upload_id, upload in list(self.bucket.multiparts.items()):
            if not upload.key_name.startswith(prefix):
                continue
            started = getattr(upload, INITIATED, None)
            if started is None:  # begun before the hook was installed: counted from now
                setattr(upload, INITIATED, self.now)
                continue
            if any(upload.key_name.startswith(r.prefix) and self.now >= due(started, int(r.abort_after_days))
                   for r in rules):
                del self.bucket.multiparts[upload_id]
                self.report.aborted_uploads += 1


# --------------------------------------------------------------------------- the runner

class LockedRunner(Protocol):
    def run_locked(self, operation: Callable[[], Any]) -> Any:
        """Runs ``operation`` on moto's backends as a request: under the server's lock,
        its changes journaled and durable before it returns."""


class LifecycleRunner:
    def __init__(self, configurations: dict[str, LifecycleConfiguration], server: LockedRunner) -> None:
        self.configurations = configurations
        self._server = server

    def run(self, prefix: str = "") -> LifecycleReport:
        """One pass over every bucket with rules, as S3's daily lifecycle run; ``prefix``
        limits it to the keys under it (by hand, and in tests)."""
        now = clock.now_utc()
        report = LifecycleReport(at=now.isoformat())
        for name, configuration in self.configurations.items():
            bucket_report = report.buckets.setdefault(name, BucketReport())
            runs: list[_BucketRun] = []

            def keys(name: str = name, configuration: LifecycleConfiguration = configuration,
                     bucket_report: BucketReport = bucket_report) -> list[str]:
                run = _BucketRun(name, configuration, now, bucket_report)
                if run.bucket is None:
                    return []
                runs.append(run)
                run.abort_uploads(prefix)
                return [k for k in dict.keys(run.bucket.keys) if k.startswith(prefix)]

            names = self._server.run_locked(keys)
            if not runs:
                continue
            for start in range(0, len(names), CHUNK_KEYS):
                self._server.run_locked(functools.partial(self._chunk, runs[0], names[start:start + CHUNK_KEYS]))
        log.info("S3 lifecycle at %s: %s", report.at,
                 {n: {k: v for k, v in asdict(r).items() if v} for n, r in report.buckets.items()})
        return report

    @staticmethod
    def _chunk(run: _BucketRun, names: list[str]) -> None:
        for key_name in names:
            if run.apply(key_name):
                changes.touched_object(run.name, key_name)


# --------------------------------------------------------------------------- multipart initiation

INITIATED = "_ezd_initiated"
_installed = False


def install() -> None:
    """moto keeps no initiation time of a multipart upload: stamp it (in moto's own clock,
    like the objects' last-modified) so AbortIncompleteMultipartUpload can count days."""
    global _installed
    if _installed:
        return
    from moto.core.utils import utcnow
    from moto.s3.models import S3Backend

    original = S3Backend.create_multipart_upload

    @functools.wraps(original)
    def create_multipart_upload(self: Any, *args: Any, **kwargs: Any) -> Any:
        upload = original(self, *args, **kwargs)
        setattr(upload, INITIATED, _utc(utcnow()))
        return upload

    S3Backend.create_multipart_upload = create_multipart_upload  # type: ignore[method-assign]
    _installed = True
