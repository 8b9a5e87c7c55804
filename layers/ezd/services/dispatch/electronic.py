"""The electronic dispatch of an outgoing item: the steps of ``statemachines/dispatch.asl.json``.

The dispatch API registers the items (status ``sending``, in the register's transaction)
and starts one execution per item, named ``<unit>-<year>-<number>`` (a repeated start
starts nothing). Then:

- ``send``: hands the item to its channel once (``channels.py``), archives what came back
  (dowód wysłania, UPP) content-addressed under Object Lock, records the channel's
  identifiers and moves the line ``sending → sent`` (metryka: ``dispatched``); a refusal
  moves it to ``failed`` with the reason (``dispatch_failed``). Before it calls the channel
  it marks the line "send started": a retried step finds the mark and asks the channel
  whether the first attempt got through (e-Doręczenia: the sent messages carrying our
  reference) before sending anything.
- ``check``: for a send whose outcome was unknown (``EdoreczeniaSendOutcomeUnknown``: the
  answer lost, the draft gone, no sent message found yet) looks the message up by its
  reference until it appears — never sends again; otherwise fetches the evidences not archived yet, archives them and, with the dowód
  otrzymania (BP.OX) or the UPD, moves the line ``sent → delivered`` with ``delivered_at``
  the evidence's own time (metryka: ``delivery_confirmed``). It answers how long the
  workflow's Wait state waits before asking again (growing, capped) and whether to stop.
- ``fail``: the workflow's Catch after the retries: ``failed`` with the reason.
- ``leave``: the workflow stops waiting (its last check, or a check failing after its
  retries): the line goes on the list the scheduled check (``scheduled``) asks for.

Every step reads the line first and does nothing it has done: the line is the truth, the
workflow only carries its key.
"""

from __future__ import annotations

import json
from typing import Any

from ezd.adapters import archive, directory_store, outgoing_register_store, outgoing_store, workflows
from ezd.adapters.audit_store import AlongsideConditionFailed
from ezd.adapters.edoreczenia_client import EdoreczeniaSendOutcomeUnknown
from ezd.adapters.epuap_doreczyciel import Upd
from ezd.clock import now_utc
from ezd.config import Settings
from ezd.errors import EzdError, NotFound, TransientFault
from ezd.models.audit import SYSTEM
from ezd.models.cases import case_audit_key
from ezd.models.outgoing_register import DispatchEvidence, OutgoingItem
from ezd.services import audit
from ezd.services.dispatch import channels
from ezd.services.dispatch.channels import EVIDENCE_NAMES, RECEIPTS, Fetched, SignedFileBytes

FINAL = ("delivered", "failed")
_RPWY = "RPWy/"


class ItemChanged(TransientFault):
    """The line changed under the step (another step of the same item): run it again."""

    code = "DISPATCH_ITEM_CHANGED"


def execution_name(item: OutgoingItem) -> str:
    return f"{item.unit}-{item.year}-{item.number}"


def start(items: list[OutgoingItem], settings: Settings, correlation_id: str | None = None) -> None:
    """One execution per electronic item; the register's transaction is already committed,
    so a start that fails leaves the line ``sending`` for the scheduled check to restart."""
    if not settings.dispatch_state_machine_arn:
        raise EzdError("the dispatch workflow is not configured (EZD_DISPATCH_STATE_MACHINE_ARN)",
                       code="DISPATCH_NOT_CONFIGURED")
    for item in items:
        if item.method != "post":
            workflows.start(settings.dispatch_state_machine_arn, execution_name(item),
                            {"unit": item.unit, "year": item.year, "number": item.number,
                             "correlation_id": correlation_id or ""})


def _item(unit: str, year: int, number: int) -> OutgoingItem:
    item = outgoing_register_store.get(unit, year, number)
    if item is None:
        raise NotFound(f"no outgoing item {number}/{year} in unit {unit}")
    return item


def _files(item: OutgoingItem, settings: Settings) -> list[SignedFileBytes]:
    document = outgoing_store.get(item.outgoing_id)
    if document is None or document.signing is None:
        raise NotFound(f"{item.outgoing_id} has no signed files")
    return [SignedFileBytes(f.name, f.mime or "application/octet-stream", archive.read(f.bucket, f.key))
            for f in document.signing.files]


