"""A unit's letter templates and letterhead: kept by the unit administrator, used by the
unit's case officers and managers (render_letter in letter_render.py).

Each unit has the city's starter templates for its kind (letter_catalogue.py) beside its
own. Every change — of the text, or archiving and restoring — is the next version, made
only from the version read; the earlier ones are kept and listed. An archived template is
no longer offered for new letters (its administrators still see and restore it).
"""

from __future__ import annotations

import uuid

from ezd.adapters import directory_store, letter_template_store as store
from ezd.clock import now_utc
from ezd.errors import EzdError, NotFound, ValidationFailed
from ezd.models.letter_templates import (
    NAME_TAKEN, TEXT_INVALID, VOCABULARY, Letterhead, LetterheadDetails, LetterTemplate, LetterTemplateList,
    TemplateChange, TemplateContent, TemplateProblem, TemplateStatus, TemplateVersion, TemplateVersionList, Vocabulary,
    bad_character, problems_of,
)
from ezd.search_text import fold
from ezd.services.auth import Principal
from ezd.services.dispatch import letter_catalogue

KEEPERS = ("unit_admin",)
USERS = ("unit_admin", "manager", "case_officer")


class LetterTemplateInvalid(ValidationFailed):
    """The template cannot be saved: ``problems`` says where and why (the code is the first one's)."""

    def __init__(self, problems: list[TemplateProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems), code=problems[0].code)
        self.problems = problems


class LetterTemplateChanged(EzdError):
    code = "LETTER_TEMPLATE_CHANGED"


class LetterTemplateState(EzdError):
    code = "LETTER_TEMPLATE_STATE"


class LetterheadChanged(EzdError):
    code = "LETTERHEAD_CHANGED"


def vocabulary() -> Vocabulary:
    return Vocabulary(placeholders=list(VOCABULARY))


def _kind(unit: str) -> str | None:
    found = directory_store.get_unit(unit)
    return found.kind if found else None


def _book(unit: str) -> list[LetterTemplate]:
    """The unit's templates: its stored ones, and the starters it has not changed."""
    stored = {t.template_id: t for t in store.list_templates(unit)}
    starters = [t for t in letter_catalogue.starters(unit, _kind(unit)) if t.template_id not in stored]
    return starters + sorted(stored.values(), key=lambda t: fold(t.name))


def find(unit: str, template_id: str) -> LetterTemplate | None:
    stored = store.get(unit, template_id)
    if stored is not None:
        return stored
    if template_id.startswith(letter_catalogue.STANDARD_PREFIX):
        return letter_catalogue.starter(unit, _kind(unit), template_id)
    return None


def list_templates(principal: Principal, unit: str) -> LetterTemplateList:
    """Administrators see every template, the others the active ones."""
    principal.require_role(unit, *USERS)
    items = _book(unit)
    if not principal.has_role(*KEEPERS):
        items = [t for t in items if t.status == "active"]
    return LetterTemplateList(unit=unit, count=len(items), items=items)


def get_template(principal: Principal, unit: str, template_id: str) -> LetterTemplate:
    principal.require_role(unit, *USERS)
    template = find(unit, template_id)
    if template is None or (template.status != "active" and not principal.has_role(*KEEPERS)):
        raise NotFound(f"no letter template {template_id} in unit {unit}")
    return template


def _first_version(template: LetterTemplate) -> TemplateVersion:
    return TemplateVersion(**TemplateContent.model_validate(template.model_dump()).model_dump(),
                           template_id=template.template_id, version=1, status="active", change="created",
                           changed_at=template.updated_at, changed_by=template.updated_by)


def versions(principal: Principal, unit: str, template_id: str) -> TemplateVersionList:
    template = get_template(principal, unit, template_id)
    items = store.versions(unit, template_id) or [_first_version(template)]
    return TemplateVersionList(unit=unit, template_id=template_id, count=len(items), items=items)


def _checked(unit: str, content: TemplateContent, template_id: str | None) -> None:
    problems = problems_of(content)
    name = fold(content.name)
    if any(t.template_id != template_id and t.status == "active" and fold(t.name) == name for t in _book(unit)):
        problems.insert(0, TemplateProblem(field="name", code=NAME_TAKEN, value=content.name,
                                           message="name: the unit has an active template of that name"))
    if problems:
        raise LetterTemplateInvalid(problems)


