"""Ask your past meetings: answers that quote or cite the meeting they came from.

Offline, the answer is extractive: the lines of the best passages that match the question,
each introduced by its meeting date. With the LLM engine, the model writes an answer only from
the retrieved passages; citation keys (`[2026-03-17]`) are minted here and listed in the prompt
as the only valid ones, any other key is stripped and reported, numbers are checked against the
passages, and any failure falls back to the extractive answer with a visible notice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from coach.config import Settings
from coach.errors import LLMError
from coach.llm.grounding import ungrounded_numbers
from coach.memory.store import Store
from coach.models import AskResult, Language, SearchHit, SearchResults, SectionKind, Source
from coach.search import retrieval
from coach.search import vectors as index
from coach.search.vectors import lines_of
from coach.text.inputs import check_text
from coach.text.language import detect_language

MAX_SOURCES = 4
LINES_PER_SOURCE = 2
RELATIVE_CUTOFF = 0.55  # a meeting joins the answer when its fused score is this share of the best
CITATION = re.compile(r"\[(\d{4}-\d{2}-\d{2}[a-z]?)\]")

NOT_FOUND = {
    "ja": "過去の1on1のメモには見つかりませんでした。",
    "en": "Not found in your meeting notes.",
}


def corpus(settings: Settings) -> retrieval.Corpus:
    """The lexical corpus over every stored meeting."""
    return retrieval.corpus_for(settings, Store.open(settings).meetings)


def retrieve(
    question: str,
    settings: Settings,
    k: int = 10,
    as_of: dt.date | None = None,
    mode: str = "fused",
    corpus_: retrieval.Corpus | None = None,
) -> retrieval.Retrieval:
    """Ranked passages of the stored meetings for `question` (see `retrieval.retrieve`)."""
    return retrieval.retrieve(
        question, settings, k=k, as_of=as_of, mode=mode, corpus=corpus_ or corpus(settings)
    )


def _check(question: str) -> str:
    return check_text(question, what="question", what_ja="質問").strip()


# --------------------------------------------------------------------------- excerpts


@dataclass
class Line:
    text: str
    section: SectionKind
    retrieved: bool
    follows: bool = False  # the next sentence of the same passage as the line before it


# What a question asks for, and the mark of a line that gives it: a number, a reason, what was
# done (the Action line of a STAR entry), how it ended (its Result line). (question, line, weight)
ASKS_FOR: list[tuple[re.Pattern[str], re.Pattern[str], float]] = [
    (
        re.compile(
            r"いくら|どれ(?:だけ|くらい|ぐらい)|どの(?:くらい|ぐらい)|何[件回人%割倍日時月年]|何時間|何か月|何ヶ月"
            r"|how (?:much|many|often|long|far|fast)|what (?:percentage|share|rate)"
        ),
        re.compile(r"\d"),
        0.5,
    ),
    (
        re.compile(r"なぜ|なんで|どうして|理由|\bwhy\b|reason"),
        re.compile(r"ため|から|理由|because|since|due to"),
        1.0,
    ),
    (
        re.compile(
            r"何をした|どう(?:対応|対処|解決|直)|どうやって|what did (?:i|we) (?:do|change|fix)|how did (?:i|we) (?:fix|solve|handle)"
        ),
        re.compile(r"^(?:行動|対応|対策|action)\s*[:：]"),
        1.0,
    ),
    (
        re.compile(r"結果|成果|どうなった|outcome|result|how did .* (?:go|end)"),
        re.compile(r"^(?:結果|result)\s*[:：]|結果"),
        0.5,
    ),
]


def best_lines(
    question: str, lines: Sequence[Line], settings: Settings, limit: int = LINES_PER_SOURCE
) -> list[str]:
    """The lines that answer the question, best first: its topic words (each by how rare it is in
    the notes, so one long shared word cannot outweigh two specific ones), meaning (each line's
    dense similarity to the question, relative to the other candidates), and what it asks for."""
    if len(lines) <= limit:
        return [line.text for line in lines]
    lexical = corpus(settings).lexical
    units = retrieval.content_units(question)
    weights = [lexical.specificity(unit) for unit in units]
    texts = [retrieval.normalize(line.text) for line in lines]
    overlap = np.array(
        [
            sum(w * retrieval.unit_match(u, text) for u, w in zip(units, weights, strict=True))
            / max(sum(weights), 1e-9)
            for text in texts
        ]
    )
    embedder = index.embedding_function(settings).embedder
    query = embedder.embed([question], "query")[0]
    dense = embedder.embed([line.text for line in lines], "passage") @ query
    dense_z = (dense - dense.mean()) / max(float(dense.std()), 1e-6)
    cues = retrieval.cued_sections(question)
    asked = retrieval.normalize(question)
    wanted = [(mark, weight) for asks, mark, weight in ASKS_FOR if asks.search(asked)]
    prior = np.array(
        [
            1.0 * (line.section in cues)
            + 0.3 * line.retrieved
            - 0.5 * (line.section == "actions" and "actions" not in cues)
            + sum(weight for mark, weight in wanted if mark.search(text))
            for line, text in zip(lines, texts, strict=True)
        ]
    )
    # A sentence that follows a matching one often carries its answer (…刷新。理由は…ため。).
    carried = np.array([0.5 * overlap[i - 1] if line.follows else 0.0 for i, line in enumerate(lines)])
    score = 2 * np.maximum(overlap, carried) + 0.5 * dense_z + prior
    return [lines[i].text for i in np.argsort(-score, kind="stable")[:limit].tolist()]


def meeting_lines(found: retrieval.Retrieval, file: str) -> list[Line]:
    retrieved = {h.passage.id for h in found.hits if h.passage.file == file}
    meeting = found.corpus.by_file.get(file) if found.corpus else None
    passages = (
        index.passages_of(meeting) if meeting else [h.passage for h in found.hits if h.passage.file == file]
    )
    return [
        Line(text, p.section, p.id in retrieved, follows=position > 0)
        for p in passages
        for position, text in enumerate(lines_of(p.text))
    ]


@dataclass
class Cited:
    key: str
    hit: retrieval.Hit
    lines: list[str]
    text: str


def _cited(question: str, found: retrieval.Retrieval, settings: Settings) -> list[Cited]:
    """The meetings the answer draws on, each with a code-minted citation key."""
    hits = found.best_per_meeting()
    if not hits:
        return []
    top = hits[0].score
    if found.date_range:
        chosen = hits[:MAX_SOURCES]
    else:
        chosen = [h for h in hits[:MAX_SOURCES] if h.score >= top * RELATIVE_CUTOFF]
    cited: list[Cited] = []
    used: set[str] = set()
    for hit in chosen:
        key = hit.passage.meeting.isoformat()
        suffix = iter("bcdefghijklmnopqrstuvwxyz")
        while key in used:
            key = hit.passage.meeting.isoformat() + next(suffix)
        used.add(key)
        lines = meeting_lines(found, hit.passage.file)
        text = "\n".join(line.text for line in lines)
        per_source = LINES_PER_SOURCE + (len(chosen) <= 2)
        cited.append(Cited(key, hit, best_lines(question, lines, settings, per_source), text))
    return cited


# --------------------------------------------------------------------------- search


def search(query: str, settings: Settings, k: int = 5, as_of: dt.date | None = None) -> SearchResults:
    """Meetings ranked for `query`, one hit per meeting with the lines that matched."""
    query = _check(query)
    found = retrieve(query, settings, k=k, as_of=as_of)
    results = [
        SearchHit(
            meeting=hit.passage.meeting,
            file=hit.passage.file,
            score=round(hit.score, 4),
            excerpt=" / ".join(best_lines(query, meeting_lines(found, hit.passage.file), settings)),
            section=hit.passage.section,
        )
        for hit in found.best_per_meeting()[:k]
    ]
    return SearchResults(query=query, date_filter=found.date_range, results=results)


def search_markdown(results: SearchResults) -> str:
    if not results.results:
        return "(no results / 該当なし)"
    lines = [f"## {results.query}", ""]
    if results.date_filter:
        lines += [f"_{results.date_filter[0]} – {results.date_filter[1]}_", ""]
    for hit in results.results:
        lines.append(f"- **{hit.meeting}** ({hit.file}, {hit.score:.3f}): {hit.excerpt}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- ask


def _extractive(cited: Sequence[Cited], language: Language) -> str:
    paragraphs = []
    for item in cited:
        text = " ".join(item.lines)
        if language == "ja":
            paragraphs.append(f"{item.hit.passage.meeting} の1on1より: {text}")
        else:
            paragraphs.append(f"From the 1on1 on {item.hit.passage.meeting}: {text}")
    return "\n".join(paragraphs)


def _sources(cited: Sequence[Cited]) -> list[Source]:
    return [
        Source(meeting=c.hit.passage.meeting, file=c.hit.passage.file, excerpt=" / ".join(c.lines))
        for c in cited
    ]


def _not_found(language: Language) -> AskResult:
    return AskResult(answer=NOT_FOUND[language], found=False, sources=[])


def _prepare(
    question: str, settings: Settings, as_of: dt.date | None
) -> tuple[str, Language, retrieval.Retrieval, list[Cited]]:
    question = _check(question)
    language = detect_language(question)
    found = retrieve(question, settings, k=MAX_SOURCES * 2, as_of=as_of)
    cited = _cited(question, found, settings) if found.found else []
    return question, language, found, cited


def ask(question: str, settings: Settings, as_of: dt.date | None = None) -> AskResult:
    """Answer from past meetings only; found=false rather than the nearest unrelated meeting."""
    result: AskResult | None = None
    for item in ask_stream(question, settings, as_of=as_of):
        if isinstance(item, AskResult):
            result = item
    assert result is not None
    return result


def ask_stream(question: str, settings: Settings, as_of: dt.date | None = None) -> Iterator[str | AskResult]:
    """Text chunks as the answer is written, then the final AskResult (citations checked).

    The UI shows the chunks live and replaces them with the final answer, which may differ:
    invalid citations are stripped, and a failed LLM answer is replaced by the extractive one.
    """
    question, language, _, cited = _prepare(question, settings, as_of)
    if not cited:
        result = _not_found(language)
        yield result.answer
        yield result
        return
    offline = AskResult(answer=_extractive(cited, language), found=True, sources=_sources(cited))
    if settings.engine != "llm":
        yield offline.answer
        yield offline
        return

    from coach.llm.engine import LLMEngine
    from coach.llm.fallback import OFFLINE_FALLBACK, fallback_notice

    chunks: list[str] = []
    try:
        engine = LLMEngine(settings)
        for chunk in engine.stream("ask", language, prompt_variables(question, cited)):
            chunks.append(chunk)
            yield chunk
        result = check_answer("".join(chunks), cited, language)
        yield result.model_copy(update={"engine": engine.name})
    except LLMError as exc:
        notice = fallback_notice(exc, language)
        if chunks:
            yield "\n\n"
        yield offline.answer
        yield offline.model_copy(update={"engine": OFFLINE_FALLBACK, "warnings": [notice]})


def prompt_variables(question: str, cited: Sequence[Cited]) -> dict[str, str]:
    passages = "\n\n".join(f"[{c.key}]\n{c.text}" for c in cited)
    return {
        "question": question,
        "passages": passages,
        "keys": ", ".join(f"[{c.key}]" for c in cited),
    }


def check_answer(answer: str, cited: Sequence[Cited], language: Language) -> AskResult:
    """Strip citation keys that were not offered; refuse numbers the passages do not contain."""
    valid = {c.key: c for c in cited}
    invalid = sorted({key for key in CITATION.findall(answer) if key not in valid})
    warnings: list[str] = []
    if invalid:
        answer = CITATION.sub(lambda m: m.group(0) if m.group(1) in valid else "", answer)
        answer = re.sub(r"[ \t]+([。.,、])", r"\1", answer)
        listed = ", ".join(invalid)
        warnings.append(
            f"引用元として渡していない会議への引用を削除しました: {listed}"
            if language == "ja"
            else f"Removed citations to meetings that were not retrieved: {listed}"
        )
    answer = answer.strip()
    if not answer:
        raise LLMError("The model returned an empty answer.", "モデルの回答が空でした。")
    source_text = "\n".join(c.text for c in cited)
    ungrounded = ungrounded_numbers(CITATION.sub("", answer), source_text)
    if ungrounded:
        raise LLMError(
            f"The answer contains numbers that are not in your notes: {', '.join(ungrounded)}.",
            f"回答にメモにない数値が含まれていました: {', '.join(ungrounded)}。",
        )
    used = [valid[key] for key in dict.fromkeys(CITATION.findall(answer)) if key in valid]
    return AskResult(answer=answer, found=True, sources=_sources(used or cited), warnings=warnings)


def to_markdown(result: AskResult) -> str:
    lines = [result.answer]
    if result.sources:
        lines += ["", "---"]
        lines += [f"- {s.meeting} ({s.file}): {s.excerpt}" for s in result.sources]
    lines += [f"> {w}" for w in result.warnings]
    return "\n".join(lines)
