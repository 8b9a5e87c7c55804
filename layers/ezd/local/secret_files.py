"""Private files of the local stack: keys readable by the owner only (0600), written
atomically, so a key never exists half-written or world-readable, even for a moment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PRIVATE_MODE = 0o600


def write_private(path: Path, data: bytes) -> Path:
    # A folder made for private files is the owner's only (its names are nobody else's business).
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def ensure_private_mode(path: Path) -> None:
    """Tightens a key file written by an older version with a looser mode."""
    if path.exists() and path.stat().st_mode & 0o077:
        path.chmod(PRIVATE_MODE)


def ensure_random_key(path: Path, n_bytes: int = 32) -> str:
    """A random key made once per installation (hex), kept in ``path``."""
    if path.exists():
        ensure_private_mode(path)
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_hex(n_bytes)
    write_private(path, key.encode("ascii"))
    return key