def _write(principal: Principal, current: LetterTemplate | None, content: TemplateContent, status: TemplateStatus,
           change: TemplateChange, template_id: str, unit: str) -> LetterTemplate:
    moment = now_utc()
    version = current.version + 1 if current else 1
    template = LetterTemplate(**content.model_dump(), template_id=template_id, unit=unit, version=version,
                              status=status, standard=bool(current and current.standard), updated_at=moment,
                              updated_by=principal.login)
    written = [TemplateVersion(**content.model_dump(), template_id=template_id, version=version, status=status,
                               change=change, changed_at=moment, changed_by=principal.login)]
    stored = current is not None and current.updated_at is not None  # a starter never changed has no author
    if current is not None and not stored:  # a starter, written for the first time: its version 1 too
        written.insert(0, _first_version(current))
    try:
        store.save(template, written, current.version if stored and current else None)
    except store.TemplateWriteConflict as exc:
        raise LetterTemplateChanged("the template changed meanwhile: read it again") from exc
    return template


def create_template(principal: Principal, unit: str, content: TemplateContent) -> LetterTemplate:
    principal.require_role(unit, *KEEPERS)
    _checked(unit, content, None)
    return _write(principal, None, content, "active", "created", uuid.uuid4().hex, unit)


def _current(principal: Principal, unit: str, template_id: str, expected_version: int) -> LetterTemplate:
    principal.require_role(unit, *KEEPERS)
    current = find(unit, template_id)
    if current is None:
        raise NotFound(f"no letter template {template_id} in unit {unit}")
    if current.version != expected_version:
        raise LetterTemplateChanged(f"the template is at version {current.version}, not {expected_version}")
    return current


def change_template(principal: Principal, unit: str, template_id: str, content: TemplateContent,
                    expected_version: int) -> LetterTemplate:
    current = _current(principal, unit, template_id, expected_version)
    _checked(unit, content, template_id)
    return _write(principal, current, content, current.status, "changed", template_id, unit)


def _content(template: LetterTemplate) -> TemplateContent:
    return TemplateContent.model_validate(template.model_dump())


def archive_template(principal: Principal, unit: str, template_id: str, expected_version: int) -> LetterTemplate:
    current = _current(principal, unit, template_id, expected_version)
    if current.status == "archived":
        raise LetterTemplateState("the template is archived already")
    return _write(principal, current, _content(current), "archived", "archived", template_id, unit)


def restore_template(principal: Principal, unit: str, template_id: str, expected_version: int) -> LetterTemplate:
    current = _current(principal, unit, template_id, expected_version)
    if current.status == "active":
        raise LetterTemplateState("the template is active")
    _checked(unit, _content(current), template_id)  # its name may have been taken meanwhile
    return _write(principal, current, _content(current), "active", "restored", template_id, unit)


# --- the letterhead -----------------------------------------------------------------


def letterhead_of(unit: str) -> Letterhead:
    """The stored letterhead, or the default one: the unit's name and nothing else."""
    stored = store.get_letterhead(unit)
    if stored is not None:
        return stored
    found = directory_store.get_unit(unit)
    return Letterhead(unit=unit, name=found.name if found else unit, version=0)


def get_letterhead(principal: Principal, unit: str) -> Letterhead:
    principal.require_role(unit, *USERS)
    return letterhead_of(unit)


def change_letterhead(principal: Principal, unit: str, details: LetterheadDetails, expected_version: int) -> Letterhead:
    principal.require_role(unit, *KEEPERS)
    texts = [details.name or "", details.place or "", *details.address_lines, *details.contact_lines]
    bad = next((c for c in map(bad_character, texts) if c is not None), None)
    if bad is not None:
        raise ValidationFailed(f"the character U+{ord(bad):04X} cannot be printed", code=TEXT_INVALID)
    current = letterhead_of(unit)
    if current.version != expected_version:
        raise LetterheadChanged(f"the letterhead is at version {current.version}, not {expected_version}")
    changed = Letterhead(**details.model_dump(), unit=unit, version=current.version + 1, updated_at=now_utc(),
                         updated_by=principal.login)
    try:
        store.put_letterhead(changed)
    except store.TemplateWriteConflict as exc:
        raise LetterheadChanged("the letterhead changed meanwhile: read it again") from exc
    return changed