def _archived(fetched: list[Fetched], item: OutgoingItem, settings: Settings) -> list[DispatchEvidence]:
    known = {e.evidence_id for e in item.evidences}
    kind = {"edoreczenia": "edoreczenia", "epuap_nadaj": "epuap_upp", "epuap_dorecz": "epuap_upd"}[item.method]
    out = []
    for f in fetched:
        if f.evidence_id in known:
            continue
        key, digest = archive.put_locked_once(settings.archive_bucket, f.content,
                                              retention_days=settings.archive_retention_days,
                                              content_type="application/xml")
        out.append(DispatchEvidence(kind=kind, code=f.code, name=EVIDENCE_NAMES.get(f.code, f.code),
                                    evidence_id=f.evidence_id, at=f.at, sha256=digest,
                                    bucket=settings.archive_bucket, key=key, filename=f.filename))
        known.add(f.evidence_id)
    return out


def _save(item: OutgoingItem, action: str | None = None, summary: str = "", details: dict[str, Any] | None = None) -> None:
    """The changed line (one version on from what was read), with its metryka entry when
    the change is one the case's history records."""
    try:
        if action is None:
            outgoing_register_store.save(item)
            return
        audit.record(audit.case_object(case_audit_key(item.unit, item.case_ref)), SYSTEM, action,
                     case_ref=item.case_ref, summary=summary,
                     details={"outgoing_id": item.outgoing_id, "item": item.registry_number, **(details or {})},
                     alongside=[outgoing_register_store.line_write(item)])
    except (AlongsideConditionFailed, outgoing_register_store.LineChanged) as exc:
        raise ItemChanged(f"{item.registry_number} changed meanwhile") from exc


def _next(item: OutgoingItem, **changes: Any) -> OutgoingItem:
    return item.model_copy(update={**changes, "version": item.version + 1})


def _fail(item: OutgoingItem, reason: str, evidences: list[DispatchEvidence] | None = None) -> OutgoingItem:
    failed = _next(item, status="failed", failure_reason=reason[:500], evidences=[*item.evidences, *(evidences or [])],
                   left_to_schedule=False)
    _save(failed, "dispatch_failed", f"Niepowodzenie wysyłki {item.registry_number} ({item.method}): {reason[:300]}",
          {"reason": reason[:500]})
    return failed


def _delivered(item: OutgoingItem, new: list[DispatchEvidence]) -> OutgoingItem:
    """The line with the new evidences; delivered when one of them proves the delivery."""
    evidences = [*item.evidences, *new]
    proof = next((e for e in evidences if e.code in (*RECEIPTS, "UPD", "UPP")), None)
    if proof is None:
        if new:
            item = _next(item, evidences=evidences)
            _save(item)
        return item
    delivered = _next(item, status="delivered", evidences=evidences, delivered_at=proof.at, left_to_schedule=False)
    _save(delivered, "delivery_confirmed",
          f"Doręczenie {item.registry_number} do {item.addressee_name}: {proof.name} z {proof.at.isoformat()}",
          {"evidence": proof.code, "evidence_id": proof.evidence_id, "sha256": proof.sha256,
           "delivered_at": proof.at.isoformat()})
    return delivered


def send(unit: str, year: int, number: int, settings: Settings) -> dict[str, Any]:
    item = _item(unit, year, number)
    if item.status != "sending":
        return _answer(item)
    sender = directory_store.get_unit(unit)
    if sender is None:
        raise NotFound(f"no unit {unit}")
    retried = "send_started" in item.channel_ids
    if not retried:
        item = _next(item, channel_ids={**item.channel_ids, "send_started": now_utc().isoformat()})
        _save(item)
    files = _files(item, settings)
    try:
        if item.method == "edoreczenia":
            outcome = channels.edoreczenia_send(item, sender, files, settings, look_up_first=retried)
        elif item.method == "epuap_nadaj":
            outcome = channels.epuap_nadaj(item, sender, files, settings)
        else:
            outcome = channels.epuap_dorecz(item, sender, files, settings)
    except (TransientFault, EdoreczeniaSendOutcomeUnknown):
        raise  # the workflow's Retry runs the step again (a send first looks the last one up)
    except EzdError as refused:  # the channel said no: retrying the same request will not help
        return _answer(_fail(item, f"{type(refused).__name__}: {refused.message}"))
    return _answer(_record_sent(item, outcome, settings))


def _record_sent(item: OutgoingItem, outcome: channels.SendOutcome, settings: Settings) -> OutgoingItem:
    new = _archived(outcome.evidences, item, settings)
    if outcome.refused:
        with_ids = item.model_copy(update={"channel_ids": {**item.channel_ids, **outcome.channel_ids}})
        return _fail(with_ids, outcome.refused, new)
    ids = ", ".join(f"{k}={v}" for k, v in outcome.channel_ids.items())
    sent = _next(item, status="sent", sent_at=now_utc(), channel_ids={**item.channel_ids, **outcome.channel_ids},
                 evidences=[*item.evidences, *new])
    _save(sent, "dispatched", f"Wysłanie {item.registry_number} do {item.addressee_name} ({item.method}): {ids}",
          {"channel_ids": outcome.channel_ids, "evidences": [e.code for e in new]})
    return _delivered(sent, [])


