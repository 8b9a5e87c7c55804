"""The first intake step: the staged bytes are read once, then parsed, verified and archived.

Parsing (hostile input is rejected with a stable code), signature checks (a bad signature
is reported, never a reason to lose the letter) and archiving (content-addressed, written
once) all need the same bytes; as three workflow steps each read the original again. An
ePUAP test delivery (czyTestowe) is checked like a letter but never archived.
"""

from __future__ import annotations

import base64
import hashlib

from ezd.adapters import archive
from ezd.adapters.trust_store import TrustStore
from ezd.config import Settings
from ezd.models.intake import AcceptedDelivery, IntakeRequest
from ezd.models.letters import IntakePolicy
from ezd.services.intake_parse import summarize_delivery
from ezd.services.intake_store import archive_delivery
from ezd.services.intake_verify import verify_signatures


def accept_delivery(request: IntakeRequest, settings: Settings, policy: IntakePolicy,
                    trust_store: TrustStore) -> AcceptedDelivery:
    raw = archive.read(request.staged.bucket, request.staged.key, request.staged.version_id)
    letter = summarize_delivery(request, raw, policy)
    # ePUAP's UPP names the document by its SHA-1 too: taken here, the receipt step
    # does not read the original again.
    letter = letter.model_copy(update={
        "sha1_b64": base64.b64encode(hashlib.sha1(raw).digest()).decode()})  # noqa: S324 - ePUAP's skrot
    signatures = verify_signatures(request, raw, trust_store)
    stored = None if letter.is_test else archive_delivery(request, raw, settings, policy)
    return AcceptedDelivery(letter=letter, signatures=signatures, stored=stored)
