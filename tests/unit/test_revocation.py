"""Revocation: the trust store's CRLs, checked for every certificate of the signer's path."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from ezd import clock
from ezd.adapters import trust_store as trust_store_module
from ezd.adapters.trust_store import TrustStore
from ezd.adapters.xades import verify_xades
from ezd.models.signatures import SignatureDetail, SignatureReport
from ezd.samples.crls import Revocation, make_crl, revoked_signer
from ezd.samples.letters import SigningIdentity, make_ca, make_letter, make_signer, sign_letter

pytestmark = pytest.mark.dates  # CRL freshness and revocation dates are about the clock

LETTER = make_letter(title="Wniosek o wydanie duplikatu legitymacji")
PEM = Encoding.PEM


@pytest.fixture(params=[True, False], ids=["library-path", "manual-path"])
def path_builder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Both path builders must check revocation: cryptography's verifier and the hand walk."""
    monkeypatch.setattr(trust_store_module, "_LIBRARY_VERIFIER", request.param)
    return request.param


@pytest.fixture(scope="module")
def ca() -> SigningIdentity:
    return make_ca("EZD Revocation Test CA")


@pytest.fixture(scope="module")
def sub_ca(ca: SigningIdentity) -> SigningIdentity:
    return make_ca("EZD Revocation Test Sub CA", ca)


def _store(ca: SigningIdentity, *crls: x509.CertificateRevocationList) -> TrustStore:
    return TrustStore([ca.cert], crls)


def _impostor(ca: SigningIdentity) -> SigningIdentity:
    """The CA's name and certificate with somebody else's key: whoever forges its CRLs."""
    return SigningIdentity(name=ca.name, key=ec.generate_private_key(ec.SECP256R1()), cert=ca.cert)


def _verdict(raw: bytes, store: TrustStore, **kwargs) -> tuple[str, str]:
    report = verify_xades(raw, store, **kwargs)
    assert report.signature == "valid"
    return report.certificate, report.signatures[0].trust_reason or ""


def test_a_revoked_signer_is_revoked_with_serial_date_and_reason(ca: SigningIdentity, path_builder: bool) -> None:
    signer, crl = revoked_signer("Jan Odwołany", ca)
    (entry,) = list(crl)
    certificate, reason = _verdict(sign_letter(LETTER, signer), _store(ca, crl))
    assert certificate == "revoked"
    assert format(signer.cert.serial_number, "x") in reason
    assert entry.revocation_date_utc.isoformat() in reason
    assert "keyCompromise" in reason and "CN=EZD Revocation Test CA" in reason


def test_a_revocation_without_reason_code_still_revokes(ca: SigningIdentity) -> None:
    signer = make_signer("Bez Powodu", ca, revoked=True)
    entry = Revocation(signer.cert.serial_number, clock.now_utc() - timedelta(hours=2), reason=None)
    certificate, reason = _verdict(sign_letter(LETTER, signer), _store(ca, make_crl(ca, [entry])))
    assert certificate == "revoked" and "reason:" not in reason


def test_a_signer_not_on_the_crl_is_trusted(ca: SigningIdentity, path_builder: bool) -> None:
    revoked, crl = revoked_signer("Jan Odwołany", ca)
    good = make_signer("Jan Kowalski", ca)
    assert good.cert.serial_number != revoked.cert.serial_number
    certificate, reason = _verdict(sign_letter(LETTER, good), _store(ca, crl))
    assert certificate == "trusted"
    assert "not revoked per the CRL of CN=EZD Revocation Test CA" in reason


def test_without_a_crl_the_verdict_stays_but_says_so(ca: SigningIdentity, path_builder: bool) -> None:
    signer, _ = revoked_signer("Jan Odwołany", ca)
    certificate, reason = _verdict(sign_letter(LETTER, signer), _store(ca))
    assert certificate == "trusted"
    assert f"revocation not checked: no CRL for {ca.cert.subject.rfc4514_string()}" in reason


def test_a_forged_crl_cannot_revoke(ca: SigningIdentity, path_builder: bool) -> None:
    signer = make_signer("Jan Kowalski", ca)
    forged = make_crl(_impostor(ca), [signer.cert])
    certificate, reason = _verdict(sign_letter(LETTER, signer), _store(ca, forged))
    assert certificate == "trusted"
    assert "no CRL for" in reason  # the forged one is not the CA's CRL at all


