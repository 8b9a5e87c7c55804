"""What the officer and the approvers see of an outgoing document: the document, a
short-lived link to each version, and what the caller may do with it now."""

from __future__ import annotations

from pydantic import BaseModel

from ezd.adapters import archive, outgoing_register_store
from ezd.config import Settings
from ezd.models.outgoing import DraftVersion, OutgoingDocument
from ezd.models.outgoing_register import OutgoingItem, number_and_year_of
from ezd.services.auth import Principal


class VersionLink(BaseModel):
    version: int
    url: str  # downloads this version
    expires_in: int


class SignedLink(BaseModel):
    name: str
    url: str  # downloads the signed file
    expires_in: int


class OutgoingView(BaseModel):
    document: OutgoingDocument
    links: list[VersionLink]  # one per version, oldest first
    signed_links: list[SignedLink] = []  # the signed document (and its .xades) once signed
    attachment_links: list[SignedLink] = []  # the draft's attachments, as added
    may_edit: bool  # a new version, the addressees, submitting: the responsible officer and managers
    may_decide: bool  # the current approval step is the caller's
    may_dispatch: bool = False  # signed, and the caller is responsible for it or a manager
    items: list[OutgoingItem] = []  # what it went out as: its lines of the outgoing register


class OutgoingList(BaseModel):
    items: list[OutgoingView]


def _link(version: DraftVersion, seconds: int) -> VersionLink:
    name = f"v{version.version}-{version.filename}"
    return VersionLink(version=version.version, url=archive.download_link(version.bucket, version.key, name, seconds),
                       expires_in=seconds)


def _items(document: OutgoingDocument) -> list[OutgoingItem]:
    """Its register lines, each read by its key (the document names them)."""
    keys = [k for k in map(number_and_year_of, document.dispatched_as) if k]
    found = (outgoing_register_store.get(document.unit, year, number) for number, year in keys)
    return [item for item in found if item is not None]


def view(document: OutgoingDocument, principal: Principal, settings: Settings) -> OutgoingView:
    round_ = document.current_round
    waiting = round_.current if round_ and document.status == "in_approval" else None
    may_decide = bool(waiting and (waiting.target.login == principal.login
                                   or (waiting.target.role and principal.has_role(waiting.target.role))))
    return OutgoingView(
        document=document,
        links=[_link(v, settings.download_link_seconds) for v in document.versions],
        signed_links=[SignedLink(name=f.name, url=archive.download_link(f.bucket, f.key, f.name, settings.download_link_seconds),
                                 expires_in=settings.download_link_seconds)
                      for f in (document.signing.files if document.signing else [])],
        attachment_links=[SignedLink(name=a.name, url=archive.download_link(a.bucket, a.key, a.name,
                                                                            settings.download_link_seconds),
                                     expires_in=settings.download_link_seconds) for a in document.attachments],
        may_edit=document.status in ("draft", "approved")
        and (principal.login == document.responsible or principal.has_role("manager")),
        may_decide=may_decide,
        may_dispatch=document.status == "signed"
        and (principal.login == document.responsible or principal.has_role("manager")),
        items=_items(document),
    )
