"""An intake step: tell the unit's registry desk a letter was registered."""

from __future__ import annotations

from ezd.adapters import registry_store
from ezd.models.intake import IntakeRequest, RegistrationResult
from ezd.models.registry import Notification
from ezd.clock import now_utc


def notify_registry(request: IntakeRequest, registration: RegistrationResult) -> Notification:
    # The notification's key is its moment and the document: the moment of registration,
    # not of this call, so a retried step or a workflow re-run after a restart of the
    # local stack writes the same notification again instead of a second one.
    note = Notification(
        unit=request.unit,
        audience="registry",
        created_at=registration.registered_at or now_utc(),
        document_id=registration.document_id,
        registry_number=registration.registry_number,
        message=f"Zarejestrowano {registration.registry_number} ({request.channel}): {request.filename}",
    )
    registry_store.save_notification(note)
    return note