def test_a_crl_in_another_issuer_name_does_not_count(ca: SigningIdentity) -> None:
    # Signed with the CA's key, but it names another issuer: it is not this CA's CRL.
    other_name = SigningIdentity(name="other", key=ca.key, cert=make_ca("EZD Revocation Other Root").cert)
    signer = make_signer("Jan Kowalski", ca)
    assert _verdict(sign_letter(LETTER, signer), _store(ca, make_crl(other_name, [signer.cert])))[0] == "trusted"


def test_a_forged_newer_crl_cannot_unrevoke(ca: SigningIdentity, path_builder: bool) -> None:
    signer, genuine = revoked_signer("Jan Odwołany", ca)
    # Newer than the genuine one, so it would win if its signature were not checked.
    clean = make_crl(_impostor(ca), [], this_update=clock.now_utc() + timedelta(minutes=5))
    assert _verdict(sign_letter(LETTER, signer), _store(ca, genuine, clean))[0] == "revoked"


def test_the_newest_genuine_crl_decides(ca: SigningIdentity) -> None:
    """A certificateHold released by a later CRL no longer counts."""
    signer = make_signer("Zawieszony", ca, revoked=True)
    now = clock.now_utc()
    held = Revocation(signer.cert.serial_number, now - timedelta(days=2), x509.ReasonFlags.certificate_hold)
    older = make_crl(ca, [held], this_update=now - timedelta(days=1))
    newer = make_crl(ca, [], this_update=now - timedelta(hours=1))
    raw = sign_letter(LETTER, signer)
    certificate, reason = _verdict(raw, _store(ca, older))
    assert certificate == "revoked" and "certificateHold" in reason
    assert _verdict(raw, _store(ca, newer, older))[0] == "trusted"


def test_a_revoked_intermediate_revokes_its_leaves(
    ca: SigningIdentity, sub_ca: SigningIdentity, path_builder: bool
) -> None:
    leaf = make_signer("Anna Nowak", sub_ca)
    raw = sign_letter(LETTER, leaf)
    root_crl = make_crl(ca, [sub_ca.cert])
    sub_crl = make_crl(sub_ca, [])
    certificate, reason = _verdict(raw, _store(ca, root_crl, sub_crl))
    assert certificate == "revoked"
    assert reason.startswith("intermediate CA certificate EZD Revocation Test Sub CA")
    assert format(sub_ca.cert.serial_number, "x") in reason
    # The intermediate's own CRL is used for the leaf (from KeyInfo, not from the store).
    certificate, reason = _verdict(raw, _store(ca, make_crl(ca, []), sub_crl))
    assert certificate == "trusted"
    assert "not revoked per the CRL of CN=EZD Revocation Test Sub CA" in reason


def test_the_leaf_is_checked_against_its_own_issuer_crl(
    ca: SigningIdentity, sub_ca: SigningIdentity, path_builder: bool
) -> None:
    leaf = make_signer("Anna Odwołana", sub_ca, revoked=True)
    # The root listing the leaf's serial means nothing: the root did not issue it.
    wrong_issuer = make_crl(ca, [leaf.cert])
    raw = sign_letter(LETTER, leaf)
    assert _verdict(raw, _store(ca, wrong_issuer))[0] == "trusted"
    assert _verdict(raw, _store(ca, wrong_issuer, make_crl(sub_ca, [leaf.cert])))[0] == "revoked"


def test_a_stale_crl_makes_the_status_unknown(ca: SigningIdentity, path_builder: bool) -> None:
    signer = make_signer("Jan Kowalski", ca)
    now = clock.now_utc()
    stale = make_crl(ca, [], this_update=now - timedelta(days=40), next_update=now - timedelta(days=10))
    certificate, reason = _verdict(sign_letter(LETTER, signer), _store(ca, stale))
    assert certificate == "untrusted"
    assert reason.startswith(f"revocation status of certificate serial {format(signer.cert.serial_number, 'x')} unknown")
    assert stale.next_update_utc.isoformat() in reason and "chains to" in reason


