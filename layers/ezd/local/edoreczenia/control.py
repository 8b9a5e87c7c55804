"""The test-control interface under ``/_sim/`` — deliberately outside the contract's ``/api/v1``.

JSON in, JSON out. What a test or an operator can tell the simulated world:
- ``POST /_sim/mailboxes`` register an address (``address``, ``name``, ``public``, ``external``, ``policy``)
- ``GET /_sim/mailboxes/<address>`` its counts; ``PUT /_sim/mailboxes/<address>/policy``
  how the addressee treats what arrives (``collect`` | ``wait`` | ``ignore`` | ``reject``)
- ``POST /_sim/messages/<id>/collect`` the addressee collects now; ``…/ignore`` it never will
  (deemed delivery once the clock passes); ``GET /_sim/messages/<id>`` a message as stored
- ``POST /_sim/clients`` register an OAuth2 client (``client_id``, ``client_secret``, ``addresses``)
- ``POST /_sim/faults`` fail the next ``count`` calls (``mode`` 503 | reset | reset_after,
  optional ``method`` and ``path_contains``); ``DELETE /_sim/faults`` clears them
- ``POST /_sim/deliver`` a message from outside to a unit's address (``to``, ``from``,
  ``subject``, ``textBody``, ``attachments``: [{``filename``, ``contentType``, ``content`` base64}])
- ``POST /_sim/tick`` issue the deemed deliveries the clock has passed (any request does too)
- ``POST /_sim/faults`` with ``mode`` 429: too many requests (``Retry-After``), as a rate limit would
- ``GET /_sim/stats`` counts of everything; ``GET /_sim/callbacks`` the callback attempts;
  ``GET /_sim/requests`` every request to the API and the token endpoint, in order
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from ezd.local.edoreczenia import delivery
from ezd.local.edoreczenia.state import ApiError, LABEL_SENT

if TYPE_CHECKING:
    from ezd.local.edoreczenia.server import EdoreczeniaSimulator

POLICIES = ("collect", "wait", "ignore", "reject")


def handle(sim: "EdoreczeniaSimulator", method: str, parts: list[str], body: dict[str, Any]) -> tuple[int, Any]:
    store = sim.store
    try:
        if parts == ["mailboxes"] and method == "POST":
            sim.register_address(str(body["address"]), str(body.get("name") or body["address"]),
                                 public=bool(body.get("public", True)), external=bool(body.get("external", False)),
                                 policy=str(body.get("policy") or "wait"))
            return 201, sim.mailbox_stats(str(body["address"]))
        if len(parts) == 2 and parts[0] == "mailboxes" and method == "GET":
            return 200, sim.mailbox_stats(parts[1])
        if len(parts) == 3 and parts[0] == "mailboxes" and parts[2] == "policy" and method == "PUT":
            sim.set_policy(parts[1], str(body["policy"]), body.get("reason"))
            return 200, sim.mailbox_stats(parts[1])
        if len(parts) == 3 and parts[0] == "messages" and method == "POST" and parts[2] in ("collect", "ignore"):
            with store.lock:
                action = delivery.collect if parts[2] == "collect" else delivery.ignore
                sent = action(store, parts[1])
                return 200, {"messageId": sent.message_id, "status": sent.status,
                             "deemedAt": sent.deemed_at.isoformat() if sent.deemed_at else None}
        if len(parts) == 2 and parts[0] == "messages" and method == "GET":
            with store.lock:
                message = store.messages.get(parts[1])
                if message is None:
                    return 404, {"error": f"no message {parts[1]}"}
                return 200, {**message.json("full", store.base_path), "owner": message.owner,
                             "deemedAt": message.deemed_at.isoformat() if message.deemed_at else None}
        if parts == ["clients"] and method == "POST":
            sim.authority.register_client(str(body["client_id"]), str(body["client_secret"]), body.get("addresses"))
            return 201, {"client_id": body["client_id"]}
        if parts == ["faults"] and method == "POST":
            sim.faults.add(int(body.get("count", 1)), str(body.get("mode", "503")), body.get("method"),
                           body.get("path_contains"))
            return 201, {"planned": True}
        if parts == ["faults"] and method == "DELETE":
            sim.faults.clear()
            return 200, {"planned": False}
        if parts == ["deliver"] and method == "POST":
            files = [(str(a["filename"]), str(a.get("contentType") or "application/octet-stream"),
                      base64.b64decode(a["content"], validate=True)) for a in body.get("attachments") or []]
            with store.lock:
                out = delivery.deliver_incoming(store, str(body.get("from") or "AE:PL-00000-00000-ZEWNE-00"),
                                                str(body["to"]), str(body.get("subject") or ""), body.get("textBody"),
                                                files, bool(body.get("public_sender", False)))
            return 201, out
        if parts == ["tick"] and method == "POST":
            with store.lock:
                return 200, {"deemed": delivery.sweep(store)}
        if parts == ["stats"] and method == "GET":
            return 200, sim.stats()
        if parts == ["requests"] and method == "GET":
            return 200, {"requests": list(sim.request_log)}
        if parts == ["callbacks"] and method == "GET":
            return 200, {"attempts": list(sim.notifier.log)}
    except ApiError as exc:
        return exc.status if exc.status != 400 else 400, {"error": exc.error, "message": exc.description}
    except (KeyError, TypeError, ValueError) as exc:
        return 400, {"error": f"bad control request: {exc!r}"}
    return 404, {"error": f"no control operation {method} /_sim/{'/'.join(parts)}"}


def sent_count(sim: "EdoreczeniaSimulator", owner: str | None = None) -> int:
    with sim.store.lock:
        return sum(1 for m in sim.store.messages.values()
                   if m.label == LABEL_SENT and (owner is None or m.owner == owner))
