"""Wire-neutral models of what the ePUAP services exchange (WS-Pull, WS-Skrytka, push).

The SOAP codec (``ezd.adapters.epuap_soap``) turns these into and out of the contract's
XML; nothing here knows about XML, so services and tests can use them without lxml.
Field names are English; each one says which element of ``obiektypk.xsd`` it carries.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

# ePUAP answers "OK" with kod 1 in every StatusTyp (OdpowiedzSkrytki, OdpowiedzPull*).
STATUS_OK = 1


def sha1_base64(content: bytes) -> str:
    """The ``skrot`` ePUAP uses to confirm a pulled document: Base64 of the SHA-1 digest."""
    return base64.b64encode(hashlib.sha1(content).digest()).decode("ascii")  # noqa: S324 - protocol-mandated


class EpuapStatus(BaseModel):
    """StatusTyp: ``kod`` 1 means OK; ``komunikat`` is nillable in the contract."""

    model_config = ConfigDict(frozen=True)

    kod: int
    komunikat: str | None = None

    @property
    def ok(self) -> bool:
        return self.kod == STATUS_OK


class SenderProfile(BaseModel):
    """Who sends a document: DanePodmiotuTyp + DaneNadawcyTyp.

    Production ePUAP fills these from the sender's authenticated account, never from the
    request; the simulator accepts them so a test or the CLI can post "as" a citizen.
    """

    model_config = ConfigDict(frozen=True)

    identifier: str = Field(min_length=1)  # danePodmiotu/identyfikator
    # typOsoby: "F" person, "P" legal entity. Kept a plain string (not a Literal) on
    # purpose: a value outside F/P from the real service must not make the document
    # unparseable, because an unparseable head of the pull queue blocks the whole inbox.
    type: str = "P"
    first_name: str | None = None  # imieSkrot
    name: str | None = None  # nazwiskoNazwa
    consent: bool = False  # zgoda: agrees to be answered electronically
    user: str | None = None  # daneNadawcy/uzytkownik (login)
    system: str | None = None  # daneNadawcy/system


class PulledDocument(BaseModel):
    """One document waiting in an ESP inbox: OdpowiedzPullPobierzTyp (also the push message)."""

    model_config = ConfigDict(frozen=True, ser_json_bytes="base64")

    sender_id: str  # danePodmiotu/identyfikator
    sender_type: str  # danePodmiotu/typOsoby ("F"/"P"); str for the reason in SenderProfile
    sender_first_name: str | None = None  # danePodmiotu/imieSkrot
    sender_name: str | None = None  # danePodmiotu/nazwiskoNazwa
    sender_consent: bool = False  # danePodmiotu/zgoda
    sender_user: str | None = None  # daneNadawcy/uzytkownik
    sender_system: str | None = None  # daneNadawcy/system
    delivered_at: datetime  # dataNadania: the legal "data wpływu" comes from here
    box_name: str  # nazwaSkrytki
    box_address: str  # adresSkrytki
    reply_address: str | None = None  # adresOdpowiedzi (nillable)
    is_test: bool = False  # czyTestowe
    extra_data: bytes = b""  # daneDodatkowe (base64Binary, usually XML)
    filename: str  # dokument/nazwaPliku
    content_type: str | None = None  # dokument/typPliku
    # The letter itself; excluded from dumps so logs and events never carry it by accident.
    content: bytes = Field(exclude=True, repr=False)

    @field_validator("delivered_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        # A naive time would be read as local time by someone later; the receipt date is
        # legally relevant, so refuse ambiguity here.
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("delivered_at must be timezone-aware")
        return value

    @property
    def skrot(self) -> str:
        """Base64(SHA-1(content)): what ``potwierdzOdebranie`` expects."""
        return sha1_base64(self.content)

    @property
    def sender(self) -> SenderProfile:
        return SenderProfile(
            identifier=self.sender_id,
            type=self.sender_type,
            first_name=self.sender_first_name,
            name=self.sender_name,
            consent=self.sender_consent,
            user=self.sender_user,
            system=self.sender_system,
        )


class PullQuery(BaseModel):
    """ZapytaniePullTyp (+ ``skrot`` for ZapytaniePullPotwierdz)."""

    model_config = ConfigDict(frozen=True)

    operation: str  # "oczekujaceDokumenty" | "pobierzNastepny" | "potwierdzOdebranie"
    podmiot: str = Field(max_length=100)  # IdentyfikatorPodmiotuTyp has maxLength 100
    box_name: str
    box_address: str
    skrot: str | None = None


class NadajRequest(BaseModel):
    """WS-Skrytka ``nadaj`` / ``nadajAny`` input: SOAP headers plus the document body."""

    model_config = ConfigDict(frozen=True)

    podmiot: str = Field(max_length=100)  # IdentyfikatorPodmiotu header
    box_address: str  # AdresSkrytki header: the recipient's inbox
    reply_address: str | None = None  # AdresOdpowiedzi header
    trial: bool = False  # CzyProbne: a dry run, nothing is delivered
    extra_data: bytes = b""  # DaneDodatkowe header
    filename: str  # nadaj: ob:Dokument/nazwaPliku; nadajAny: NazwaPliku header
    content_type: str | None = None  # ob:Dokument/typPliku (nadaj only)
    content: bytes = Field(repr=False)
    # nadajAny carries the document as inline XML (ext:Dokument, anyType) instead of base64.
    as_any: bool = False
    # Simulator-only (see SenderProfile): never derived from this on the real service.
    sender: SenderProfile | None = None


class NadajResult(BaseModel):
    """OdpowiedzSkrytkiTyp of a successful ``nadaj``: the document id and the UPP id."""

    model_config = ConfigDict(frozen=True)

    document_id: str
    upp_id: str | None = None
    upp: bytes | None = Field(default=None, repr=False)  # the UPP document, when the answer carries it


class SkrytkaResponse(BaseModel):
    """OdpowiedzSkrytkiTyp as parsed (status may be non-OK; used by push receivers too)."""

    model_config = ConfigDict(frozen=True)

    status: EpuapStatus
    document_id: str | None = None
    upp_id: str | None = None
    upp: bytes | None = Field(default=None, repr=False)
