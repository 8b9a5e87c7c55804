"""The embedded stack keeps its data: a redo journal of what every request into moto
changed, periodic snapshots, and the bytes of S3 objects in a content-addressed store,
all under ``<state>/data/`` (see layout.py and docs/architecture.md)."""

from ezd.local.persistence.layout import StateBusy, reset
from ezd.local.persistence.store import Persistence, RestoreReport

__all__ = ["Persistence", "RestoreReport", "StateBusy", "reset"]
