"""WS-Doręczyciel in the local ePUAP (``doreczyciel.wsdl``, operation ``dorecz``).

An order delivers the document into the addressee's box (it waits there like any
document) and is collected when the addressee signs the UPD: at once for a box registered
with ``collect_at_once``, otherwise when a test or an operator says so
(``POST /sim/dorecz/collect`` with ``order_id`` or ``box_address``) — the part the
citizen's side (``odbierz`` with the signed UPD) plays in production. The UPD is then
delivered, as ePUAP does, as a document into the order's ``AdresOdpowiedzi`` box, where the
sender collects it with WS-Pull. The UPD is the simulator's own XML, not signed.
Callers hold the simulator's lock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from ezd.adapters import epuap_doreczyciel as dorecz
from ezd.models.epuap import PulledDocument

DORECZYCIEL_PATH = "/pk_external_ws/services/doreczyciel"


@dataclass
class Order:
    order_id: str
    document_id: str
    sender_document_id: str
    podmiot: str
    box_address: str
    reply_address: str
    sha256: str
    collected_at: datetime | None = None
    upd_id: str | None = None


class DoreczDesk:
    def __init__(self, clock: Callable[[], datetime], next_id: Callable[[], int]) -> None:
        self.clock = clock
        self.next_id = next_id
        self.orders: dict[str, Order] = {}
        self.collect_at_once: set[str] = set()  # box addresses whose owner collects at once

    def order(self, req: dorecz.DoreczRequest, deliver: Callable[[str, PulledDocument], None]) -> Order:
        n = self.next_id()
        order = Order(order_id=f"SIM-ZLEC-{n:08d}", document_id=f"SIM-DOC-{n:08d}",
                      sender_document_id=req.document_id, podmiot=req.podmiot, box_address=req.box_address,
                      reply_address=req.reply_address, sha256=hashlib.sha256(req.content).hexdigest())
        if req.trial:
            return order
        self.orders[order.order_id] = order
        deliver(req.box_address, _document(req.podmiot, req.box_address, req.reply_address, req.filename,
                                           req.content_type, req.content, self.clock()))
        if req.box_address in self.collect_at_once:
            self.collect(order.order_id, deliver)
        return order

    def collect(self, order_id: str, deliver: Callable[[str, PulledDocument], None]) -> Order:
        order = self.orders[order_id]
        if order.collected_at is not None:
            return order
        order.collected_at = self.clock()
        order.upd_id = f"SIM-UPD-{self.next_id():08d}"
        upd = dorecz.build_upd(upd_id=order.upd_id, order_id=order.order_id, document_id=order.document_id,
                               sender_document_id=order.sender_document_id, box_address=order.box_address,
                               delivered_at=order.collected_at, document_sha256=order.sha256)
        deliver(order.reply_address, _document("EPUAP", order.reply_address, None, f"{order.upd_id}.xml",
                                               "text/xml", upd, order.collected_at))
        return order

    def waiting_for(self, box_address: str) -> list[str]:
        return [o.order_id for o in self.orders.values() if o.box_address == box_address and o.collected_at is None]

    def stats(self) -> list[dict[str, Any]]:
        return [{"order_id": o.order_id, "document_id": o.document_id, "sender_document_id": o.sender_document_id,
                 "box_address": o.box_address, "reply_address": o.reply_address, "sha256": o.sha256,
                 "collected_at": o.collected_at.isoformat() if o.collected_at else None, "upd_id": o.upd_id}
                for o in self.orders.values()]


def _document(sender: str, box_address: str, reply_address: str | None, filename: str, content_type: str | None,
              content: bytes, at: datetime) -> PulledDocument:
    return PulledDocument(sender_id=sender, sender_type="P", sender_name=sender, sender_consent=True,
                          delivered_at=at, box_name=box_address.strip("/").split("/")[-1], box_address=box_address,
                          reply_address=reply_address, is_test=False, extra_data=b"", filename=filename,
                          content_type=content_type, content=content)
