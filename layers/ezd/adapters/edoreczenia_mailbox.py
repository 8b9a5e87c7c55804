"""The e-Doręczenia client of a unit's mailbox, made from the settings, and the callback key.

The client's secret and the callbacks' master key live in Secrets Manager (the template's
``EdoreczeniaClientSecretArn`` and ``EdoreczeniaCallbackSecretArn``); locally the embedded
stack generates both. The poll's client never retries a request inline (``Backoff`` of
one attempt): a failed run is retried by the next scheduled run after the persisted
back-off, or by the collect workflow's ``Retry``, never in a loop here.
"""

from __future__ import annotations

from ezd.adapters.edoreczenia_client import Backoff, EdoreczeniaClient
from ezd.adapters.secrets import secret_string
from ezd.config import Settings
from ezd.errors import EzdError

ONE_ATTEMPT = Backoff(attempts=1)


class EdoreczeniaNotConfigured(EzdError):
    code = "EDORECZENIA_NOT_CONFIGURED"


def configured(settings: Settings) -> bool:
    return bool(settings.edoreczenia_api_url and settings.edoreczenia_token_url and settings.edoreczenia_client_id
                and settings.edoreczenia_client_secret_arn)


def client_for(address: str, settings: Settings) -> EdoreczeniaClient:
    if not configured(settings):
        raise EdoreczeniaNotConfigured("e-Doręczenia is not configured (EZD_EDORECZENIA_* settings)")
    assert settings.edoreczenia_api_url and settings.edoreczenia_token_url and settings.edoreczenia_client_id
    assert settings.edoreczenia_client_secret_arn
    return EdoreczeniaClient(settings.edoreczenia_api_url, settings.edoreczenia_token_url,
                             settings.edoreczenia_client_id, secret_string(settings.edoreczenia_client_secret_arn),
                             address, timeout=20, backoff=ONE_ATTEMPT)


def callback_master_key(settings: Settings) -> str | None:
    """The secret every mailbox's callback key is derived from; None: callbacks are off."""
    if not settings.edoreczenia_callback_secret_arn:
        return None
    return secret_string(settings.edoreczenia_callback_secret_arn)
