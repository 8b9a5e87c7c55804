"""DynamoDB access for pending scan uploads.

| item | PK | SK |
|---|---|---|
| upload | `UPLOAD#<unit>` | `<upload_id>` (kind `upload`, versioned; TTL a week after creation) |
"""

from __future__ import annotations

from datetime import timedelta

from pynamodb.exceptions import DoesNotExist, PutError

from ezd.adapters.records_table import RecordItem, bind_table
from ezd.config import settings
from ezd.models.uploads import Upload

KEEP_FOR = timedelta(days=7)


class UploadChanged(Exception):
    """Someone else changed the upload since it was read."""


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def _item(upload: Upload) -> RecordItem:
    return RecordItem(f"UPLOAD#{upload.unit}", upload.upload_id, kind="upload", value=upload.version,
                      expires_at=int((upload.created_at + KEEP_FOR).timestamp()), data=upload.model_dump(mode="json"))


def create(upload: Upload) -> None:
    _bound()
    _item(upload).save(condition=RecordItem.pk.does_not_exist())


def get(unit: str, upload_id: str) -> Upload | None:
    _bound()
    try:
        return Upload.model_validate(RecordItem.get(f"UPLOAD#{unit}", upload_id, consistent_read=True).data)
    except DoesNotExist:
        return None


def save(upload: Upload) -> None:
    """Writes ``upload`` (its version already incremented) if nobody changed it since."""
    _bound()
    try:
        _item(upload).save(condition=RecordItem.value == upload.version - 1)
    except PutError as exc:
        if "ConditionalCheckFailed" in str(exc):
            raise UploadChanged(upload.upload_id) from exc
        raise
