"""Dispatch, the outgoing register and the post (services/dispatch/outgoing_register.py).

    POST /units/{unit}/outgoing/{id}/dispatch                      {choices?: [{addressee, method?}]}
    GET  /units/{unit}/outgoing-register?year=YYYY[&format=csv]    the year's register, newest first
    GET  /units/{unit}/outgoing-register/{year}/{number}           one item with links to its evidences
    GET  /units/{unit}/postal-tray                                 letters waiting to be posted
    POST /units/{unit}/outgoing-register/{year}/{number}/postage   {tracking_number, service, weight_class, posted_on?}
    GET  /units/{unit}/postal-book?date=YYYY-MM-DD[&format=csv]    the day's book of registered letters
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from ezd.api.common import Blueprint, csv_response, date_param, handled, int_param, json_body, principal_in, query
from ezd.api.openapi import formats, responds
from ezd.clock import today
from ezd.config import settings
from ezd.errors import ValidationFailed
from ezd.models.outgoing_register import OutgoingItem, OutgoingRegisterPage, PostalBook, PostalService, WeightClass
from ezd.services.csv_export import write_csv
from ezd.services.dispatch import outgoing_register
from ezd.services.dispatch.item_view import OutgoingItemView, item_view
from ezd.services.dispatch.outgoing_register import DispatchChoice
from ezd.services.dispatch.outgoing_views import OutgoingView, view

blueprint = Blueprint(__name__)


class DispatchBody(BaseModel):
    choices: list[DispatchChoice] | None = Field(default=None, max_length=50)


class Dispatched(BaseModel):
    outgoing: OutgoingView
    items: list[OutgoingItem]


class PostageBody(BaseModel):
    tracking_number: str = Field(min_length=5, max_length=40)
    service: PostalService
    weight_class: WeightClass
    posted_on: date | None = None


class PostalTray(BaseModel):
    items: list[OutgoingItem]


REGISTER_COLUMNS = ["registry_number", "registered_at", "addressee_name", "addressee_address", "title", "case_ref",
                    "method", "status", "tracking_number", "responsible_name", "responsible_position"]
BOOK_COLUMNS = ["lp", "addressee_name", "addressee_address", "registry_number", "tracking_number", "service",
                "weight_class", "price_pln"]


def _caller(unit: str) -> Any:
    return principal_in(blueprint.current_request, unit)


def _format(value: str | None) -> str:
    if value not in (None, "", "json", "csv"):
        raise ValidationFailed("format must be json or csv")
    return value or "json"


@blueprint.route("/units/{unit}/outgoing/{outgoing_id}/dispatch", methods=["POST"])
@responds(Dispatched)
@handled
def dispatch(unit: str, outgoing_id: str) -> dict[str, Any]:
    """Each addressee's item into the outgoing register, by the channel chosen (or the first
    its addresses allow); letters by post go to the registry desk's tray, electronic ones
    are ``sending`` and their dispatch workflow is started (nothing is sent in the call)."""
    caller = _caller(unit)
    body = DispatchBody.model_validate(json_body(blueprint.current_request) or {})
    request = blueprint.current_request
    correlation_id = (request.headers.get("x-correlation-id") or (request.context or {}).get("requestId")
                      or uuid.uuid4().hex)
    document, items = outgoing_register.dispatch(unit, outgoing_id, caller, body.choices, correlation_id)
    return {"outgoing": view(document, caller, settings()).model_dump(mode="json"),
            "items": [i.model_dump(mode="json") for i in items]}


@blueprint.route("/units/{unit}/outgoing-register")
@responds(OutgoingRegisterPage)
@formats(csv="text/csv")
@handled
def register(unit: str) -> Any:
    """Rejestr przesyłek wychodzących of a year (this year in Poland by default)."""
    caller = _caller(unit)
    q = query(blueprint.current_request)
    fmt = _format(q.get("format"))
    page = outgoing_register.register(unit, int_param(q.get("year"), "year", today().year), caller)
    if fmt == "csv":
        rows = ({**i.model_dump(mode="json"), "tracking_number": i.postage.tracking_number if i.postage else ""}
                for i in page.items)
        return csv_response(write_csv(REGISTER_COLUMNS, rows), f"rejestr-wychodzacy-{unit}-{page.year}.csv")
    return page.model_dump(mode="json")


@blueprint.route("/units/{unit}/outgoing-register/{year}/{number}")
@responds(OutgoingItemView)
@handled
def register_item(unit: str, year: str, number: str) -> dict[str, Any]:
    """One item of the outgoing register: its status, the channel's identifiers, the legal
    time of delivery and short-lived links to its archived evidences."""
    caller = _caller(unit)  # who asks, before what is asked
    found = item_view(unit, int_param(year, "year", 0), int_param(number, "number", 0), caller, settings())
    return found.model_dump(mode="json")


@blueprint.route("/units/{unit}/postal-tray")
@responds(PostalTray)
@handled
def postal_tray(unit: str) -> dict[str, Any]:
    return {"items": [i.model_dump(mode="json") for i in outgoing_register.tray(unit, _caller(unit))]}


@blueprint.route("/units/{unit}/outgoing-register/{year}/{number}/postage", methods=["POST"])
@responds(OutgoingItem)
@handled
def postage(unit: str, year: str, number: str) -> dict[str, Any]:
    """The registry desk posts the letter: its numer nadawczy, service and weight."""
    caller = _caller(unit)
    body = PostageBody.model_validate(json_body(blueprint.current_request))
    item = outgoing_register.record_postage(
        unit, int_param(year, "year", 0), int_param(number, "number", 0), caller, tracking_number=body.tracking_number,
        service=body.service, weight_class=body.weight_class, posted_on=body.posted_on)
    return item.model_dump(mode="json")


@blueprint.route("/units/{unit}/postal-book")
@responds(PostalBook)
@formats(csv="text/csv")
@handled
def postal_book(unit: str) -> Any:
    """Książka nadawcza of a day (today by default): the registered letters posted."""
    caller = _caller(unit)
    q = query(blueprint.current_request)
    fmt = _format(q.get("format"))
    book = outgoing_register.postal_book(unit, date_param(q.get("date"), "date") or today(), caller)
    if fmt == "csv":
        rows = ({"lp": n, "addressee_name": i.addressee_name, "addressee_address": i.addressee_address,
                 "registry_number": i.registry_number, "tracking_number": i.postage.tracking_number,
                 "service": i.postage.service, "weight_class": i.postage.weight_class,
                 "price_pln": f"{i.postage.price_grosze / 100:.2f}"}
                for n, i in enumerate(book.items, 1) if i.postage)
        return csv_response(write_csv(BOOK_COLUMNS, rows), f"ksiazka-nadawcza-{unit}-{book.day.isoformat()}.csv")
    return book.model_dump(mode="json")
