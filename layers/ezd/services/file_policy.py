"""Which files the intake accepts: safe names, permitted extensions, content that is what it claims.

Used for ePUAP attachments and for paper-scan uploads alike. The checks run in a fixed
order (name, extension, executable content, extension/content agreement) so the same
file always gets the same rejection code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import filetype

from ezd.errors import IntakeRejected, RejectCode
from ezd.models.letters import IntakePolicy

MAX_FILENAME_CHARS = 255

# Bidirectional controls let "raport\u202Efdp.exe" display as "raportexe.pdf"; they have no
# business in a file name, so they are refused like control characters.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")

# Magic numbers of native executables and scripts. Checked on every file whatever its name:
# a program renamed to "aneks.pdf" is still a program.
_EXECUTABLE_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows/DOS executable (MZ header)"),
    (b"\x7fELF", "an ELF executable"),
    (b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O universal binary or Java class"),
    (b"#!", "a script (#! line)"),
)
# filetype's names for programs; a match is refused like a magic above.
_EXECUTABLE_MIMES = frozenset(
    {"application/x-msdownload", "application/x-executable", "application/x-mach-binary", "application/wasm"}
)

_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_OFFICE_ZIP_EXTENSIONS = ("docx", "xlsx", "pptx", "odt", "ods", "odp", "zip")


def _is_pdf(content: bytes) -> bool:
    # Readers accept the header anywhere in the first KiB, so the check does too.
    return b"%PDF-" in content[:1024]


def _starts_with(*magics: bytes) -> Callable[[bytes], bool]:
    return lambda content: content.startswith(magics)


# Formats whose signature is reliable enough to insist that content matches the extension.
# Other extensions (txt, xml, csv...) have no signature to check against.
_CONTENT_CHECKS: dict[str, tuple[Callable[[bytes], bool], str | None]] = {
    "pdf": (_is_pdf, "application/pdf"),
    "png": (_starts_with(b"\x89PNG\r\n\x1a\n"), "image/png"),
    "jpg": (_starts_with(b"\xff\xd8\xff"), "image/jpeg"),
    "jpeg": (_starts_with(b"\xff\xd8\xff"), "image/jpeg"),
    "gif": (_starts_with(b"GIF87a", b"GIF89a"), "image/gif"),
    "tif": (_starts_with(b"II*\x00", b"MM\x00*"), "image/tiff"),
    "tiff": (_starts_with(b"II*\x00", b"MM\x00*"), "image/tiff"),
    **{ext: (_starts_with(*_ZIP_MAGICS), None) for ext in _OFFICE_ZIP_EXTENSIONS},
}


def _unsafe(message: str) -> IntakeRejected:
    return IntakeRejected(message, code=RejectCode.UNSAFE_FILENAME)


def _forbidden(message: str) -> IntakeRejected:
    return IntakeRejected(message, code=RejectCode.FORBIDDEN_FILE_TYPE)


def check_filename(filename: str) -> None:
    """Refuse names that could escape a directory or mislead whoever opens the file."""
    shown = repr(filename[:80])
    if not filename or not filename.strip():
        raise _unsafe("The file name is empty.")
    if len(filename) > MAX_FILENAME_CHARS:
        raise _unsafe(f"The file name {shown}... is longer than {MAX_FILENAME_CHARS} characters.")
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS for ch in filename):
        raise _unsafe(f"The file name {shown} contains control characters.")
    if "/" in filename or "\\" in filename:
        raise _unsafe(f"The file name {shown} contains a path separator.")
    if _DRIVE_LETTER.match(filename):
        raise _unsafe(f"The file name {shown} starts with a drive letter.")
    if ".." in filename:
        raise _unsafe(f"The file name {shown} contains '..'.")


def file_extension(filename: str) -> str:
    """The extension as Windows sees it: trailing dots and spaces are dropped ("x.exe. " runs as exe)."""
    stem = filename.rstrip(". ")
    _, dot, ext = stem.rpartition(".")
    return ext.lower() if dot else ""


def _check_extension(filename: str, ext: str, policy: IntakePolicy) -> None:
    # Only the last extension decides: "x.pdf.exe" is an exe and is refused, while
    # "www.szkola.com.pdf" is a pdf. A program hidden as "x.exe.pdf" is caught by its content.
    if ext in policy.forbidden_extensions:
        raise _forbidden(f"Files of type .{ext} are not accepted ({filename!r}).")
    if policy.allowed_extensions is not None and ext not in policy.allowed_extensions:
        shown = f".{ext}" if ext else "without an extension"
        raise _forbidden(f"Files {shown} are not accepted ({filename!r}).")


def _executable_kind(content: bytes, guessed_mime: str | None) -> str | None:
    for magic, description in _EXECUTABLE_MAGICS:
        if content.startswith(magic):
            return description
    if guessed_mime in _EXECUTABLE_MIMES:
        return f"a program ({guessed_mime})"
    return None


def sniffed_type(content: bytes) -> str | None:
    """The MIME type the content itself shows (its magic bytes), if it shows one."""
    guess = filetype.guess(content) if content else None
    return guess.mime if guess is not None else None


def check_file(filename: str, content: bytes, policy: IntakePolicy) -> str | None:
    """Accept or refuse one file; return the MIME type sniffed from its content, if any.

    Raises IntakeRejected with UNSAFE_ATTACHMENT_NAME or FORBIDDEN_FILE_TYPE.
    """
    check_filename(filename)
    ext = file_extension(filename)
    _check_extension(filename, ext, policy)

    guess = filetype.guess(content) if content else None
    guessed_mime = guess.mime if guess is not None else None
    # filetype's own extension names (exe, elf...) are checked against the policy too.
    if guess is not None and guess.extension in policy.forbidden_extensions:
        raise _forbidden(f"The file {filename!r} contains a forbidden type of file ({guess.extension}).")
    executable = _executable_kind(content, guessed_mime)
    if executable is not None:
        raise _forbidden(f"The file {filename!r} is {executable}; programs are not accepted.")

    expectation = _CONTENT_CHECKS.get(ext)
    if expectation is not None:
        matches, mime = expectation
        if not matches(content):
            raise _forbidden(f"The content of {filename!r} does not match its extension .{ext}.")
        return guessed_mime or mime
    return guessed_mime
