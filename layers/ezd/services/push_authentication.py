"""Who may push letters into a unit's register: ePUAP, and nobody else.

The trusted certificates are configuration (EZD_EPUAP_PUSH_TRUST: a directory or a PEM
bundle packaged with the deployment; locally the simulator's certificate). Without any,
every push is refused and letters are only collected by WS-Pull.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from cryptography import x509

from ezd.adapters.trust_store import TrustStore
from ezd.adapters.wssecurity import NotSignedByEpuap, verify_envelope
from ezd.config import Settings


@lru_cache(maxsize=4)
def _trust(location: str) -> TrustStore:
    path = Path(location)
    return TrustStore.from_directory(path) if path.is_dir() else TrustStore.from_pem_bundle(path.read_bytes())


def verify_push(raw: bytes, settings: Settings) -> x509.Certificate:
    if not settings.epuap_push_trust:
        raise NotSignedByEpuap("no certificate is trusted as ePUAP's here: pushes are not accepted")
    return verify_envelope(raw, _trust(settings.epuap_push_trust))
