"""A context budget without a tokenizer download: how many tokens a text will cost, roughly.

The estimate counts by script, because tokenizers do: English-centred BPE vocabularies spend
about one token per 3–4 Latin characters, but one or more per kana/kanji (a Japanese character
is 3 UTF-8 bytes, and small vocabularies hold few of them whole). The per-script costs in
`TOKENS_PER_CHAR` are upper-side figures fitted on SmolLM2's tokenizer (a 49k English-centred
vocabulary, the least generous one in use here) over the prompt files and the dev meetings:
real/estimated tokens per file, tune half (even files) median 0.94, max 1.11; check half (odd
files) median 0.92, max 1.00. bench/llm.py prints the same ratio for each flow's prompt. With
`CONTEXT_SAFETY` on top, a prompt that fits the estimate fits the model. Larger vocabularies (Qwen,
Llama 3, GPT-4o) spend fewer tokens: the estimate errs on the side of a shorter prompt.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

# script -> tokens per character
TOKENS_PER_CHAR: dict[str, float] = {
    "latin": 0.25,  # letters, digits, ASCII punctuation
    "space": 0.45,  # a space or newline mostly starts a new token
    "kana": 1.8,
    "kanji": 2.9,  # most kanji are 2-3 byte tokens in a small English-centred vocabulary
    "other": 1.5,  # full-width forms, symbols, other scripts: often split into byte tokens
}
CONTEXT_SAFETY = 0.95  # share of the context a prompt + its answer may plan to use
MESSAGE_OVERHEAD = 8  # role markers and separators of a chat template, per message
REPLY_OVERHEAD = 16  # the assistant header the template adds before the answer


def _script(ch: str) -> str:
    code = ord(ch)
    if code < 128:
        return "space" if ch.isspace() else "latin"
    if 0x3040 <= code <= 0x30FF:
        return "kana"
    if 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF:
        return "kanji"
    return "other"


def estimate_tokens(text: str) -> int:
    """An upper-side estimate of the tokens `text` costs (see the module docstring)."""
    if not text:
        return 0
    if text.isascii():
        spaces = sum(1 for ch in text if ch.isspace())
        latin = TOKENS_PER_CHAR["latin"]
        return math.ceil((len(text) - spaces) * latin + spaces * TOKENS_PER_CHAR["space"])
    total = 0.0
    for ch in text:
        total += TOKENS_PER_CHAR[_script(ch)]
    return math.ceil(total)


def messages_tokens(contents: Iterable[str]) -> int:
    """The estimated prompt cost of chat messages with these contents."""
    return sum(estimate_tokens(text) + MESSAGE_OVERHEAD for text in contents) + REPLY_OVERHEAD


def cut_to_tokens(text: str, tokens: int) -> str:
    """The longest head of `text`, cut at a line end where possible, that costs at most `tokens`."""
    if estimate_tokens(text) <= tokens:
        return text
    if tokens <= 0:
        return ""
    low, high = 0, len(text)
    while low < high:  # the longest prefix within budget (the estimate grows with the prefix)
        middle = (low + high + 1) // 2
        if estimate_tokens(text[:middle]) <= tokens:
            low = middle
        else:
            high = middle - 1
    head = text[:low]
    line_end = head.rfind("\n")
    return head[:line_end] if line_end > len(head) // 2 else head


def fit_in_order(texts: Sequence[str], tokens: int, separator_tokens: int = 2) -> list[str]:
    """The texts, best first, that fit in `tokens` together; the last one that fits only in part
    is cut at a line end. Used to trim retrieved passages by rank."""
    kept: list[str] = []
    left = tokens
    for text in texts:
        cost = estimate_tokens(text) + separator_tokens
        if cost <= left:
            kept.append(text)
            left -= cost
            continue
        head = cut_to_tokens(text, left - separator_tokens)
        if head.strip():
            kept.append(head)
        break
    return kept


def split_lines_to_fit(text: str, tokens: int, carry: re.Pattern[str] | None = None) -> list[str]:
    """`text` cut at line ends into pieces of at most `tokens` each (a longer line is cut too).

    A line matching `carry` (e.g. a Markdown heading) is repeated at the top of the next piece,
    so each piece still says which section its lines belong to.
    """
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    heading = ""
    for line in text.splitlines():
        cost = estimate_tokens(line) + 1
        if cost > tokens:
            line = cut_to_tokens(line, tokens - 1 - estimate_tokens(heading))
            cost = estimate_tokens(line) + 1
        if current and used + cost > tokens:
            pieces.append("\n".join(current))
            current, used = (
                ([heading], estimate_tokens(heading) + 1) if heading and heading != line else ([], 0)
            )
        current.append(line)
        used += cost
        if carry is not None and carry.match(line):
            heading = line
    if any(line.strip() for line in current):
        pieces.append("\n".join(current))
    return pieces


def merge_sections(texts: Sequence[str], headings: Sequence[str]) -> str:
    """Answers written piece by piece, joined: the lines under each of `headings` gathered from
    every piece, in the order of `headings` (lines before any heading go under the first)."""
    sections: dict[str, list[str]] = {heading: [] for heading in headings}
    other: list[str] = []
    for text in texts:
        target = sections[headings[0]] if headings else other
        for line in text.splitlines():
            stripped = line.strip()
            if stripped in sections:
                target = sections[stripped]
            elif stripped:
                target.append(line)
    out: list[str] = []
    for heading in headings:
        out += [heading, *sections[heading]]
    return "\n".join([*out, *other])
