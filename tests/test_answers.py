"""Extractive answers on meetings written for these tests: the sentence that answers, quoted with
the meeting's date and counterpart — the owner's items for "what did X promise", the number for
"how much", the decision for "what did we decide", the date for "when"."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.config import Settings, load_settings
from coach.flows import ask, followthrough
from coach.flows.imports import import_dir

FIRST = """---
date: 2025-10-07
with: Maria
---
## Notes
- We talked about the quarter planning and the offsite agenda.
- The nightly export got 40% faster after we moved it to the new cluster.
- Maria said the budget review is postponed to November.

## Action items
- [ ] Maria will send the vendor contract to legal
- [ ] Maria to book the design review room
- [ ] I will update the on-call runbook
- [ ] Ken will check the alert thresholds
"""
SECOND = """---
date: 2025-10-21
with: Maria
---
## Notes
- The export job is stable now; no failures this week.
- Decided: we move the weekly sync to Thursdays.

## Action items
- [ ] Maria: share the hiring plan with the team
- [x] I will update the on-call runbook
"""
THIRD = """---
date: 2025-11-04
with: 鈴木さん
---
## 共有
- 評価面談は12月第2週に実施される
- 検索APIのp99は850ms→310msに改善した。キャッシュ層を入れたのが効いた

## 決まったこと
- 障害の振り返りは翌営業日までに書く

## 宿題
- [x] 容量アラートを追加する（空き容量が 15% を切ったら通知）
- バックアップ検証の手順書は 11/2 に公開済み
"""


def imported(root: Path, meetings: dict[str, str], language: str, index: bool = True) -> Settings:
    """`meetings` (file name -> Markdown) written under `root / "meetings"` and imported into a
    store there (with the vector index unless `index` is false)."""
    folder = root / "meetings"
    folder.mkdir()
    for name, text in meetings.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = load_settings(env={"COACH_DATA_DIR": str(root / "data"), "COACH_LANG": language})
    import_dir(folder, settings, index=index)
    return settings


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    meetings = {"2025-10-07.md": FIRST, "2025-10-21.md": SECOND, "2025-11-04.md": THIRD}
    return imported(tmp_path_factory.mktemp("answers"), meetings, "en")


def test_what_someone_promised_lists_their_items_only(notes: Settings) -> None:
    result = ask.ask("What did Maria promise to do?", notes)
    assert result.found
    for item in ("send the vendor contract", "book the design review room", "share the hiring plan"):
        assert item in result.answer, result.answer
    assert "Ken will check" not in result.answer and "runbook" not in result.answer
    assert "From the 1on1 on 2025-10-07 with Maria" in result.answer


def test_my_promises_are_mine(notes: Settings) -> None:
    result = ask.ask("What did I promise?", notes)
    assert "update the on-call runbook" in result.answer and "Maria will" not in result.answer


def test_how_much_opens_with_the_number(notes: Settings) -> None:
    result = ask.ask("How much quicker is the nightly export now?", notes)
    first = result.answer.splitlines()[0]
    assert "40% faster" in first and "offsite" not in first
    japanese = ask.ask("検索APIのp99はどれだけ速くなった?", notes)
    assert japanese.answer.startswith("2025-11-04 の1on1より（鈴木さん）: 「検索APIのp99は850ms→310ms")


def test_decision_and_date_questions(notes: Settings) -> None:
    decided = ask.ask("What did we decide about the weekly sync?", notes)
    assert "Thursdays" in decided.answer.splitlines()[0]
    when = ask.ask("評価面談はいつ?", notes)
    assert "12月第2週" in when.answer.splitlines()[0]
    assert when.sources[0].file == "2025-11-04.md"


def test_sources_are_listed_below_the_answer(notes: Settings) -> None:
    result = ask.ask("What did Maria promise to do?", notes)
    markdown = ask.to_markdown(result)
    answer, _, sources = markdown.partition("\n---\n")
    assert "2025-10-21 (2025-10-21.md)" in sources and "hiring plan" in answer


def test_a_threshold_question_quotes_the_sentence_with_the_value(notes: Settings) -> None:
    result = ask.ask("容量アラートはどんな閾値で通知する?", notes)
    assert "15%" in result.answer.splitlines()[0], result.answer


def test_a_question_whether_a_job_finished_is_not_read_as_a_question_about_action_items() -> None:
    from coach.search.retrieval import cued_sections

    assert "actions" not in cued_sections("How often are nightly jobs finishing late?")
    assert "actions" in cued_sections("Did I finish the runbook?")


def test_when_something_was_done_is_answered_by_the_report_not_the_plan(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    meetings = {
        "2025-09-02.md": "---\nwith: 石井さん\n---\n## 決まったこと\n- 監視ダッシュボードの移行は9月中に完了する\n",
        "2025-09-30.md": "---\nwith: 石井さん\n---\n## 共有\n- 監視ダッシュボードの移行は 9/24 に終わった\n",
    }
    settings = imported(tmp_path_factory.mktemp("done"), meetings, "ja")
    result = ask.ask("監視ダッシュボードの移行はいつ完了した?", settings)
    assert "9/24" in result.answer.splitlines()[0], result.answer


HISTORY = {
    "2025-01-14.md": """---
