"""Step 6 of the intake: tell the unit's registry desk a letter was registered."""

from __future__ import annotations

from ezd.adapters import registry_store
from ezd.models.intake import IntakeRequest, RegistrationResult
from ezd.models.registry import Notification
from ezd.clock import now_utc


def notify_registry(request: IntakeRequest, registration: RegistrationResult) -> Notification:
    note = Notification(
        unit=request.unit,
        audience="registry",
        created_at=now_utc(),
        document_id=registration.document_id,
        registry_number=registration.registry_number,
        message=f"Zarejestrowano {registration.registry_number} ({request.channel}): {request.filename}",
    )
    registry_store.save_notification(note)
    return note
