"""Reading user text from files, stdin or the UI, with clear errors for what cannot be used."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

from coach.errors import InputError
from coach.messages import Message, pair

MAX_INPUT_BYTES = 512 * 1024


def check_text(data: bytes | str, *, what: str = "notes", what_ja: str = "メモ") -> str:
    """Return usable text or raise InputError saying what to do (empty, binary, too large)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    named = Message(what, what_ja)
    if len(raw) > MAX_INPUT_BYTES:
        kib = len(raw) // 1024
        raise InputError.of("input.too_large", what=named, kib=kib, limit=MAX_INPUT_BYTES // 1024)
    if b"\x00" in raw:
        raise InputError.of("input.binary", what=named, reason=pair("input.reason.nul"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(raw, exc, named) from None
    if text:
        replaced = text.count("\ufffd")
        if replaced and replaced / len(text) > 0.1:
            reason = pair("input.reason.replacement", count=replaced)
            raise InputError.of("input.binary", what=named, reason=reason)
        control = sum(1 for ch in text if _is_control(ch))
        if control / len(text) > 0.1:
            reason = pair("input.reason.control", count=control)
            raise InputError.of("input.binary", what=named, reason=reason)
    if not text.strip():
        raise InputError.of("input.empty", what=named)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_control(ch: str) -> bool:
    """A control or unassigned code point; white space of any script (`\u3000`) and emoji are text."""
    if ch in "\n\r\t\f\v" or ch.isprintable() or ch.isspace():
        return False
    category = unicodedata.category(ch)
    return category in ("Cc", "Cn", "Cs") or (category == "Co")


def _not_utf8(raw: bytes, exc: UnicodeDecodeError, what: Message) -> InputError:
    """Invalid UTF-8 is refused, never guessed: bytes that read as Shift_JIS (cp932) are named so."""
    try:
        raw.decode("cp932")
    except UnicodeDecodeError:
        return InputError.of("input.not_utf8", what=what, position=exc.start)
    return InputError.of("input.shift_jis", what=what)


def read_input(source: str | None, *, what: str = "notes", what_ja: str = "メモ") -> str:
    """Read FILE, `-` or nothing (stdin) and check it."""
    if source in (None, "-"):
        data = sys.stdin.buffer.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError.of("input.file_not_found", source=source)
        data = path.read_bytes()
    return check_text(data, what=what, what_ja=what_ja)
