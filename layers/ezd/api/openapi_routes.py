"""The API describes itself: GET /openapi.json (no token needed), generated from the app's
own routes (ezd/api/openapi.py), as the portal's client is."""

from __future__ import annotations

from typing import Any

from ezd.api.common import Blueprint
from ezd.api.openapi import document

blueprint = Blueprint(__name__)
_documents: dict[int, dict[str, Any]] = {}


@blueprint.route("/openapi.json")
def openapi_document() -> dict[str, Any]:
    """This API's OpenAPI 3.1 document."""
    app = blueprint.current_app
    if id(app) not in _documents:  # the code does not change while it runs
        _documents[id(app)] = document(app)
    return _documents[id(app)]
