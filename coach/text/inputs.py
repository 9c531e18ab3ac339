"""Reading user text from files, stdin or the UI, with clear errors for what cannot be used."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

from coach.errors import InputError

MAX_INPUT_BYTES = 512 * 1024


def check_text(data: bytes | str, *, what: str = "notes", what_ja: str = "メモ") -> str:
    """Return usable text or raise InputError saying what to do (empty, binary, too large)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if len(raw) > MAX_INPUT_BYTES:
        kib = len(raw) // 1024
        raise InputError(
            f"The {what} are too large ({kib} KiB; the limit is {MAX_INPUT_BYTES // 1024} KiB). "
            "Split them into smaller pieces, e.g. one period or one project at a time.",
            f"{what_ja}が大きすぎます({kib} KiB、上限は {MAX_INPUT_BYTES // 1024} KiB)。"
            "期間やプロジェクトごとに分けて入力してください。",
        )
    if b"\x00" in raw:
        raise _binary(what, what_ja, "NUL bytes", "NUL バイト")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(raw, exc, what, what_ja) from None
    if text:
        replaced = text.count("\ufffd")
        if replaced and replaced / len(text) > 0.1:
            raise _binary(
                what,
                what_ja,
                f"{replaced} replacement characters (U+FFFD)",
                f"置換文字 (U+FFFD) が {replaced} 個",
            )
        control = sum(1 for ch in text if _is_control(ch))
        if control / len(text) > 0.1:
            raise _binary(what, what_ja, f"{control} control characters", f"制御文字が {control} 個")
    if not text.strip():
        raise InputError(
            f"The {what} are empty. Paste some text first.",
            f"{what_ja}が空です。テキストを入力してください。",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_control(ch: str) -> bool:
    """A control or unassigned code point; white space of any script (`\u3000`) and emoji are text."""
    if ch in "\n\r\t\f\v" or ch.isprintable() or ch.isspace():
        return False
    category = unicodedata.category(ch)
    return category in ("Cc", "Cn", "Cs") or (category == "Co")


def _binary(what: str, what_ja: str, reason: str, reason_ja: str) -> InputError:
    return InputError(
        f"The {what} look like a binary file, not text ({reason}). Paste or pass a UTF-8 text or Markdown file.",
        f"{what_ja}がバイナリファイルのようです({reason_ja})。UTF-8 のテキストか Markdown を入力してください。",
    )


def _not_utf8(raw: bytes, exc: UnicodeDecodeError, what: str, what_ja: str) -> InputError:
    """Invalid UTF-8 is refused, never guessed: bytes that read as Shift_JIS (cp932) are named so."""
    try:
        raw.decode("cp932")
    except UnicodeDecodeError:
        return InputError(
            f"The {what} are not valid UTF-8 text (invalid byte at position {exc.start}). "
            "Save the file as UTF-8 and try again.",
            f"{what_ja}が UTF-8 のテキストとして読めません({exc.start} バイト目が不正)。"
            "UTF-8 で保存し直してください。",
        )
    return InputError(
        f"The {what} are not UTF-8: they look like Shift_JIS (cp932). They were not read, so nothing "
        "garbled is stored. Save the file as UTF-8 (e.g. in your editor: Save with encoding → UTF-8) and try again.",
        f"{what_ja}が UTF-8 ではなく Shift_JIS (cp932) のようです。文字化けを保存しないよう読み込みを止めました。"
        "エディタで文字コードを UTF-8 にして保存し直してから、もう一度入力してください。",
    )


def read_input(source: str | None, *, what: str = "notes", what_ja: str = "メモ") -> str:
    """Read FILE, `-` or nothing (stdin) and check it."""
    if source in (None, "-"):
        data = sys.stdin.buffer.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(
                f"File not found: {source}. Pass an existing file, or '-' to read from standard input.",
                f"ファイルが見つかりません: {source}。既存のファイルか、標準入力なら '-' を指定してください。",
            )
        data = path.read_bytes()
    return check_text(data, what=what, what_ja=what_ja)
