"""DynamoDB access for a unit's letter templates, their versions and its letterhead.

| item | PK | SK |
|---|---|---|
| a template as it is now | `LETTER_TEMPLATES#<unit>` | `<template_id>` (`value` = version) |
| each version of it, kept | `LETTER_TEMPLATE_VERSIONS#<unit>#<template_id>` | `v<version:06d>` |
| the unit's letterhead | `LETTERHEAD#<unit>` | `CURRENT` (`value` = version) |

A change writes the new version and moves the template to it in one transaction, on
condition that the template is still at the version read: no change is lost, none is
written twice. The city's starter templates are not stored until a unit changes one; then
their first version (the catalogue's text) is written with the change.
"""

from __future__ import annotations

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ezd.adapters.records_table import RecordItem, bind_table, transaction_connection
from ezd.config import settings
from ezd.models.letter_templates import Letterhead, LetterTemplate, TemplateVersion


class TemplateWriteConflict(Exception):
    """The template (or letterhead) changed since it was read, or exists already."""


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def _head_pk(unit: str) -> str:
    return f"LETTER_TEMPLATES#{unit}"


def _versions_pk(unit: str, template_id: str) -> str:
    return f"LETTER_TEMPLATE_VERSIONS#{unit}#{template_id}"


def _version_sk(version: int) -> str:
    return f"v{version:06d}"


def _version_item(unit: str, version: TemplateVersion) -> RecordItem:
    return RecordItem(_versions_pk(unit, version.template_id), _version_sk(version.version), kind="letter_template_version",
                      value=version.version, data=version.model_dump(mode="json"))


def save(template: LetterTemplate, versions: list[TemplateVersion], expected_version: int | None) -> None:
    """Writes ``versions`` (the new one last) and moves the template to it; ``expected_version``
    None: the template must not be stored yet."""
    _bound()
    head = RecordItem(_head_pk(template.unit), template.template_id, kind="letter_template", value=template.version,
                      data=template.model_dump(mode="json"))
    try:
        with TransactWrite(connection=transaction_connection()) as tx:
            for version in versions:
                tx.save(_version_item(template.unit, version), condition=RecordItem.pk.does_not_exist())
            if expected_version is None:
                tx.save(head, condition=RecordItem.pk.does_not_exist())
            else:
                tx.save(head, condition=RecordItem.value == expected_version)
    except TransactWriteError as exc:
        reasons = [getattr(r, "code", None) if r else None for r in (exc.cancellation_reasons or [])]
        if not reasons or any(code in ("ConditionalCheckFailed", "TransactionConflict") for code in reasons):
            raise TemplateWriteConflict(str(exc)) from exc
        raise


def get(unit: str, template_id: str) -> LetterTemplate | None:
    _bound()
    try:
        return LetterTemplate.model_validate(RecordItem.get(_head_pk(unit), template_id, consistent_read=True).data)
    except RecordItem.DoesNotExist:
        return None


def list_templates(unit: str) -> list[LetterTemplate]:
    _bound()
    return [LetterTemplate.model_validate(i.data) for i in RecordItem.query(_head_pk(unit))]


def versions(unit: str, template_id: str) -> list[TemplateVersion]:
    """Newest first."""
    _bound()
    return [TemplateVersion.model_validate(i.data)
            for i in RecordItem.query(_versions_pk(unit, template_id), scan_index_forward=False)]


def get_version(unit: str, template_id: str, version: int) -> TemplateVersion | None:
    _bound()
    try:
        return TemplateVersion.model_validate(
            RecordItem.get(_versions_pk(unit, template_id), _version_sk(version), consistent_read=True).data)
    except RecordItem.DoesNotExist:
        return None


def _letterhead_item(letterhead: Letterhead) -> RecordItem:
    return RecordItem(f"LETTERHEAD#{letterhead.unit}", "CURRENT", kind="letterhead", value=letterhead.version,
                      data=letterhead.model_dump(mode="json"))


def get_letterhead(unit: str) -> Letterhead | None:
    _bound()
    try:
        return Letterhead.model_validate(RecordItem.get(f"LETTERHEAD#{unit}", "CURRENT", consistent_read=True).data)
    except RecordItem.DoesNotExist:
        return None


def put_letterhead(letterhead: Letterhead) -> None:
    """The next version of the letterhead, read at version - 1 (version 1: none stored yet)."""
    _bound()
    condition = (RecordItem.pk.does_not_exist() if letterhead.version == 1
                 else RecordItem.value == letterhead.version - 1)
    try:
        _letterhead_item(letterhead).save(condition=condition)
    except PutError as exc:
        raise TemplateWriteConflict(str(exc)) from exc


def put_letterheads(letterheads: list[Letterhead]) -> None:
    """Demo data: many letterheads at once, unconditionally."""
    _bound()
    with RecordItem.batch_write() as batch:
        for letterhead in letterheads:
            batch.save(_letterhead_item(letterhead))
