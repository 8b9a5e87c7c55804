"""Signing an approved outgoing document: the unit's electronic seal (XAdES-BES, made by
services/dispatch/sealing.py), or a signature made outside — a qualified signature or
Profil Zaufany — on the file uploaded back, verified like an incoming letter's.

What is signed is exactly the approved version: a seal is put on its archived bytes; an
outside signature must be on those bytes too (a detached .xades over the same file), or
be an enveloped XML signature of a document the officer uploads as the signed version.
The signed files are archived at their content address before the document says signed.
The document's attachments are sealed beside it with the unit's seal; with a signature
made outside they go as they were added.
"""

from __future__ import annotations

from ezd.adapters import archive, upload_store
from ezd.clock import now_utc
from ezd.config import Settings
from ezd.errors import AccessDenied, NotFound, ValidationFailed
from ezd.models.outgoing import OutgoingDocument, SignedFile, Signing
from ezd.services.auth import Principal
from ezd.services.dispatch import drafts
from ezd.services.dispatch.drafts import OutgoingStateError
from ezd.services.dispatch.sealing import seal_outgoing
from ezd.services.dispatch.signed_upload import verify_uploaded_signed


class SignatureNotValid(ValidationFailed):
    code = "SIGNATURE_NOT_VALID"


def _require_signer(principal: Principal, document: OutgoingDocument) -> None:
    if principal.login != document.responsible and not principal.has_role("manager"):
        raise AccessDenied(f"{principal.login} is not responsible for {document.outgoing_id}")
    if document.status != "approved":
        raise OutgoingStateError(f"{document.outgoing_id} is {document.status}: only an approved document is signed")


def _archived(name: str, mime: str | None, content: bytes, settings: Settings) -> SignedFile:
    key, digest = archive.put_locked_once(settings.archive_bucket, content, retention_days=settings.archive_retention_days,
                                          content_type=mime or "application/octet-stream")
    return SignedFile(name=name, mime=mime, size=len(content), sha256=digest, bucket=settings.archive_bucket, key=key)


def _signed(current: OutgoingDocument, signing: Signing, summary: str):
    new = current.model_copy(update={"signing": signing, "status": "signed"})
    return new, "signed", summary, {"method": signing.method, "version": signing.version,
                                    "signature": signing.report.signature, "certificate": signing.report.certificate,
                                    "files": [f.sha256 for f in signing.files]}


def seal(unit: str, outgoing_id: str, principal: Principal, settings: Settings) -> OutgoingDocument:
    def step(current: OutgoingDocument):
        _require_signer(principal, current)
        version = current.current_version
        assert version is not None
        sealed = seal_outgoing(unit, version.filename, version.mime, archive.read(version.bucket, version.key))
        files = [_archived(f.name, f.mime, f.content, settings) for f in sealed.files]
        for attachment in current.attachments:  # each sealed too, so the addressee can check every file
            files += [_archived(f.name, f.mime, f.content, settings) for f in seal_outgoing(
                unit, attachment.name, attachment.mime, archive.read(attachment.bucket, attachment.key)).files]
        signing = Signing(method="unit_seal", version=version.version, files=files, report=sealed.report,
                          seal_subject=sealed.seal_subject, signed_by=principal.login, signed_at=now_utc())
        return _signed(current, signing, f"Opatrzenie pieczęcią elektroniczną jednostki (wersja {version.version})")

    return drafts.change(unit, outgoing_id, principal, step)


def _uploaded(unit: str, upload_id: str, principal: Principal) -> tuple[str, bytes]:
    upload = upload_store.get(unit, upload_id)
    if upload is None or upload.clerk != principal.login or upload.purpose != "draft":
        raise NotFound(f"no upload {upload_id} of {principal.login} in unit {unit}")
    if archive.staged_version(upload.bucket, upload.key) is None:
        raise ValidationFailed(f"nothing was uploaded for {upload_id} (or the upload expired)")
    return upload.filename, archive.read(upload.bucket, upload.key)


def record_external(unit: str, outgoing_id: str, principal: Principal, *, upload_id: str,
                    signature_upload_id: str | None, settings: Settings) -> OutgoingDocument:
    """A signature made outside: with a detached .xades (``signature_upload_id``) it must
    cover the approved version's own bytes; an XML signed inside is the uploaded file.
    Only a signature that verifies is taken: an invalid one (other bytes, a broken
    signature) is refused with the report's verdict in the message, and nothing changes."""

    def step(current: OutgoingDocument):
        _require_signer(principal, current)
        version = current.current_version
        assert version is not None
        name, content = _uploaded(unit, upload_id, principal)
        detached = _uploaded(unit, signature_upload_id, principal)[1] if signature_upload_id else None
        if detached is not None:
            content, name = archive.read(version.bucket, version.key), version.filename
        report = verify_uploaded_signed(name, content, detached)
        if report.signature == "absent":
            raise ValidationFailed("the file carries no signature that can be verified (an XML signed inside, "
                                   "or the approved file with its detached .xades)")
        if report.signature != "valid":
            raise SignatureNotValid(f"the signature does not verify ({report.signature}, certificate "
                                    f"{report.certificate}): sign the approved version again")
        files = [_archived(name, version.mime if detached is not None else None, content, settings)]
        if detached is not None:
            files.append(_archived(f"{name}.xades", "application/xml", detached, settings))
        # The attachments go as they were added: the signature made outside is the document's.
        files += [SignedFile(name=a.name, mime=a.mime, size=a.size, sha256=a.sha256, bucket=a.bucket, key=a.key)
                  for a in current.attachments]
        signing = Signing(method="external", version=version.version, files=files, report=report,
                          signed_by=principal.login, signed_at=now_utc())
        return _signed(current, signing, f"Podpis złożony poza systemem (wersja {version.version}): {report.signature}")

    return drafts.change(unit, outgoing_id, principal, step)