def check(unit: str, year: int, number: int, attempt: int, settings: Settings) -> dict[str, Any]:
    item = _item(unit, year, number)
    if item.status == "sending" and item.method == "edoreczenia" and "send_started" in item.channel_ids:
        # A send whose outcome was unknown: resolved by asking the service, never by sending again.
        sender = directory_store.get_unit(unit)
        assert sender is not None
        found = channels.edoreczenia_find(item, sender, settings)
        if found is not None:
            item = _record_sent(item, found, settings)
    elif item.status == "sent":
        sender = directory_store.get_unit(unit)
        assert sender is not None
        if item.method == "edoreczenia":
            known = {e.evidence_id for e in item.evidences}
            fetched = channels.edoreczenia_evidences(item, sender, item.channel_ids["edoreczenia_message_id"],
                                                     settings, known)
            new = _archived(fetched, item, settings)
            rejected = [e for e in fetched if e.code == channels.REJECTION]
            item = _fail(item, rejected[0].reason or "A.2", new) if rejected else _delivered(item, new)
        elif item.method == "epuap_dorecz":
            channels.collect_upds(sender, settings, lambda upd: take_upd(unit, upd, settings))
            item = _item(unit, year, number)
    answer = _answer(item)
    waits = settings.dispatch_wait_first_seconds * (2 ** attempt)
    answer.update(attempt=attempt + 1, wait_seconds=max(1, min(settings.dispatch_wait_cap_seconds, waits)),
                  give_up=attempt + 1 >= settings.dispatch_wait_max_checks)
    return answer


def take_upd(unit: str, upd: Upd, settings: Settings) -> None:
    """A UPD from the unit's UPD box, onto the line its document identifier names
    (``<unit>/RPWy/<number>/<year>``, the reference the dorecz carried)."""
    owner, _, number_year = upd.document_id.partition("/")
    if owner != unit or not number_year.startswith(_RPWY):
        return  # not one of this unit's: confirmed and left out
    number, _, year = number_year[len(_RPWY):].partition("/")
    item = outgoing_register_store.get(unit, int(year), int(number))
    if item is None or item.channel_ids.get("epuap_order_id") != upd.order_id or item.status != "sent":
        return
    new = _archived([Fetched(code="UPD", evidence_id=upd.upd_id, at=upd.delivered_at, content=upd.content,
                             filename=f"UPD-{upd.upd_id}.xml")], item, settings)
    _delivered(item, new)


def fail(unit: str, year: int, number: int, error: str, cause: str) -> dict[str, Any]:
    item = _item(unit, year, number)
    if item.status in FINAL:
        return _answer(item)
    try:  # the Catch's Cause is Lambda's error object as JSON
        text = str(json.loads(cause).get("errorMessage") or "") if cause else ""
    except (ValueError, AttributeError):
        text = cause
    code, message = EzdError.split_message(text)
    return _answer(_fail(item, f"{error}: {message or code or 'no detail'} (after the retries)"))


def leave(unit: str, year: int, number: int) -> dict[str, Any]:
    """The workflow stops waiting: a line still sent goes on the scheduled check's list."""
    item = _item(unit, year, number)
    if item.status == "sent" and not item.left_to_schedule:
        item = _next(item, left_to_schedule=True)
        _save(item)
    return _answer(item)


def scheduled(settings: Settings) -> dict[str, Any]:
    """The scheduled check: every line left to it, asked once a run (the channels' evidences,
    the unit's UPD box); one line's trouble does not stop the others."""
    report: dict[str, Any] = {"checked": 0, "delivered": 0, "errors": []}
    for item in outgoing_register_store.left_to_schedule():
        try:
            answer = check(item.unit, item.year, item.number, settings.dispatch_wait_max_checks, settings)
        except EzdError as exc:
            report["errors"].append(f"{item.registry_number} ({item.unit}): {exc}")
            continue
        report["checked"] += 1
        report["delivered"] += int(answer["status"] == "delivered")
    return report


def _answer(item: OutgoingItem) -> dict[str, Any]:
    return {"unit": item.unit, "year": item.year, "number": item.number, "status": item.status,
            "done": item.status in FINAL}
