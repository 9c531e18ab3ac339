"""Career-intent sharpening: part detection on dev + varied cases, drafts, LLM path, store, CLI."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from coach.cli import main
from coach.config import load_settings
from coach.flows.intent import detect_parts, sharpen_intent, to_markdown
from coach.memory.store import Store
from tests.conftest import load_jsonl
from tests.support.llm_server import LLMServer
from tests.test_prepare_heldout import expected_parts

PLACEHOLDER = re.compile(r"\[[^\]]+\]")

# (text, parts it has: t = timeframe, s = scope, r = reason): our own cases, JA and EN, beyond the dev set
CASES = [
    ("マネジメントに興味がある", ""),
    ("いずれはアーキテクト的なことをやりたい", ""),
    ("もっと大きな仕事を任されたい", ""),
    ("将来的にはリーダーになれたらいいなと思う", ""),
    ("来期は3名程度の小規模チームのリードを経験したい", "ts"),
    ("半年後にはオンボーディングの仕組みづくりを担当したい", "ts"),
    ("今年度中に決済基盤の移行プロジェクトを主導したい。障害対応で仕様を一番理解しているから。", "tsr"),
    ("2年以内にテックリードになりたい", "ts"),
    ("障害の多くがレビュー漏れに起因しているので、コードレビューの標準化をリードしたい", "sr"),
    ("チームの開発速度を上げたいので、CI改善をやりたい", "r"),
    ("直近3ヶ月で障害が多いのでレビューを良くしたい", "r"),
    ("技術的にもっと成長したい", ""),
    ("I want to grow into leadership at some point", ""),
    ("I'm interested in management", ""),
    ("By next March I want to own the payments service because I've handled most of its incidents.", "tsr"),
    ("I'd like to lead a team of 3 within two quarters.", "ts"),
    ("Next year I want to become an engineering manager so that I can help juniors grow.", "tsr"),
    ("I want to lead the observability effort because our last two outages took hours to diagnose.", "sr"),
    ("Eventually I'd like to do more architecture work.", ""),
    ("Within the next 6 months I'd like more responsibility.", "t"),
    ("Over the last 3 months I handled most incidents, so I want more ownership.", "r"),
]


def test_dev_intents(eval_dir: object) -> None:
    for case in load_jsonl("intents_dev.jsonl"):
        assert detect_parts(case["intent"]).model_dump() == case["has"], case["id"]


@pytest.mark.parametrize(("text", "parts"), CASES)
def test_detect_parts(text: str, parts: str) -> None:
    assert detect_parts(text) == expected_parts(parts)


def test_vague_intent_gets_placeholders_and_questions() -> None:
    result = sharpen_intent("マネジメントに興味がある", load_settings())
    assert result.language == "ja"
    assert result.engine == "offline"
    assert 2 <= len(result.drafts) <= 3
    for draft in result.drafts:
        assert "[時期]" in draft
        assert not re.search(r"\d", PLACEHOLDER.sub("", draft)), "no invented numbers"
    assert len(result.questions) == 3


def test_complete_intent_keeps_the_users_facts() -> None:
    text = (
        "来期はチーム内のコードレビューの標準化をリードしたい。"
        "直近3ヶ月で4件の本番障害がレビュー漏れに起因しているから。"
    )
    result = sharpen_intent(text, load_settings())
    assert result.has.timeframe and result.has.scope and result.has.reason
    assert result.questions == []
    assert all("来期" in d and "コードレビューの標準化" in d for d in result.drafts[:2])
    assert "4件" in result.drafts[0]


def test_english_intent_asks_for_the_reason() -> None:
    result = sharpen_intent(
        "Within 2 years I want to be trusted with architecture decisions as a staff engineer.",
        load_settings(),
    )
    assert result.language == "en"
    assert all("[reason]" in d or "[first step]" in d for d in result.drafts)
    assert len(result.questions) == 1 and "Why" in result.questions[0]
    assert "## Career intent" in to_markdown(result)


def test_input_and_prep_are_saved() -> None:
    settings = load_settings()
    sharpen_intent("I want to grow into leadership at some point", settings)
    store = Store.open(settings)
    assert [row[1:3] for row in store.inputs("intent")] == [
        ("intent", "I want to grow into leadership at some point")
    ]
    prep = store.load_prep()
    assert prep.intent is not None and prep.intent.intent.startswith("I want to grow")


def test_evidence_from_saved_rewrites_is_cited() -> None:
    from coach.models import RewriteResult, StarEntry

    settings = load_settings()
    entry = StarEntry(
        title="Code review", statement="Led the code review checklist rollout; review misses fell from 6 to 2"
    )
    Store.open(settings).save_rewrite(RewriteResult(language="en", engine="offline", entries=[entry]))
    result = sharpen_intent("I want to lead code review standards for the team", settings)
    assert result.evidence and "checklist rollout" in result.evidence[0]
    assert any("checklist rollout" in d for d in result.drafts)


def test_empty_intent_is_an_input_error() -> None:
    from coach.errors import InputError

    with pytest.raises(InputError):
        sharpen_intent("   ", load_settings())


def test_llm_path_good_answer(llm_server: LLMServer) -> None:
    llm_server.reply_json(
        {
            "has": {"timeframe": False, "scope": False, "reason": False},
            "drafts": [
                "[時期]までに[N]名規模のチームをリードしたいです。",
                "[時期]に[役割]を任せてください。理由は[理由]です。",
            ],
            "questions": ["いつまでに?"],
        }
    )
    result = sharpen_intent("マネジメントに興味がある", llm_server.settings())
    assert result.engine == "llm:test-model"
    assert result.drafts[0].startswith("[時期]までに")
    assert "マネジメントに興味がある" in json.dumps(llm_server.requests[0], ensure_ascii=False)


def test_llm_invented_fact_is_rejected_then_fallback(llm_server: LLMServer) -> None:
    invented = {
        "has": {"timeframe": True, "scope": True, "reason": False},
        "drafts": ["来期は5名のチームをリードしたい。", "2年以内にマネージャーになりたい。"],
        "questions": [],
    }
    llm_server.reply_json(invented).reply_json(invented)
    result = sharpen_intent("マネジメントに興味がある", llm_server.settings())
    assert result.engine == "offline (fallback)"
    assert "オフライン" in result.warnings[0]
    assert "numbers not in the user's text" in llm_server.requests[1]["messages"][-1]["content"]
    assert all("[時期]" in d for d in result.drafts)


def test_llm_fills_placeholder_without_numbers_is_rejected(llm_server: LLMServer) -> None:
    filled = {
        "has": {"timeframe": True, "scope": True, "reason": True},
        "drafts": ["Next quarter I want to lead the platform team because I like it.", "Let me lead it."],
        "questions": [],
    }
    good = {
        "has": {"timeframe": False, "scope": False, "reason": False},
        "drafts": [
            "By [timeframe], I want to lead [team].",
            "Could I lead [team] by [timeframe], because [reason]?",
        ],
        "questions": ["By when?"],
    }
    llm_server.reply_json(filled).reply_json(good)
    result = sharpen_intent("I want to grow into leadership at some point", llm_server.settings())
    assert result.engine == "llm:test-model"
    assert "placeholder" in llm_server.requests[1]["messages"][-1]["content"]


def test_llm_unreachable_falls_back(llm_server: LLMServer) -> None:
    llm_server.reply_status(500)
    result = sharpen_intent("I want to grow into leadership at some point", llm_server.settings())
    assert result.engine == "offline (fallback)"
    assert "HTTP 500" in result.warnings[0]


def test_cli_intent_json() -> None:
    out = CliRunner().invoke(main, ["intent", "来期は3名程度の小規模チームのリードを経験したい", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["has"] == {"timeframe": True, "scope": True, "reason": False}
    assert data["engine"] == "offline" and data["language"] == "ja" and len(data["drafts"]) >= 2


def test_cli_intent_empty_is_a_clear_error() -> None:
    out = CliRunner().invoke(main, ["intent", "  "])
    assert out.exit_code == 2
    assert "empty" in out.output
