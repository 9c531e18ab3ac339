"""Is every number of a model's output in the user's source text? Shared by every LLM path.

A number counts as grounded when the source writes the same value (in any spelling: `1,200`,
`１，２００`, `1.2k`, `120万` for 1200000) or when code computed it (`allowed`: changes, unit
conversions), where the usual roundings of a computed value are accepted (43.75 → 44, 43.8).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from coach.text import SCALE_WORDS, numbers_in, round_half_up

_NOT_A_QUANTITY = re.compile(r"1\s?on\s?1|1\s?対\s?1|1:1", re.IGNORECASE)


@lru_cache(maxsize=8)
def source_values(source: str) -> frozenset[float]:
    """Every value the source states, in each spelling a faithful rewrite could use.

    Cached: one LLM answer is checked field by field against the same notes.
    """
    values: set[float] = set()
    for number in numbers_in(source):
        values.update((number.raw, number.value))
        # numbers_in folds one char to one char and leaves 千/万/億 as they are: offsets hold in `source`
        scale = SCALE_WORDS.get(source[number.end : number.end + 1])
        if scale:
            values.add(number.raw * scale)
    return frozenset(values)


def _roundings(value: float) -> set[float]:
    magnitude = abs(value)
    return {magnitude, *(round_half_up(magnitude, step) for step in ("1", "0.1", "0.01"))}


def _close(value: float, candidates: Iterable[float]) -> bool:
    return any(abs(value - c) <= 1e-9 * max(1.0, abs(c)) for c in candidates)


def ungrounded_numbers(output: str, source: str, allowed: Iterable[float] = ()) -> list[str]:
    """The numbers written in `output` that neither `source` nor `allowed` accounts for, as written."""
    known = source_values(source)
    computed: set[float] = set()
    for value in allowed:
        computed |= _roundings(value)
    found = []
    masked = _NOT_A_QUANTITY.sub(lambda m: "x" * len(m.group()), output)
    for number in numbers_in(masked):
        if _close(number.value, known) or _close(number.raw, known) or _close(number.value, computed):
            continue
        found.append(output[number.start : number.end])
    return found


def strip_ungrounded(output: str, ungrounded: Iterable[str], placeholder: str = "[N]") -> str:
    """Replace each ungrounded number with a visible placeholder, keeping the rest of the sentence."""
    result = output
    for token in sorted(set(ungrounded), key=len, reverse=True):
        result = re.sub(rf"(?<![\d.,]){re.escape(token)}(?![\d]|\.\d)", placeholder, result)
    return result
