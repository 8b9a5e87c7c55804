"""Anchoring the metryka outside the records table.

A hash chain proves nothing to someone who can rewrite the whole chain: delete an entry,
recompute the hashes after it and the head, and every link checks out again. So at least
daily (and on demand) the heads of all chains of a unit are written, signed with the
registry's seal, to a compliance-locked bucket that nobody can change, not even the
table's administrators. Verification then compares each chain with the latest anchor: the
entry at the anchored seq must still be there with the anchored hash (whatever happened
before it would change that hash); entries after it are what was added since.

An anchor (gzipped JSON):

    {"format": "ezd-audit-anchor/1", "unit": "SP19", "anchored_at": "...",
     "chains": {"<object id>": [seq, "hash"], ...},
     "digest": "<sha256 over the canonical chains>",
     "signature": {"algorithm": "ECDSA-SHA256", "value": "<base64>", "certificate": "<PEM>"}}

The signature covers the canonical JSON of everything but "signature". An anchor that
does not verify against the seal's certificate is refused, as is a missing anchor when
one was expected: both are findings, not reasons to trust the table.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from ezd.adapters import anchor_store, audit_store, directory_store, seal
from ezd.clock import now_utc
from ezd.config import Settings
from ezd.errors import EzdError
from ezd.models.audit import VerificationResult
from ezd.services.audit import canonical_json

FORMAT = "ezd-audit-anchor/1"


class AnchorInvalid(EzdError):
    code = "AUDIT_ANCHOR_INVALID"


class Anchor(BaseModel):
    unit: str
    key: str
    anchored_at: datetime
    chains: dict[str, tuple[int, str]]
    digest: str


class AnchorRun(BaseModel):
    unit: str
    key: str | None  # None: nothing changed since the last anchor, none written
    chains: int


def _digest(chains: dict[str, list[Any]]) -> str:
    return hashlib.sha256(canonical_json(chains)).hexdigest()


def anchor_unit(unit: str, settings: Settings, *, force: bool = False) -> AnchorRun:
    """Signs the heads of ``unit``'s chains into a new locked anchor, unless nothing has
    changed since the latest one (``force`` writes one anyway)."""
    if not settings.anchor_bucket:
        raise AnchorInvalid("no anchor bucket configured (EZD_ANCHOR_BUCKET)")
    chains = {h.object_id: [h.seq, h.hash] for h in sorted(audit_store.heads_of_unit(unit), key=lambda h: h.object_id)}
    digest = _digest(chains)
    now = now_utc()
    latest = latest_anchor(unit, settings)
    if latest is not None and latest.digest == digest and not force:
        return AnchorRun(unit=unit, key=None, chains=len(chains))
    payload = {"format": FORMAT, "unit": unit, "anchored_at": now.isoformat(), "chains": chains, "digest": digest}
    signature, cert_pem = seal.sign_bytes(canonical_json(payload))
    payload["signature"] = {"algorithm": "ECDSA-SHA256", "value": base64.b64encode(signature).decode(),
                            "certificate": cert_pem.decode("ascii")}
    key = anchor_store.anchor_key(unit, now)
    anchor_store.put(settings.anchor_bucket, key, json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                     retain_until=now + timedelta(days=settings.anchor_retention_days))
    return AnchorRun(unit=unit, key=key, chains=len(chains))


def anchor_all(settings: Settings, unit: str | None = None) -> list[AnchorRun]:
    units = [unit] if unit else [u.symbol for u in directory_store.list_units()]
    return [anchor_unit(symbol, settings) for symbol in units]


def _checked(key: str, raw: bytes) -> Anchor:
    try:
        payload = json.loads(raw)
        signature = payload.pop("signature")
        value = base64.b64decode(signature["value"], validate=True)
        cert_pem = signature["certificate"].encode("ascii")
    except (ValueError, KeyError, TypeError) as exc:
        raise AnchorInvalid(f"the anchor {key} is unreadable") from exc
    expected = seal.seal_certificate()
    if expected is not None and cert_pem.strip() != expected.strip():
        raise AnchorInvalid(f"the anchor {key} is not signed with this registry's seal")
    if not seal.verify_bytes(canonical_json(payload), value, cert_pem):
        raise AnchorInvalid(f"the anchor {key} does not verify: it was altered or forged")
    if payload.get("format") != FORMAT or _digest(payload["chains"]) != payload.get("digest"):
        raise AnchorInvalid(f"the anchor {key} is not a valid anchor")
    return Anchor(unit=payload["unit"], key=key, anchored_at=datetime.fromisoformat(payload["anchored_at"]),
                  chains={k: (int(v[0]), str(v[1])) for k, v in payload["chains"].items()}, digest=payload["digest"])


def latest_anchor(unit: str, settings: Settings) -> Anchor | None:
    if not settings.anchor_bucket:
        return None
    key = anchor_store.latest_key(settings.anchor_bucket, unit, now_utc())
    if key is None:
        return None
    return _checked(key, anchor_store.read(settings.anchor_bucket, key))


def _seqs(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def compare(result: VerificationResult, anchor: Anchor | None) -> VerificationResult:
    """``result`` (the chain's own verification) judged against ``anchor`` too."""
    if anchor is None:
        return result.model_copy(update={"anchor": None, "since_anchor": "no anchor yet: the chain is checked only "
                                                                          "against itself"})
    when = anchor.anchored_at.isoformat(timespec="seconds")
    base = {"anchor": anchor.key, "anchored_at": anchor.anchored_at}
    anchored = anchor.chains.get(result.object_id)
    if anchored is None:
        return result.model_copy(update={**base, "since_anchor": f"not in the anchor of {when}: begun after it"})
    seq, hash_ = anchored
    chain = audit_store.raw_chain(result.object_id)
    stored = next((raw for raw in chain.entries if raw.key_seq == seq), None)
    update: dict[str, Any] = {**base, "anchored_seq": seq}
    if stored is None or stored.data is None:
        return result.model_copy(update={**update, "ok": False, "anchor_ok": False,
                                         "since_anchor": f"entry {seq}, anchored on {when}, is gone: entries were "
                                                         "deleted and the chain rewritten"})
    if stored.data.get("hash") != hash_:
        return result.model_copy(update={**update, "ok": False, "anchor_ok": False,
                                         "since_anchor": f"entry {seq} is not the one anchored on {when}: it or an "
                                                         "entry before it was changed or deleted, and the chain "
                                                         "rewritten"})
    last = max((raw.key_seq or 0) for raw in chain.entries)
    added = f"entries {_seqs(seq + 1, last)} added since" if last > seq else "nothing added since"
    return result.model_copy(update={**update, "anchor_ok": True,
                                     "since_anchor": f"matches the anchor of {when} up to entry {seq}; {added}"})


def verify_anchored(object_ids: list[str], settings: Settings) -> list[VerificationResult]:
    """Each chain verified by itself and against its unit's latest anchor."""
    from ezd.services import audit

    anchors: dict[str | None, Anchor | None] = {}
    results = []
    for result in audit.verify_many(object_ids):
        unit = audit_store.unit_of(result.object_id)
        if unit not in anchors:
            anchors[unit] = latest_anchor(unit, settings) if unit else None
        results.append(compare(result, anchors[unit]))
    return results