date: 2025-01-14
with: 小林さん
---
## 共有
- 当番制の見直しを提案した。今は2人で回していて負担が大きい
- 社内Wikiの検索が遅いという声が多い

## 宿題
- [ ] 監視ダッシュボードを作る (期限: 2025-01-28)
""",
    "2025-01-28.md": """---
date: 2025-01-28
with: 小林さん
---
## 共有
- 当番制は4人のローテーションにする案で合意した
- 監視ダッシュボードはまだ途中
- 来月の勉強会の講師を引き受けた
""",
    "2025-02-25.md": """---
date: 2025-02-25
with: 小林さん
---
## 共有
- 当番制の新ローテーションを3月から始める。深夜帯は手当を付ける
- 採用面接の担当が増えた
""",
    "2025-03-11.md": """---
date: 2025-03-11
with: 小林さん
---
## 共有
- 監視ダッシュボードを公開した。チーム全員が朝会で見ている
- 当番制の引き継ぎはチャットのスレッドで行うことにした
""",
    "2025-04-08.md": """---
date: 2025-04-08
with: 小林さん
---
## 共有
- 当番制の新しいローテーションを1か月回して、呼び出しは1人あたり月4回→月1回に減った
- 四半期の目標設定シートを提出した
""",
}


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return imported(tmp_path_factory.mktemp("history"), HISTORY, "ja")


def test_a_question_about_a_history_quotes_every_meeting_in_date_order(history: Settings) -> None:
    result = ask.ask("当番制はどう変わってきた?", history)
    days = [line.split(" の1on1")[0] for line in result.answer.splitlines()]
    assert days == ["2025-01-14", "2025-01-28", "2025-02-25", "2025-03-11", "2025-04-08"], result.answer
    assert "月4回→月1回" in result.answer


def test_how_far_something_got_is_answered_by_the_latest_report_not_the_task(history: Settings) -> None:
    result = ask.ask("監視ダッシュボードは進んでいる?", history)
    lines = result.answer.splitlines()
    # the task (01-14) and the report that it was half done (01-28) are older than the last word;
    # the ledger's verdict on the task follows the report, without quoting it twice
    assert lines[0].startswith("2025-03-11 の1on1より") and "公開した" in lines[0], result.answer
    assert lines[-1] == "アクション記録: 「監視ダッシュボードを作る」は完了（2025-03-11 の1on1）。", (
        result.answer
    )


CARRIED = {
    "2025-05-06.md": """---
date: 2025-05-06
with: Priya
---
## Notes
- Told Priya I would like to grow beyond writing code

## Actions
- [ ] Make my career plan concrete before the next 1on1 (due: 2025-05-20)
""",
    "2025-05-20.md": """---
date: 2025-05-20
with: Priya
---
## Notes
- Aiming to lead a squad of three people next half

## Actions
- [x] Make my career plan concrete before the next 1on1
""",
    "2025-06-17.md": """---
