"""Errors with stable codes.

Every rejection of input carries a code that clients, tests and operators can rely on.
The exception class names matter: Step Functions matches ``Retry``/``Catch`` on the
``errorType`` that Lambda reports, which is the exception's class name.
"""

from __future__ import annotations


class EzdError(Exception):
    """Base of the project's own errors."""

    code: str = "EZD_ERROR"

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message or self.code)
        if code:
            self.code = code
        self.message = message or self.code

    def __str__(self) -> str:
        # Lambda reports only the class name and str(exc); the code must survive that
        # trip so the quarantine step can record it.
        return f"{self.code}: {self.message}"

    @staticmethod
    def split_message(text: str) -> tuple[str | None, str]:
        """Inverse of __str__: (code, message) from a Lambda errorMessage."""
        head, sep, tail = text.partition(": ")
        if sep and head.isupper() and " " not in head:
            return head, tail
        return None, text

    def to_dict(self) -> dict[str, str]:
        return {"error_code": self.code, "message": self.message}


class IntakeRejected(EzdError):
    """Malformed, hostile or forbidden input. Never retried; the original is quarantined."""

    code = "INTAKE_REJECTED"


class TransientFault(EzdError):
    """A dependency was briefly unavailable; the workflow retries the step."""

    code = "TRANSIENT_FAULT"


class NotFound(EzdError):
    code = "NOT_FOUND"


class AccessDenied(EzdError):
    code = "FORBIDDEN"


class ValidationFailed(EzdError):
    code = "VALIDATION_FAILED"


# Stable rejection codes of the intake. Keep them unique and never rename one.
class RejectCode:
    TOO_LARGE = "DOCUMENT_TOO_LARGE"
    EMPTY = "DOCUMENT_EMPTY"
    NOT_XML = "NOT_XML"
    INVALID_UTF8 = "INVALID_ENCODING"
    DTD_FORBIDDEN = "XML_DTD_FORBIDDEN"
    ENTITY_FORBIDDEN = "XML_ENTITY_FORBIDDEN"
    WRONG_ROOT = "WRONG_ROOT_ELEMENT"
    MISSING_SENDER = "MISSING_SENDER"
    MISSING_TITLE = "MISSING_TITLE"
    INVALID_BASE64 = "INVALID_BASE64"
    UNSAFE_FILENAME = "UNSAFE_ATTACHMENT_NAME"
    FORBIDDEN_FILE_TYPE = "FORBIDDEN_FILE_TYPE"
    UNKNOWN_RECIPIENT = "UNKNOWN_RECIPIENT"
    TOO_MANY_ATTACHMENTS = "TOO_MANY_ATTACHMENTS"
    MALFORMED_EDELIVERY = "MALFORMED_EDORECZENIA_MESSAGE"


# Sealing outgoing documents with a unit's electronic seal (services/dispatch/sealing.py).
class SealNotConfigured(EzdError):
    """The unit has no seal (no secret under the unit's name, or no seal prefix configured)."""

    code = "SEAL_NOT_CONFIGURED"


class SealMaterialInvalid(EzdError):
    """The unit's seal secret is there but unusable: not a private key and its certificate,
    a key that does not match the certificate, or a certificate outside its validity."""

    code = "SEAL_MATERIAL_INVALID"


class SealingRefused(EzdError):
    """The file cannot be sealed as given. Codes: DOCUMENT_EMPTY, UNSAFE_ATTACHMENT_NAME,
    NOT_XML, INVALID_ENCODING, XML_DTD_FORBIDDEN, XML_ENTITY_FORBIDDEN (the intake's
    meanings, applied to the outgoing file)."""

    code = "SEALING_REFUSED"
