"""The service's own rules on what it accepts (standards/README.md, "Limits").

The simulator's copy of the rules, kept apart from the adapter's pre-checks on purpose:
if both used one function, a wrong rule would pass every test.
"""

from __future__ import annotations

import re

MAX_FILENAME_CHARS = 128
FORBIDDEN_FILENAME_CHARS = frozenset('~"#%&*:<>?!/\\{|}')
MAX_RECIPIENTS = 15
MAX_BULK_IDS = 50
MAX_INLINE_BYTES = 15 * 1024 * 1024  # base64 attachments in JSON; above this, the binary upload
# Not in the facts: the simulator's ceiling on one binary upload (and on a request body).
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
ADE = re.compile(r"^AE:PL-\d{5}-\d{5}-[A-Z]{5}-\d{2}$")


def filename_problem(name: str | None, taken: set[str]) -> str | None:
    if not name:
        return "the file name is empty"
    if len(name) > MAX_FILENAME_CHARS:
        return f"the file name is longer than {MAX_FILENAME_CHARS} characters"
    if any(ch.isspace() for ch in name):
        return "the file name contains a space"
    bad = sorted({ch for ch in name if ch in FORBIDDEN_FILENAME_CHARS})
    if bad:
        return f"the file name contains forbidden characters {''.join(bad)}"
    if any(ord(ch) < 32 for ch in name):
        return "the file name contains control characters"
    if name in taken:
        return "a file of this name is already attached"
    return None


def recipients_problem(addresses: list[str]) -> str | None:
    if not addresses:
        return "no recipient"
    if len(addresses) > MAX_RECIPIENTS:
        return f"more than {MAX_RECIPIENTS} recipients"
    wrong = [a for a in addresses if not ADE.match(a)]
    if wrong:
        return f"not an e-delivery address: {', '.join(wrong[:3])}"
    if len(set(addresses)) != len(addresses):
        return "a recipient is given twice"
    return None