date: 2025-06-17
with: Priya
---
## Notes
- My career plan now points at an architect role within two years
""",
}


def test_a_history_quotes_what_a_meeting_added_not_an_item_it_ticked_off(tmp_path: Path) -> None:
    """A meeting whose best sentence repeats an item already quoted (carried over, ticked off) is
    still heard: its next best sentence speaks for it."""
    settings = imported(tmp_path, CARRIED, "en")
    result = ask.ask("How has my career plan changed over time?", settings)
    assert "2025-05-20" in result.answer and "squad of three" in result.answer, result.answer
    assert result.answer.count("Make my career plan concrete") <= 1, result.answer


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("- [ ] キャリアの方向性を文章にまとめる（〆切: 7/15）", "[x] キャリアの方向性を文章にまとめる"),
        ("Book the retro room (due: 2025-05-20)", "- [X] Book the retro room"),
        ("評価シートを出す (締切 6/30)", "評価シートを出す"),
    ],
)
def test_an_item_written_again_without_its_box_or_deadline_note_is_the_same_item(
    first: str, again: str
) -> None:
    """The answer skips a repeat (`choose_quotes`) and the follow-through finds the quoted item by
    one wording: without the checkbox and the due note, in either language."""
    assert followthrough.wording(first) == followthrough.wording(again)
    assert followthrough.wording(first) != followthrough.wording("キャリアの方向性を上司に話す")


FIGURES = {
    "2025-06-03.md": """---
date: 2025-06-03
with: Priya
---
## Notes
- The build pipeline review with the platform team is set for 6/20.
- Build pipeline: the cache hit rate went from 40% to 85% after the runner upgrade.
- The build pipeline owners asked for a written summary.
""",
    "2025-06-17.md": """---
date: 2025-06-17
with: 岡田さん
---
## 共有
- ビルド基盤の見直し会は 7/4 に決まった
- ビルド基盤のキャッシュヒット率が 40% から 85% に上がった
- ビルド基盤の担当者向けにまとめを書く
""",
}


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return imported(tmp_path_factory.mktemp("figures"), FIGURES, "en")


TWO_MEETINGS = {
    "2025-05-06.md": "---\nwith: 西田さん\n---\n## 宿題\n- [ ] 主要なジョブの設定ファイルを YAML に移して Helm で配る（5月中）\n",
    "2025-05-27.md": (
        "---\nwith: Sam\n---\n## Notes\n- Config move: every main job now reads YAML and ships with Helm; "
        "the switch was completed on 5/22, a week early.\n"
    ),
}


@pytest.fixture(scope="module")
def two_meetings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return imported(tmp_path_factory.mktemp("two"), TWO_MEETINGS, "ja")


def test_a_report_in_the_other_language_outranks_the_earlier_plan(two_meetings: Settings) -> None:
    """The plan is Japanese and shares most of the question's words; the later report is English
    and meets only its names. Asked when it was done, the later report answers."""
    first = ask.ask(
        "ジョブの設定を YAML にして Helm で配る作業はいつ完了した？", two_meetings
    ).answer.splitlines()[0]
    assert "5/22" in first, first


def test_a_store_of_two_meetings_still_tells_found_from_not_found(two_meetings: Settings) -> None:
    """Two meetings give the dense side no pool to stand out of: the background passages stand in.
    A question sharing one word with the notes is found by meaning; one about a subject they never
    mention is not, and the why says what the standout was measured against."""
    found = ask.ask("YAML への移行はいつ終わった？", two_meetings)
    assert "5/22" in found.answer, found.answer
    assert "of the background" in found.why, found.why
    missing = ask.ask("What did we decide about the parking permits?", two_meetings)
    assert not missing.sources and "of the background" in missing.why, missing.why


def test_the_background_is_read_when_meetings_are_indexed_not_at_the_first_question(tmp_path: Path) -> None:
    """The background's vectors sit in the store's embedding cache once its meetings are indexed
    (no question asked yet), so the first question of a small store runs no model over them."""
    from coach.search.background import background_passages
    from coach.search.embedding import EmbeddingCache, embedder_for

    settings = imported(tmp_path, TWO_MEETINGS, "en")
    cache = embedder_for(settings.embedding_cache_path).cache
    keys = [EmbeddingCache.key("passage", text) for text in background_passages()]
    assert len(keys) >= 20
    assert len(cache.get_many(keys)) == len(set(keys))


MOVED = {
    "2025-07-01.md": (
        "---\nwith: 松本さん\n---\n## 共有\n- 来月の勉強会の会場を押さえた\n- 採用面接が週2件に増えた\n"
        "## 宿題\n- [ ] 本番クラスタの Terraform state を S3 バックエンドへ移す（7月中）\n"
    ),
    "2025-07-15.md": (
        "---\nwith: 松本さん\n---\n## 共有\n- Terraform のモジュール分割は途中。state の移行はまだ\n"
        "- 夏休みは8月第2週に取る\n"
    ),
    "2025-07-29.md": (
        "---\nwith: Chris\n---\n## Notes\n- Terraform state for the production cluster now lives in S3; "
        "the move was finished on 7/24.\n- Offsite planning starts next month.\n"
    ),
    "2025-08-12.md": "---\nwith: 松本さん\n---\n## 共有\n- 監視の当番表を更新した\n- 新しいメンバーが9月に入る\n",
}


def test_the_latest_report_counts_when_written_in_the_other_language(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A later English note meets a Japanese question only in its names (Terraform, state, S3),
    less of the topic than the earlier Japanese plan; it is still the latest word on the topic."""
    settings = imported(tmp_path_factory.mktemp("moved"), MOVED, "ja")
    first = ask.ask(
        "本番クラスタの Terraform state を S3 に移す作業はいつ終わった？", settings
    ).answer.splitlines()[0]
    assert first.startswith("2025-07-29 の1on1より") and "7/24" in first, first


