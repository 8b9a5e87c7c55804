"""Evidences (dowody) of the simulated service: ETSI-REM-like XML documents and the deemed-delivery date.

The XML is modelled on ETSI EN 319 522-2 (``REMEvidence``: version, event, evidence id,
event time, the submission's identifiers and a digest of the message), with the Polish
public-body evidences (BP.WX dowód wysłania, BP.OX dowód otrzymania) as their own event
types. It is not signed: nothing in the project verifies the provider's seal yet.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from xml.sax.saxutils import escape

from ezd.clock import WARSAW, local_date
from ezd.services.deadlines import next_working_day

NAMESPACE = "http://uri.etsi.org/19522/v1#"
SIM_NAMESPACE = "urn:ezd:local:edoreczenia-sim"
DEEMED_AFTER_DAYS = 14

EVENTS = {
    "A.1": "SubmissionAcceptance",
    "A.2": "SubmissionRejection",
    "D.1": "ContentConsignment",  # ready for pickup in the addressee's box
    "E.1": "ContentHandover",  # the addressee collected
    "BP.WX": "DowodWyslania",
    "BP.OX": "DowodOtrzymania",
}


def deemed_delivery_date(d1_event: datetime) -> date:
    """14 days after the D.1 event's (Warsaw) date, moved past weekends and holidays."""
    return next_working_day(local_date(d1_event) + timedelta(days=DEEMED_AFTER_DAYS))


def deemed_delivery_moment(d1_event: datetime) -> datetime:
    """When the deemed delivery takes effect: the end of the deemed-delivery day (Warsaw)."""
    day = deemed_delivery_date(d1_event)
    return datetime.combine(day, time(23, 59, 59), tzinfo=WARSAW)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def evidence_xml(*, evidence_id: str, evidence_type: str, message_id: str, event_time: datetime,
                 message_sha256: str, sender: str, recipient: str, submission_time: datetime | None,
                 reason: str | None = None, deemed: bool = False) -> bytes:
    event = EVENTS.get(evidence_type, evidence_type)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<REMEvidence xmlns="{NAMESPACE}" xmlns:sim="{SIM_NAMESPACE}" version="2">',
        f"<EvidenceIdentifier>{escape(evidence_id)}</EvidenceIdentifier>",
        f"<EventCode>{escape(evidence_type)}</EventCode>",
        f"<Event>{event}</Event>",
        f"<EventTime>{_iso(event_time)}</EventTime>",
    ]
    if submission_time is not None:
        parts.append(f"<SubmissionTime>{_iso(submission_time)}</SubmissionTime>")
    parts += [
        "<SenderDetails><REMAddress>" + escape(sender) + "</REMAddress></SenderDetails>",
        "<RecipientDetails><REMAddress>" + escape(recipient) + "</REMAddress></RecipientDetails>",
        f"<SubmissionIdentifier>{escape(message_id)}</SubmissionIdentifier>",
        '<MessageDigest Algorithm="http://www.w3.org/2001/04/xmlenc#sha256">'
        f"{message_sha256}</MessageDigest>",
    ]
    if reason:
        parts.append(f"<EventReason><Details>{escape(reason)}</Details></EventReason>")
    if deemed:
        parts.append("<sim:DeemedDelivery>true</sim:DeemedDelivery>")
    parts.append("</REMEvidence>")
    return "".join(parts).encode("utf-8")
