"""Dispatch of a signed outgoing document into the outgoing register, and the post.

Dispatching gives every addressee's item the next number of the unit's outgoing register
for the year (gapless: the counter, the lines, the document and the case's metryka entry
are one transaction, retried with the fresh counter when another dispatch took it). A
letter going by post waits in the registry desk's tray until the desk posts it and
records its numer nadawczy, service and weight; the day's postal book lists it then.

An item going electronically (e-Doręczenia, ePUAP ``nadaj`` to a public body's box, ePUAP
``dorecz`` to a person's) is registered ``sending`` in the same transaction, and the
dispatch workflow is started for it once the transaction is committed
(``electronic.py``): the API call sends nothing itself. ``dorecz`` takes only a signed
XML document (enveloped XAdES): anything else is refused with
DISPATCH_DORECZ_NEEDS_SIGNED_XML before a number is given.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel

from ezd.adapters import directory_store, outgoing_register_store, outgoing_store
from ezd.adapters.audit_store import AlongsideConditionFailed
from ezd.clock import local_date, now_utc, today
from ezd.errors import AccessDenied, EzdError, NotFound, ValidationFailed
from ezd.models.cases import case_audit_key
from ezd.models.outgoing import Addressee, OutgoingDocument
from ezd.models.outgoing_register import (DispatchMethod, OutgoingItem, OutgoingRegisterPage, Postage, PostalBook,
                                          PostalService, WeightClass, outgoing_number)
from ezd.services import audit
from ezd.services.auth import Principal
from ezd.config import settings
from ezd.services.dispatch import drafts, electronic, postal_tariff, sealing
from ezd.services.dispatch.drafts import OutgoingChanged, OutgoingStateError, actor_of

MAX_ATTEMPTS = 8


class ChannelUnavailable(EzdError):
    code = "DISPATCH_CHANNEL_UNAVAILABLE"


class DoreczNeedsSignedXml(EzdError):
    code = "DISPATCH_DORECZ_NEEDS_SIGNED_XML"



class DispatchChoice(BaseModel):
    addressee: int  # its index in the document's addressees
    method: DispatchMethod | None = None  # None: the first its addresses allow


def default_method(a: Addressee) -> DispatchMethod:
    first = a.channels[0]
    if first == "epuap":
        return "epuap_dorecz" if a.kind == "person" else "epuap_nadaj"
    return first


def _allowed(a: Addressee, method: DispatchMethod) -> bool:
    need = {"edoreczenia": "edoreczenia", "epuap_dorecz": "epuap", "epuap_nadaj": "epuap", "post": "post"}[method]
    return need in a.channels


def _address(a: Addressee, method: DispatchMethod) -> str:
    if method == "edoreczenia":
        return a.ade or ""
    if method.startswith("epuap"):
        return a.esp_address or ""
    return ", ".join(p for p in (a.street, " ".join(x for x in (a.postal_code, a.town) if x), a.country) if p)


def _items(document: OutgoingDocument, choices: list[DispatchChoice], first: int) -> list[OutgoingItem]:
    now = now_utc()
    year = local_date(now).year
    signed = document.signing.files[0].sha256 if document.signing else ""
    items = []
    for n, choice in enumerate(choices):
        a = document.addressees[choice.addressee]
        method = choice.method or default_method(a)
        items.append(OutgoingItem(
            unit=document.unit, year=year, number=first + n, registry_number=outgoing_number(first + n, year),
            outgoing_id=document.outgoing_id, case_ref=document.case_ref, title=document.title,
            addressee_name=a.name, addressee_address=_address(a, method), addressee_town=a.town,
            addressee_country=a.country, addressee_ade=a.ade, method=method,
            responsible_name=document.responsible_name, responsible_position=document.responsible_position,
            document_sha256=signed, registered_at=now, status="awaiting_postage" if method == "post" else "sending"))
    return items


def _checked_choices(document: OutgoingDocument, choices: list[DispatchChoice] | None) -> list[DispatchChoice]:
    chosen = choices or [DispatchChoice(addressee=i) for i in range(len(document.addressees))]
    seen = set()
    for c in chosen:
        if not 0 <= c.addressee < len(document.addressees) or c.addressee in seen:
            raise ValidationFailed(f"addressee {c.addressee} is not one of the document's, or is named twice")
        seen.add(c.addressee)
        a = document.addressees[c.addressee]
        method = c.method or default_method(a)
        if not _allowed(a, method):
            raise ValidationFailed(f"{a.name} has no address for {method}")
        if method == "epuap_dorecz" and not _signed_xml(document):
            raise DoreczNeedsSignedXml("ePUAP dorecz delivers a signed XML document (XAdES) only: "
                                       "this one is not XML; send it by e-Doręczenia or post")
        if method == "edoreczenia":
            unit = directory_store.get_unit(document.unit)
            if unit is None or not unit.ade:
                raise ChannelUnavailable(f"unit {document.unit} has no e-delivery address to send from")
    return chosen


def _signed_xml(document: OutgoingDocument) -> bool:
    """One signed file, XML (its XAdES signature inside it, not beside it)."""
    files = document.signing.files if document.signing else []
    return len(files) == 1 and sealing.is_xml(files[0].name, files[0].mime)


def dispatch(unit: str, outgoing_id: str, principal: Principal, choices: list[DispatchChoice] | None = None,
             correlation_id: str | None = None) -> tuple[OutgoingDocument, list[OutgoingItem]]:
    for _ in range(MAX_ATTEMPTS):
        document = drafts.get(unit, outgoing_id, principal)
        if principal.login != document.responsible and not principal.has_role("manager"):
            raise AccessDenied(f"{principal.login} is not responsible for {outgoing_id}")
        if document.status != "signed" or not document.signing or document.signing.report.signature != "valid":
            raise OutgoingStateError(f"{outgoing_id} is {document.status}: only a validly signed document is dispatched")
        chosen = _checked_choices(document, choices)
        year = local_date(now_utc()).year
        counter = outgoing_register_store.current_counter(unit, year)
        items = _items(document, chosen, counter + 1)
        new = document.model_copy(update={"status": "dispatched", "dispatched_as": [i.registry_number for i in items],
                                          "revision": document.revision + 1,
                                          "updated_at": now_utc()})
        summary = "Wysłanie: " + "; ".join(f"{i.registry_number} do {i.addressee_name} ({i.method})" for i in items)
        try:
            audit.record(audit.case_object(case_audit_key(unit, document.case_ref)), actor_of(principal), "dispatched",
                         case_ref=document.case_ref, summary=summary,
                         details={"outgoing_id": outgoing_id, "items": [i.registry_number for i in items]},
                         alongside=[outgoing_store.write(new),
                                    outgoing_register_store.counter_write(unit, year, counter, counter + len(items)),
                                    *(outgoing_register_store.line_write(i) for i in items)])
        except AlongsideConditionFailed:
            continue  # the document or the counter moved: again from what is there now
        if any(i.method != "post" for i in items):
            electronic.start(items, settings(), correlation_id)
        return new, items
    raise OutgoingChanged("the outgoing register is busy; try again")


def register(unit: str, year: int, principal: Principal) -> OutgoingRegisterPage:
    principal.require_role(unit, "registry_clerk", "manager", "archivist")
    items = sorted(outgoing_register_store.year_lines(unit, year), key=lambda i: i.number, reverse=True)
    return OutgoingRegisterPage(unit=unit, year=year, total=len(items), items=items)


def tray(unit: str, principal: Principal) -> list[OutgoingItem]:
    principal.require_role(unit, "registry_clerk")
    return sorted(outgoing_register_store.tray(unit), key=lambda i: i.registered_at)


_S10 = re.compile(r"^[A-Z]{2}(\d{8})(\d)[A-Z]{2}$")
_DOMESTIC = re.compile(r"^\d{20}$")


def _s10_check(digits: str) -> int:
    total = sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7)))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def check_tracking_number(value: str) -> str:
    """A numer nadawczy as labels print it: the international S10 form (RR123456789PL, its
    check digit verified) or Poczta Polska's 20-digit domestic number."""
    text = value.strip().upper().replace(" ", "")
    match = _S10.match(text)
    if match and _s10_check(match.group(1)) == int(match.group(2)):
        return text
    if _DOMESTIC.match(text):
        return text
    raise ValidationFailed("the numer nadawczy is neither an S10 number with a right check digit nor 20 digits")


