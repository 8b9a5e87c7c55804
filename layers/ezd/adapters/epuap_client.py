"""HTTP clients of ePUAP WS-Pull and WS-Skrytka (standard library only, so Lambda needs
nothing beyond lxml and pydantic).

Error contract, which the workflow's retry policy depends on:
- ``EpuapUnavailable`` (a ``TransientFault``): connection refused/reset, timeout, HTTP 5xx
  without a SOAP fault. Retry later; nothing was decided by ePUAP.
- ``EpuapFault``: ePUAP answered with a SOAP fault (ob:Wyjatek), a non-OK status, or
  something that is not the expected SOAP. Retrying the same request will not help.

WS-Security: in production every request is signed (``wsp:PolicyReference URI="#Sign"``:
X.509 token, timestamp, Body signed, Basic256Sha256). That needs the unit's certificate,
which lives outside this module; pass ``request_signer`` (envelope bytes in, signed
envelope bytes out). Without it, requests go unsigned, which only the simulator accepts.
"""

from __future__ import annotations

import http.client
import socket
import urllib.error
import urllib.request
from typing import Callable

from ezd.adapters import epuap_soap as soap
from ezd.adapters.epuap_soap import EpuapFault, EpuapUnavailable
from ezd.models.epuap import NadajRequest, NadajResult, PulledDocument, PullQuery, SenderProfile

RequestSigner = Callable[[bytes], bytes]

# Read at most this much of an answer; a bigger one is not ePUAP talking.
_MAX_RESPONSE_BYTES = soap.MAX_SOAP_BYTES


def post_soap(
    url: str,
    envelope: bytes,
    soap_action: str,
    *,
    timeout: float,
    request_signer: RequestSigner | None = None,
) -> tuple[int, bytes]:
    """POST one SOAP 1.1 message; return (HTTP status, body) of 2xx answers and SOAP faults.

    Raises ``EpuapUnavailable`` for transport failures and 5xx answers that are not SOAP
    faults; ``EpuapFault`` for other non-2xx answers that are not SOAP faults.
    """
    data = request_signer(envelope) if request_signer is not None else envelope
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            # SOAP 1.1 wants the action as a quoted string (an empty one is legal).
            "SOAPAction": f'"{soap_action}"',
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - URL is configuration
            return response.status, response.read(_MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as err:
        # SOAP 1.1 sends faults with HTTP 500; the body decides whether this is a decision
        # of the service (fault) or an outage (proxy error page, 502/503...).
        body = err.read(_MAX_RESPONSE_BYTES) if err.fp is not None else b""
        if _is_soap_fault(body):
            return err.code, body
        if err.code >= 500:
            raise EpuapUnavailable(f"ePUAP HTTP {err.code} at {url}") from None
        raise EpuapFault(0, f"HTTP {err.code} from {url} without a SOAP fault", faultcode="Client") from None
    except (urllib.error.URLError, TimeoutError, socket.timeout, ConnectionError, http.client.HTTPException) as err:
        raise EpuapUnavailable(f"ePUAP unreachable at {url}: {err}") from None


def _is_soap_fault(body: bytes) -> bool:
    if not body:
        return False
    try:
        return soap.parse_envelope(body).fault is not None
    except EpuapFault:
        return False


class EpuapPullClient:
    """WS-Pull of one ESP inbox: count, fetch the head of the queue, confirm it."""

    def __init__(
        self,
        endpoint_url: str,
        podmiot: str,
        box_name: str,
        box_address: str,
        timeout: float = 10,
        request_signer: RequestSigner | None = None,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.podmiot = podmiot
        self.box_name = box_name
        self.box_address = box_address
        self.timeout = timeout
        self.request_signer = request_signer

    def _call(self, operation: str, skrot: str | None = None) -> bytes:
        query = PullQuery(
            operation=operation,
            podmiot=self.podmiot,
            box_name=self.box_name,
            box_address=self.box_address,
            skrot=skrot,
        )
        _, body = post_soap(
            self.endpoint_url,
            soap.build_pull_request(query),
            soap.SOAP_ACTIONS[operation],
            timeout=self.timeout,
            request_signer=self.request_signer,
        )
        return body

    def pending_count(self) -> int:
        """oczekujaceDokumenty: how many documents wait (unconfirmed) in the inbox."""
        status, count = soap.parse_pending_response(self._call(soap.OP_PENDING))
        if not status.ok:
            raise EpuapFault(status.kod, status.komunikat or "oczekujaceDokumenty refused")
        return count

    def fetch_next(self) -> PulledDocument | None:
        """pobierzNastepny: the head of the queue, or None when it is empty.

        ePUAP returns the same document again until it is confirmed, so callers must store
        it durably before ``confirm`` and must expect duplicates after a crash.
        """
        status, doc = soap.parse_fetch_response(self._call(soap.OP_FETCH))
        # The presence of the document decides, not the status: the contract cannot express
        # an empty queue validly, and a non-OK status without a document means "nothing".
        return doc

    def confirm(self, skrot: str) -> None:
        """potwierdzOdebranie: ePUAP drops the document with this Base64 SHA-1 digest."""
        status = soap.parse_confirm_response(self._call(soap.OP_CONFIRM, skrot=skrot))
        if not status.ok:
            raise EpuapFault(status.kod, status.komunikat or "potwierdzOdebranie refused")


class EpuapSkrytkaClient:
    """WS-Skrytka: deliver a document into another ESP inbox (returns document and UPP ids)."""

    def __init__(
        self,
        endpoint_url: str,
        podmiot: str,
        timeout: float = 10,
        request_signer: RequestSigner | None = None,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.podmiot = podmiot
        self.timeout = timeout
        self.request_signer = request_signer

    def nadaj(
        self,
        box_address: str,
        document: bytes,
        filename: str,
        reply_address: str | None = None,
        extra_data: bytes = b"",
        sender: SenderProfile | None = None,
        *,
        content_type: str | None = None,
        trial: bool = False,
        as_any: bool = False,
    ) -> NadajResult:
        """nadaj (or nadajAny with ``as_any``: ``document`` must then be one XML document).

        ``sender`` is honoured by the local simulator only (it is sent in a header of the
        simulator's own namespace); real ePUAP takes the sender from the signed identity.
        Do not pass it against production: it would send personal data nobody reads.
        """
        request = NadajRequest(
            podmiot=self.podmiot,
            box_address=box_address,
            reply_address=reply_address,
            trial=trial,
            extra_data=extra_data,
            filename=filename,
            content_type=content_type,
            content=document,
            as_any=as_any,
            sender=sender,
        )
        operation = soap.OP_NADAJ_ANY if as_any else soap.OP_NADAJ
        _, body = post_soap(
            self.endpoint_url,
            soap.build_nadaj_request(request),
            soap.SOAP_ACTIONS[operation],
            timeout=self.timeout,
            request_signer=self.request_signer,
        )
        response = soap.parse_skrytka_response(body)
        if not response.status.ok:
            raise EpuapFault(response.status.kod, response.status.komunikat or f"{operation} refused")
        if not response.document_id:
            raise EpuapFault(0, f"{operation}: OK status without identyfikatorDokumentu")
        return NadajResult(document_id=response.document_id, upp_id=response.upp_id, upp=response.upp)


__all__ = ["EpuapPullClient", "EpuapSkrytkaClient", "RequestSigner", "post_soap"]
