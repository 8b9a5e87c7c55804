"""A letter from a unit's template: its placeholders filled from the case, the addressee,
the unit's letterhead and the signer, laid out and rendered to PDF (letter_pdf.py).

``render_letter`` is what an outgoing draft calls (it records the template's version and
the values with the draft); ``preview`` is the template screen's: the same letter for a
case of the unit (or made-up data), handed back as a short-lived link to the PDF kept
among the derived files (``letter-previews/``, removed by the bucket's lifecycle after a
day), as every other file is handed to the portal.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from pydantic import BaseModel, Field

from ezd.adapters import archive, case_store, directory_store
from ezd.clock import today
from ezd.config import Settings
from ezd.errors import EzdError, NotFound, ValidationFailed
from ezd.models.cases import Case
from ezd.models.contractors import Contractor
from ezd.models.directory import User
from ezd.models.letter_templates import TemplateContent, TemplateVersion
from ezd.services.auth import Principal
from ezd.services.dispatch import address_book
from ezd.services.dispatch import letter_templates as templates
from ezd.services.dispatch.letter_pdf import LetterLayout, blocks_of, render_pdf
from ezd.services.dispatch.letter_values import (
    Addressee, LetterFacts, Signer, date_line, fill, sample_facts, values_of,
)
from ezd.services.registry_queries import DownloadLink

PREVIEW_PREFIX = "letter-previews"


class LetterTemplateArchived(EzdError):
    code = "LETTER_TEMPLATE_ARCHIVED"


class RenderedLetter(BaseModel):
    pdf: bytes = Field(exclude=True, repr=False)
    sha256: str
    pages: int
    filename: str
    template_id: str
    template_version: int
    template_name: str
    values: dict[str, str]  # each placeholder the template uses, with the value it was given
    missing: list[str]  # those that had none (printed as "……")


def _filename(name: str, case_ref: str | None) -> str:
    base = f"{name} {case_ref}" if case_ref else name
    folded = unicodedata.normalize("NFKD", base.replace("ł", "l").replace("Ł", "L"))
    ascii_name = "".join(c for c in folded if not unicodedata.combining(c))
    return (re.sub(r"[^A-Za-z0-9.]+", "-", ascii_name).strip("-.")[:120] or "pismo") + ".pdf"


def _content_at(unit: str, template_id: str, version: int | None) -> tuple[TemplateContent, int, str]:
    template = templates.find(unit, template_id)
    if template is None:
        raise NotFound(f"no letter template {template_id} in unit {unit}")
    if version is None or version == template.version:
        if version is None and template.status != "active":
            raise LetterTemplateArchived("the template is archived: it is not used for new letters")
        return TemplateContent.model_validate(template.model_dump()), template.version, template.name
    from ezd.adapters import letter_template_store

    kept: TemplateVersion | None = letter_template_store.get_version(unit, template_id, version)
    if kept is None:
        raise NotFound(f"no version {version} of letter template {template_id}")
    return TemplateContent.model_validate(kept.model_dump()), version, kept.name


def render_letter(unit: str, template_id: str, case: Case | None, addressee: Addressee | Contractor | BaseModel | None,
                  signer: Signer | User | Principal | None, *, version: int | None = None,
                  day: date | None = None) -> RenderedLetter:
    """The letter from the unit's template (the version in use, which must be active; or an
    explicit ``version``, e.g. to render a draft again as it was), dated ``day`` (today in
    Poland). The addressee is a contractor of the book, this module's Addressee, or any model
    with its fields (a draft's models.outgoing.Addressee); the signer anything with
    ``full_name`` and ``position``. The caller has checked who may write it."""
    content, used_version, name = _content_at(unit, template_id, version)
    letterhead = templates.letterhead_of(unit)
    when = day or today()
    if isinstance(addressee, Contractor):
        addressee = Addressee.of(addressee)
    elif addressee is not None and not isinstance(addressee, Addressee):  # a draft's copy (models.outgoing.Addressee)
        addressee = Addressee.model_validate(addressee.model_dump(include=set(Addressee.model_fields)))
    if signer is not None and not isinstance(signer, Signer):
        signer = Signer(full_name=signer.full_name, position=signer.position)
    facts = LetterFacts(unit_name=letterhead.name or unit, letterhead=letterhead, case=case, addressee=addressee,
                        signer=signer, day=when)
    values = values_of(facts)
    subject, body = fill(content.subject, values), fill(content.body, values)
    layout = LetterLayout(
        unit_name=letterhead.name or unit, letterhead_lines=letterhead.address_lines,
        contact_lines=letterhead.contact_lines, date_line=date_line(letterhead, when),
        case_ref=case.ref if case else None, addressee_lines=addressee.block() if addressee else [],
        subject=subject.text, blocks=blocks_of(body.text),
        signer_lines=[signer.full_name, signer.position] if signer else [], title=name, day=when,
    )
    rendered = render_pdf(layout)
    used = subject.used + [n for n in body.used if n not in subject.used]
    missing = subject.missing + [n for n in body.missing if n not in subject.missing]
    return RenderedLetter(pdf=rendered.pdf, sha256=archive.sha256_hex(rendered.pdf), pages=rendered.pages,
                          filename=_filename(name, case.ref if case else None), template_id=template_id,
                          template_version=used_version, template_name=name,
                          values={n: values[n] for n in used}, missing=missing)


class PreviewRequest(BaseModel):
    case_ref: str | None = Field(default=None, max_length=100)
    contractor_id: str | None = Field(default=None, max_length=100)
    signer: str | None = Field(default=None, max_length=64)  # a login of the unit; the caller by default


class LetterPreview(BaseModel):
    template_id: str
    template_version: int
    pages: int
    sample: bool  # made-up case and addressee
    values: dict[str, str]
    missing: list[str]
    file: DownloadLink


def _signer(principal: Principal, unit: str, login: str | None) -> Signer:
    if not login or login == principal.login:
        return Signer(full_name=principal.full_name, position=principal.position)
    user = directory_store.get_user(login)
    if user is None or user.unit != unit or not user.active:
        raise ValidationFailed(f"{login} is not an active user of unit {unit}", code="LETTER_SIGNER_UNKNOWN")
    return Signer(full_name=user.full_name, position=user.position)


def preview(principal: Principal, unit: str, template_id: str, request: PreviewRequest,
            settings: Settings) -> LetterPreview:
    """The template as a letter, for a case of the unit and an addressee of its book (or
    made-up ones when none is named)."""
    templates.get_template(principal, unit, template_id)  # who may, and that it is theirs to see
    signer = _signer(principal, unit, request.signer)
    case = addressee = None
    if request.case_ref:
        case = case_store.get_case(unit, request.case_ref)
        if case is None:
            raise NotFound(f"no case {request.case_ref} in unit {unit}")
    if request.contractor_id:
        addressee = Addressee.of(address_book.get_contractor(principal, unit, request.contractor_id))
    sample = case is None and addressee is None
    if sample:
        head = templates.letterhead_of(unit)
        case, addressee = sample_facts(head.name or unit, head, today(), signer)
    letter = render_letter(unit, template_id, case, addressee, signer)
    key = f"{PREVIEW_PREFIX}/{unit}/{letter.sha256}.pdf"
    archive.put_derived(settings.derived_bucket, key, letter.pdf, "application/pdf")
    seconds = settings.download_link_seconds
    link = DownloadLink(
        filename=letter.filename, size=len(letter.pdf), sha256=letter.sha256, mime="application/pdf",
        url=archive.download_link(settings.derived_bucket, key, letter.filename, seconds), expires_in=seconds,
        preview_url=archive.preview_link(settings.derived_bucket, key, letter.filename, "application/pdf", seconds))
    return LetterPreview(template_id=template_id, template_version=letter.template_version, pages=letter.pages,
                         sample=sample, values=letter.values, missing=letter.missing, file=link)
