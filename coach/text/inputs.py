"""Reading user text from files, stdin or the UI, with clear errors for what cannot be used."""

from __future__ import annotations

import sys
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
        raise _binary(what, what_ja)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp932")
        except UnicodeDecodeError:
            raise InputError(
                f"The {what} are not valid UTF-8 text. Save the file as UTF-8 and try again.",
                f"{what_ja}が UTF-8 のテキストとして読めません。UTF-8 で保存し直してください。",
            ) from None
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
    if text and printable / len(text) < 0.9:
        raise _binary(what, what_ja)
    if not text.strip():
        raise InputError(
            f"The {what} are empty. Paste some text first.",
            f"{what_ja}が空です。テキストを入力してください。",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _binary(what: str, what_ja: str) -> InputError:
    return InputError(
        f"The {what} look like a binary file, not text. Paste or pass a UTF-8 text or Markdown file.",
        f"{what_ja}がバイナリファイルのようです。UTF-8 のテキストか Markdown を入力してください。",
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
