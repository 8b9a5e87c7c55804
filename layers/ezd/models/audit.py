"""The metryka sprawy and the document audit trail: append-only, hash-chained entries.

Every action on a case or on a document is one `AuditEntry` in the chain of its object
(`CASE#<znak sprawy>` or `DOC#<document_id>`). Each entry carries the hash of the previous
one, so rewriting, deleting or inserting an entry breaks the chain (see services/audit.py).
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, field_validator

ZERO_HASH = "0" * 64


class Actor(BaseModel):
    """The person who did it, with the position held at the time (stanowisko)."""

    login: str
    full_name: str
    position: str = ""


SYSTEM = Actor(login="system", full_name="EZD", position="system")


class AuditAction(StrEnum):
    """Stable action names (they are part of the hashed content: never rename one)."""

    REGISTERED = "registered"
    CLASSIFIED = "classified"
    CLASSIFICATION_CHANGED = "classification_changed"
    DECREED = "decreed"
    DECRETATION_ACCEPTED = "decretation_accepted"
    DECRETATION_RETURNED = "decretation_returned"
    REDECREED = "redecreed"
    VIEWED = "viewed"
    METADATA_CHANGED = "metadata_changed"
    ATTACHED = "attached"
    DETACHED = "detached"
    CASE_OPENED = "case_opened"
    CASE_CLOSED = "case_closed"
    CASE_REOPENED = "case_reopened"
    SIGNED = "signed"
    DISPATCHED = "dispatched"
    DELIVERY_CONFIRMED = "delivery_confirmed"
    DISPATCH_FAILED = "dispatch_failed"
    TRANSFERRED = "transferred"
    DISPOSED = "disposed"
    LEGAL_HOLD_PLACED = "legal_hold_placed"
    LEGAL_HOLD_LIFTED = "legal_hold_lifted"
    BACKDATING_CONFIRMED = "backdating_confirmed"
    USER_ADDED = "user_added"
    USER_CHANGED = "user_changed"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    PASSWORD_RESET = "password_reset"
    DRAFT_CREATED = "draft_created"
    DRAFT_VERSION_ADDED = "draft_version_added"
    ADDRESSEES_SET = "addressees_set"
    SUBMITTED_FOR_APPROVAL = "submitted_for_approval"
    APPROVED = "approved"
    APPROVAL_RETURNED = "approval_returned"
    DRAFT_ATTACHMENT_ADDED = "draft_attachment_added"
    DRAFT_ATTACHMENT_REMOVED = "draft_attachment_removed"


# The default "Wykonana czynność" line when the caller gives no summary.
ACTION_LABELS_PL: dict[AuditAction, str] = {
    AuditAction.REGISTERED: "Rejestracja dokumentu",
    AuditAction.CLASSIFIED: "Nadanie klasyfikacji (JRWA)",
    AuditAction.CLASSIFICATION_CHANGED: "Zmiana klasyfikacji (JRWA)",
    AuditAction.DECREED: "Dekretacja",
    AuditAction.DECRETATION_ACCEPTED: "Przyjęcie dekretacji",
    AuditAction.DECRETATION_RETURNED: "Zwrot dekretacji",
    AuditAction.REDECREED: "Ponowna dekretacja",
    AuditAction.VIEWED: "Wyświetlenie dokumentu niepublicznego",
    AuditAction.METADATA_CHANGED: "Zmiana metadanych",
    AuditAction.ATTACHED: "Dołączenie dokumentu do sprawy",
    AuditAction.DETACHED: "Odłączenie dokumentu od sprawy",
    AuditAction.CASE_OPENED: "Założenie sprawy",
    AuditAction.CASE_CLOSED: "Zakończenie sprawy",
    AuditAction.CASE_REOPENED: "Wznowienie sprawy",
    AuditAction.SIGNED: "Podpisanie dokumentu",
    AuditAction.DISPATCHED: "Wysłanie dokumentu",
    AuditAction.DELIVERY_CONFIRMED: "Potwierdzenie doręczenia pisma",
    AuditAction.DISPATCH_FAILED: "Niepowodzenie wysyłki pisma",
    AuditAction.TRANSFERRED: "Przekazanie do archiwum",
    AuditAction.DISPOSED: "Brakowanie (zniszczenie) dokumentacji",
    AuditAction.LEGAL_HOLD_PLACED: "Założenie blokady prawnej",
    AuditAction.LEGAL_HOLD_LIFTED: "Zdjęcie blokady prawnej",
    AuditAction.BACKDATING_CONFIRMED: "Potwierdzenie daty wpływu wstecz",
    AuditAction.USER_ADDED: "Dodanie użytkownika",
    AuditAction.USER_CHANGED: "Zmiana danych lub ról użytkownika",
    AuditAction.USER_DEACTIVATED: "Dezaktywacja użytkownika",
    AuditAction.USER_REACTIVATED: "Ponowna aktywacja użytkownika",
    AuditAction.PASSWORD_RESET: "Reset hasła użytkownika",
    AuditAction.DRAFT_CREATED: "Utworzenie projektu pisma wychodzącego",
    AuditAction.DRAFT_VERSION_ADDED: "Nowa wersja projektu pisma",
    AuditAction.ADDRESSEES_SET: "Wskazanie adresatów pisma",
    AuditAction.SUBMITTED_FOR_APPROVAL: "Przekazanie projektu do akceptacji",
    AuditAction.APPROVED: "Akceptacja projektu pisma",
    AuditAction.APPROVAL_RETURNED: "Zwrot projektu pisma do poprawy",
    AuditAction.DRAFT_ATTACHMENT_ADDED: "Dodanie załącznika do projektu pisma",
    AuditAction.DRAFT_ATTACHMENT_REMOVED: "Usunięcie załącznika z projektu pisma",
}


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return value.astimezone(timezone.utc)


class AuditEntry(BaseModel):
    object_id: str
    seq: int = Field(ge=1)
    at: datetime  # UTC, tz-aware
    actor: Actor
    action: AuditAction
    document_id: str | None = None
    case_ref: str | None = None
    summary: str = ""  # human-readable Polish line, e.g. "Dekretacja do załatwienia: Jan Nowak"
    details: dict[str, Any] = {}
    prev_hash: str
    hash: str

    @field_validator("at")
    @classmethod
    def _at_utc(cls, value: datetime) -> datetime:
        return _utc(value)

    def hashed_content(self) -> dict[str, Any]:
        """Every field except `hash`, in the canonical JSON form the hash is computed over."""
        return {
            "object_id": self.object_id,
            "seq": self.seq,
            "at": format_at(self.at),
            "actor": {"login": self.actor.login, "full_name": self.actor.full_name,
                      "position": self.actor.position},
            "action": self.action.value,
            "document_id": self.document_id,
            "case_ref": self.case_ref,
            "summary": self.summary,
            "details": self.details,
            "prev_hash": self.prev_hash,
        }

    def to_item_data(self) -> dict[str, Any]:
        """The JSON stored in the table (the hashed content plus the hash)."""
        return {**self.hashed_content(), "hash": self.hash}


def format_at(value: datetime) -> str:
    """UTC, ISO 8601 with microseconds always present: `2026-03-02T09:15:03.000000+00:00`."""
    return _utc(value).isoformat(timespec="microseconds")


class AuditHead(BaseModel):
    """The last entry of a chain as recorded by the writer (guards against a cut tail)."""

    object_id: str
    seq: int
    hash: str


class VerificationResult(BaseModel):
    object_id: str
    ok: bool
    entries: int  # entries found in the table
    first_broken_seq: int | None = None
    reason: str | None = None
    head_hash: str | None = None
    missing_seqs: list[int] = []  # entries absent from the table (deleted), when known
    # Against the unit's latest signed anchor (services/audit_anchor.py), when checked:
    anchor: str | None = None  # the anchor's key in the locked bucket
    anchored_at: datetime | None = None
    anchored_seq: int | None = None
    anchor_ok: bool | None = None
    since_anchor: str | None = None  # what changed since, in words
