"""e-Doręczenia's subscription callback: the service announces a message for a unit's address.

No user calls this and no Cognito token comes with it: the key in the URL is the
credential (services/edoreczenia_callback.py says why). The answer is given as soon as
the collect workflow is started; the collecting is not done here.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel

from ezd.api.common import Blueprint, handled
from ezd.api.openapi import responds
from ezd.config import settings
from ezd.services import edoreczenia_callback

blueprint = Blueprint(__name__)
logger = Logger(service="edoreczenia-callback")


class CallbackAnswer(BaseModel):
    """The contract's SuccessInfo."""

    status: str
    eDeliveryAddress: str  # noqa: N815 - the contract's name


@blueprint.route("/edoreczenia/{unit}/on-message/{key}", methods=["POST"])
@responds(CallbackAnswer)
@handled
def on_message(unit: str, key: str) -> dict[str, Any]:
    """e-Doręczenia onMessage callback (MessageStatement): each announced message is collected
    by the collect workflow; the same notification twice collects it once. 401 for a URL
    whose key is not this unit's."""
    request = blueprint.current_request
    correlation_id = (request.context or {}).get("requestId")
    logger.set_correlation_id(correlation_id)
    # The key first: an unauthenticated caller learns nothing, not even how its body was read.
    mailbox = edoreczenia_callback.authenticate(unit, key, settings())
    answer = edoreczenia_callback.announce(mailbox, request.json_body, settings(), correlation_id)
    logger.info("e-Doręczenia notification accepted", extra={"unit": unit})
    return answer
