"""DynamoDB access for local passwords (the embedded stack's user store).

| item | PK | SK |
|---|---|---|
| credential | `USER#<login>` | `CREDENTIAL` (kind `credential`: the password hash record, failed attempts) |

Kept beside the user's profile but never returned with it: no API reads this item except
the login. In AWS the passwords are Cognito's and this item does not exist.
"""

from __future__ import annotations

from typing import Iterable

from pynamodb.exceptions import DoesNotExist, PutError

from ezd.adapters.records_table import RecordItem, bind_table
from ezd.config import settings
from ezd.models.credentials import Credential

SK = "CREDENTIAL"


def _bound() -> None:
    s = settings()
    bind_table(s.table, s.region)


def _item(credential: Credential) -> RecordItem:
    return RecordItem(f"USER#{credential.login}", SK, kind="credential", data=credential.model_dump(mode="json"))


def get(login: str) -> Credential | None:
    _bound()
    try:
        return Credential.model_validate(RecordItem.get(f"USER#{login}", SK, consistent_read=True).data)
    except DoesNotExist:
        return None


def put(credential: Credential) -> None:
    _bound()
    _item(credential).save()


def put_many(credentials: Iterable[Credential]) -> None:
    _bound()
    with RecordItem.batch_write() as batch:
        for credential in credentials:
            batch.save(_item(credential))


class CredentialExists(Exception):
    """The login has a credential already."""


def create(credential: Credential) -> None:
    """Writes a new user's credential; CredentialExists if the login has one."""
    _bound()
    try:
        _item(credential).save(condition=RecordItem.pk.does_not_exist())
    except PutError as exc:
        if _condition_failed(exc):
            raise CredentialExists(credential.login) from exc
        raise


def delete(login: str) -> None:
    _bound()
    RecordItem(f"USER#{login}", SK).delete()


def _condition_failed(exc: Exception) -> bool:
    cause = getattr(exc, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"