def record_postage(unit: str, year: int, number: int, principal: Principal, *, tracking_number: str,
                   service: PostalService, weight_class: WeightClass, posted_on: date | None = None) -> OutgoingItem:
    principal.require_role(unit, "registry_clerk")
    tracking = check_tracking_number(tracking_number)
    day = posted_on or today()
    if day > today():
        raise ValidationFailed("a letter cannot be posted in the future")
    item = outgoing_register_store.get(unit, year, number)
    if item is None:
        raise NotFound(f"no outgoing item {outgoing_number(number, year)} in unit {unit}")
    if item.status != "awaiting_postage":
        raise OutgoingStateError(f"{item.registry_number} is {item.status}, not waiting for postage")
    postage = Postage(tracking_number=tracking, service=service, weight_class=weight_class,
                      price_grosze=postal_tariff.price(service, weight_class), posted_on=day, posted_by=principal.login)
    posted = item.model_copy(update={"status": "posted", "postage": postage, "sent_at": now_utc(),
                                     "version": item.version + 1})
    try:
        audit.record(audit.case_object(case_audit_key(unit, item.case_ref)), actor_of(principal), "dispatched",
                     case_ref=item.case_ref,
                     summary=f"Nadanie {item.registry_number}: {postal_tariff.SERVICE_NAMES[service]} nr {tracking}",
                     details={"outgoing_id": item.outgoing_id, "item": item.registry_number, "tracking_number": tracking},
                     alongside=[outgoing_register_store.line_write(posted),
                                outgoing_register_store.tracking_marker(unit, tracking, item.registry_number)])
    except AlongsideConditionFailed as exc:
        if exc.args[0] == 1:
            raise ValidationFailed(f"the numer nadawczy {tracking} is already in the unit's postal book") from exc
        raise OutgoingChanged(f"{item.registry_number} changed meanwhile; read it again") from exc
    return posted


def postal_book(unit: str, day: date, principal: Principal) -> PostalBook:
    principal.require_role(unit, "registry_clerk", "manager")
    items = outgoing_register_store.postal_book(unit, day.isoformat())
    found = directory_store.get_unit(unit)
    return PostalBook(unit=unit, sender_name=found.name if found else unit, day=day, items=items,
                      total_grosze=sum(i.postage.price_grosze for i in items if i.postage))
