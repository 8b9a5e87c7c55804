"""The outgoing register (rejestr przesyłek wychodzących) and the postal dispatch book
(książka nadawcza): one line per item sent, numbered without gaps per unit and year."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

# e-Doręczenia; ePUAP WS-Doręczyciel `dorecz` (official delivery to a citizen, UPD back);
# ePUAP WS-Skrytka `nadaj` (to a public body's box, UPP back); the post.
DispatchMethod = Literal["edoreczenia", "epuap_dorecz", "epuap_nadaj", "post"]
# awaiting_postage: in the registry desk's tray until it is posted with its numer nadawczy.
# sending: registered, the dispatch workflow hands it to its channel; sent: the channel took
# it (its identifiers on the line); delivered: the evidence of delivery is archived;
# failed: refused by the channel, or not sent after the retries (the reason on the line).
ItemStatus = Literal["awaiting_postage", "posted", "sending", "sent", "delivered", "failed"]
# dowód wysłania / dowód otrzymania (e-Doręczenia BP.WX, BP.OX, and the service's A.1, A.2,
# D.1, E.1 the evidences API lists), ePUAP's UPP (nadaj) and UPD (dorecz).
EvidenceKind = Literal["edoreczenia", "epuap_upp", "epuap_upd"]
PostalService = Literal["polecony", "polecony_zpo"]  # registered, with or without the return receipt
WeightClass = Literal["do_350g", "do_1kg", "do_2kg"]


def outgoing_number(number: int, year: int) -> str:
    return f"RPWy/{number}/{year}"


def number_and_year_of(text: str) -> tuple[int, int] | None:
    """The line an outgoing number names: "RPWy/12/2026" -> (12, 2026); None if it is none."""
    match = re.fullmatch(r"RPWy/(\d+)/(\d{4})", text.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


class Postage(BaseModel):
    """How a letter went by post, as the postal book lists it."""

    tracking_number: str  # numer nadawczy from the label
    service: PostalService
    weight_class: WeightClass
    price_grosze: int = Field(ge=0)  # from the unit's tariff (services/dispatch/postal_tariff.py)
    posted_on: date
    posted_by: str


class DispatchEvidence(BaseModel):
    """An evidence of an electronic dispatch, archived content-addressed under Object Lock."""

    kind: EvidenceKind
    code: str  # BP.WX, BP.OX, A.1, E.1, ... for e-Doręczenia; UPP, UPD for ePUAP
    name: str  # dowód wysłania, dowód otrzymania, ...
    evidence_id: str  # the channel's identifier of the evidence
    at: datetime  # the event's time as the evidence states it
    sha256: str
    bucket: str
    key: str
    filename: str


class OutgoingItem(BaseModel):
    """One line of the outgoing register: the metadata the brief requires for an outgoing
    item — who is responsible (name and position), the dispatch method, the addressee with
    town and country or an e-delivery address — and what became of it."""

    unit: str
    year: int
    number: int
    registry_number: str
    outgoing_id: str
    case_ref: str
    title: str
    addressee_name: str
    addressee_address: str  # postal, or the ePUAP box / e-delivery address it went to
    addressee_town: str | None = None
    addressee_country: str | None = None
    addressee_ade: str | None = None
    method: DispatchMethod
    responsible_name: str
    responsible_position: str
    document_sha256: str  # the signed document as sent
    registered_at: datetime
    status: ItemStatus
    postage: Postage | None = None
    sent_at: datetime | None = None  # handed to the channel (for the post: the day it was posted)
    # Electronic dispatch: the channel's identifiers (e-Doręczenia message and task ids,
    # ePUAP document, UPP and order ids), the archived evidences, the legal time of delivery
    # (the evidence's, never the moment the EZD learned of it) and why it failed.
    channel_ids: dict[str, str] = Field(default_factory=dict)
    evidences: list[DispatchEvidence] = Field(default_factory=list)
    delivered_at: datetime | None = None
    failure_reason: str | None = None
    # The workflow stopped waiting (its last check passed): the scheduled check asks now.
    left_to_schedule: bool = False
    version: int = 1


class OutgoingRegisterPage(BaseModel):
    unit: str
    year: int
    total: int
    items: list[OutgoingItem]


class PostalBook(BaseModel):
    """The day's book of registered letters, in the order they were posted."""

    unit: str
    sender_name: str
    day: date
    items: list[OutgoingItem]
    total_grosze: int