def test_a_stale_crl_still_revokes_what_it_lists(ca: SigningIdentity) -> None:
    now = clock.now_utc()
    signer, stale = revoked_signer("Jan Odwołany", ca, revoked_at=now - timedelta(days=20),
                                   this_update=now - timedelta(days=15), next_update=now - timedelta(days=10))
    assert _verdict(sign_letter(LETTER, signer), _store(ca, stale))[0] == "revoked"


def test_a_crl_goes_stale_on_the_clock(ca: SigningIdentity) -> None:
    """verify_xades judges at ezd.clock's now: the same CRL is fresh today, stale after nextUpdate."""
    signer = make_signer("Jan Kowalski", ca)
    raw = sign_letter(LETTER, signer)
    now = clock.now_utc()
    store = _store(ca, make_crl(ca, [], this_update=now, next_update=now + timedelta(days=7)))
    assert _verdict(raw, store)[0] == "trusted"
    with clock.frozen(now + timedelta(days=8)):
        assert _verdict(raw, store)[0] == "untrusted"


def test_a_revocation_after_the_judgement_time_does_not_count(ca: SigningIdentity, path_builder: bool) -> None:
    now = clock.now_utc()
    signer, crl = revoked_signer("Jan Później", ca, revoked_at=now + timedelta(days=3))
    raw = sign_letter(LETTER, signer)
    certificate, reason = _verdict(raw, _store(ca, crl))
    assert certificate == "trusted"
    assert "after the judgement time" in reason
    # Judged once the revocation date has come, it counts.
    assert _verdict(raw, _store(ca, crl), at=now + timedelta(days=4))[0] == "revoked"
    # The revocation moment itself is "at or before".
    assert _verdict(raw, _store(ca, crl), at=list(crl)[0].revocation_date_utc)[0] == "revoked"


def test_an_anchor_is_not_checked_against_crls(ca: SigningIdentity) -> None:
    # An anchor is trusted by configuration; to stop trusting it, it is removed.
    other_root = make_ca("EZD Revocation Other Root")
    signer = make_signer("Jan Kowalski", ca)
    store = TrustStore([ca.cert], [make_crl(ca, [ca.cert]), make_crl(other_root, [ca.cert])])
    assert _verdict(sign_letter(LETTER, signer), store)[0] == "trusted"


def test_crls_load_from_directory_and_bundle(tmp_path: Path, ca: SigningIdentity, sub_ca: SigningIdentity) -> None:
    signer, crl = revoked_signer("Jan Odwołany", ca)
    raw = sign_letter(LETTER, signer)
    (tmp_path / "root.pem").write_bytes(ca.cert.public_bytes(PEM))
    (tmp_path / "root.crl").write_bytes(crl.public_bytes(Encoding.DER))
    (tmp_path / "sub.crl").write_bytes(make_crl(sub_ca, []).public_bytes(PEM) + sub_ca.cert.public_bytes(PEM))
    store = TrustStore.from_directory(tmp_path)
    assert (len(store), len(store.crls)) == (1, 2)  # a certificate in a .crl file is not an anchor
    assert _verdict(raw, store)[0] == "revoked"

    bundle = ca.cert.public_bytes(PEM) + crl.public_bytes(PEM) + make_crl(sub_ca, []).public_bytes(PEM)
    from_bundle = TrustStore.from_pem_bundle(bundle)
    assert (len(from_bundle), len(from_bundle.crls)) == (1, 2)
    assert _verdict(raw, from_bundle)[0] == "revoked"


def test_a_broken_crl_file_names_itself(tmp_path: Path, ca: SigningIdentity) -> None:
    (tmp_path / "root.pem").write_bytes(ca.cert.public_bytes(PEM))
    (tmp_path / "broken.crl").write_bytes(b"not a CRL at all")
    with pytest.raises(ValueError, match="broken.crl"):
        TrustStore.from_directory(tmp_path)


