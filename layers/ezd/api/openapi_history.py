"""The earlier committed version of ``portal/openapi.json`` that the code is compared with.

The committed document always equals the generated one (tests/unit/test_openapi.py), so the
change to check is the one the latest commit of the file made: the version before it. While
the file has uncommitted changes, the change to check is the one against the latest commit.
Git answers both: of the two latest commits that changed the file, the first whose version
differs from the generated document. Without git, or with a history too short (a shallow
clone), there is nothing to compare with, and the caller is told why.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

DOCUMENT = "portal/openapi.json"
CHANGELOG = "docs/api-changes.md"


@dataclass(frozen=True)
class Baseline:
    text: str | None  # the earlier version, or None when there is none to compare with
    where: str  # the commit it comes from, or why there is none


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def previous_version(root: Path, generated: str) -> Baseline:
    if shutil.which("git") is None:
        return Baseline(None, "git is not installed")
    if (_git(root, "rev-parse", "--is-inside-work-tree") or "").strip() != "true":
        return Baseline(None, f"{root} is not a git checkout")
    shallow = (_git(root, "rev-parse", "--is-shallow-repository") or "").strip() == "true"
    revisions = (_git(root, "log", "-n", "2", "--format=%H", "--", DOCUMENT) or "").split()
    for revision in revisions:
        text = _git(root, "show", f"{revision}:{DOCUMENT}")
        if text is not None and text != generated:
            return Baseline(text, revision)
    hint = " (a shallow clone: `git fetch --unshallow` brings the history)" if shallow else ""
    return Baseline(None, f"no earlier version of {DOCUMENT} in the history{hint}")