def test_sentences_the_model_reads_as_equally_near_are_not_told_apart_by_noise(notes: Settings) -> None:
    """Two wordings of one sentence sit at almost the same similarity to a question; scaled by
    their own spread alone they would always be a full unit above and below their mean (z ±1),
    so noise would pick the answer. Against the spread the question has over background text,
    they stay level; two sentences that differ in earnest keep their full distance."""
    from coach.search import retrieval
    from coach.search import vectors as index

    embedder = index.embedding_function(notes).embedder

    def relative(question: str, sentences: list[str]) -> list[float]:
        dense = embedder.embed(sentences, "passage") @ embedder.embed([question], "query")[0]
        return ask.relative_similarity(dense, retrieval.background_scores(notes, question)).tolist()

    level = relative(
        "When is next week's regular meeting?",
        ["来週の定例は水曜の午後に移す", "来週の定例は水曜日の午後に移す"],
    )
    assert abs(level[0] - level[1]) < 0.5
    apart = relative("来週の定例はいつ?", ["来週の定例は水曜の午後に移す", "新しいノートPCが届いた"])
    assert apart[0] - apart[1] > 1.5


CAUSES = {
    "2025-09-02.md": """---
date: 2025-09-02
with: 岡田さん
---
## 共有
- 決済APIの遅延を調べる担当になった。今月中に原因を洗い出す
- 調査の進め方は岡田さんと相談済み

## 宿題
- [ ] 決済APIの遅延の調査結果をまとめる
""",
    "2025-09-16.md": """---
date: 2025-09-16
with: 岡田さん
---
## 報告
- 決済APIの遅延の調査が終わった
- 遅延はすべてコネクションプールの枯渇に起因していた
- 調査結果は来週チームに共有する
""",
    "2025-09-23.md": """---
date: 2025-09-23
with: Dana
---
## Notes
- The checkout tests are flaky again; Dana asked me to own the investigation.

## Action items
- [ ] Find the root cause of the flaky checkout tests and write it up
""",
    "2025-10-07.md": """---
date: 2025-10-07
with: Dana
---
## Notes
- Looked into the flaky checkout tests this sprint; the report is in the wiki.
- The flakiness stems from a shared fixture that leaks state between tests.
- Next: split the fixture per test module.
""",
}


@pytest.fixture(scope="module")
def causes(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return imported(tmp_path_factory.mktemp("causes"), CAUSES, "ja")


@pytest.mark.parametrize(
    ("corpus", "question", "expected"),
    [
        # A date is a number too, but it answers "when": asked for figures, the sentence that
        # states a measured change (as STAR entries read one) comes first.
        ("figures", "What numbers can I show for the build pipeline?", "went from 40% to 85%"),
        ("figures", "ビルド基盤について出せる数字は？", "40% から 85%"),
        # A cause is stated by a causal connective or noun (…に起因, stems from), not only by から
        # or because: that sentence opens the answer, not the one that planned the investigation.
        ("causes", "決済APIが遅かった原因は何だった?", "コネクションプールの枯渇に起因"),
        ("causes", "Why were the checkout tests flaky?", "stems from a shared fixture"),
    ],
)
def test_the_answer_opens_with_the_sentence_of_the_kind_asked_for(
    request: pytest.FixtureRequest, corpus: str, question: str, expected: str
) -> None:
    first = ask.ask(question, request.getfixturevalue(corpus)).answer.splitlines()[0]
    assert expected in first, first