def test_report_aggregation_with_revoked() -> None:
    trusted = SignatureDetail(valid=True, certificate="trusted")
    untrusted = SignatureDetail(valid=True, certificate="untrusted")
    revoked = SignatureDetail(valid=True, certificate="revoked")
    broken_revoked = SignatureDetail(valid=False, certificate="revoked", error="Digest mismatch")
    assert SignatureReport.from_details([trusted, revoked], "t").certificate == "revoked"
    assert SignatureReport.from_details([untrusted, revoked], "t").certificate == "revoked"
    assert SignatureReport.from_details([revoked], "t").certificate == "revoked"
    # A broken signature's certificate proves nothing about the document.
    assert SignatureReport.from_details([trusted, broken_revoked], "t").certificate == "trusted"
    assert SignatureReport.from_details([broken_revoked], "t").certificate == "untrusted"


def test_a_letter_with_one_revoked_signature_is_revoked(ca: SigningIdentity) -> None:
    revoked, crl = revoked_signer("Jan Odwołany", ca)
    twice = sign_letter(sign_letter(LETTER, make_signer("Jan Kowalski", ca)), revoked)
    report = verify_xades(twice, _store(ca, crl))
    assert (report.signature, report.certificate) == ("valid", "revoked")
    assert [d.certificate for d in report.signatures] == ["trusted", "revoked"]


# --- the demo CA of the local stack --------------------------------------------------------


def test_demo_ca_publishes_a_crl_listing_a_persistent_revoked_signer(tmp_path: Path) -> None:
    from ezd.local.keys import ensure_demo_ca, revoked_demo_signer

    ca = ensure_demo_ca(tmp_path)
    revoked = revoked_demo_signer(tmp_path)
    first_crl = x509.load_pem_x509_crl((tmp_path / "trust" / "demo-ca.crl").read_bytes())
    assert first_crl.get_revoked_certificate_by_serial_number(revoked.cert.serial_number) is not None
    store = TrustStore.from_directory(tmp_path / "trust")
    assert _verdict(sign_letter(LETTER, revoked), store)[0] == "revoked"
    assert _verdict(sign_letter(LETTER, make_signer("Jan Kowalski", ca)), store)[0] == "trusted"

    # A restart later: the same CA and revoked signer, a fresh CRL that still lists it.
    with clock.frozen(clock.now_utc() + timedelta(days=45)):
        assert ensure_demo_ca(tmp_path).cert == ca.cert
        assert revoked_demo_signer(tmp_path).cert == revoked.cert
        again = x509.load_pem_x509_crl((tmp_path / "trust" / "demo-ca.crl").read_bytes())
        assert again.last_update_utc > first_crl.last_update_utc and again.next_update_utc > clock.now_utc()
        entry = again.get_revoked_certificate_by_serial_number(revoked.cert.serial_number)
        assert entry is not None and entry.revocation_date_utc <= clock.now_utc()
        assert _verdict(sign_letter(LETTER, revoked), TrustStore.from_directory(tmp_path / "trust"))[0] == "revoked"


def test_every_private_key_file_is_0600(tmp_path: Path) -> None:
    from ezd.local.keys import ensure_demo_ca, ensure_seal

    ensure_demo_ca(tmp_path)
    ensure_seal(tmp_path / "keys" / "seal.pem")
    keys = sorted((tmp_path / "keys").iterdir())
    assert [k.name for k in keys] == ["demo-ca.pem", "demo-revoked-signer.pem", "seal.pem"]
    assert all(stat.S_IMODE(k.stat().st_mode) == 0o600 for k in keys)
    # A key left readable by an older version is closed again when it is next used.
    (tmp_path / "keys" / "demo-ca.pem").chmod(0o644)
    ensure_demo_ca(tmp_path)
    assert stat.S_IMODE((tmp_path / "keys" / "demo-ca.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "trust" / "demo-ca.crl").stat().st_mode) == 0o644


@pytest.mark.parametrize(("signed", "expected"), [("revoked", "revoked"), ("trusted", "trusted")])
def test_demo_letter_command(tmp_path: Path, signed: str, expected: str) -> None:
    from ezd.cli import main

    out = tmp_path / "letter.xml"
    state = tmp_path / "state"
    assert main(["demo-letter", "--out", str(out), "--signed", signed, "--state-dir", str(state)]) == 0
    store = TrustStore.from_directory(state / "trust")
    assert _verdict(out.read_bytes(), store)[0] == expected
