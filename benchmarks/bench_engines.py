"""Time to first token and tokens/s of the same prompts through the in-process llama.cpp engine and
through an OpenAI-compatible server (the openai engine), in one run, with the embedded 0.5B model.

    .venv/bin/python benchmarks/bench_engines.py [--runs 5] [--max-tokens 32] [--endpoint URL]

Without ``--endpoint`` it starts llama-cpp-python's own server (``python -m llama_cpp.server``)
with the same model file, n_ctx and threads on 127.0.0.1 and stops it at the end. Both engines get
the same prompts (a short question and a RAG-sized one); the first run of each is a warm-up. Prints
per engine and prompt the median TTFT and tokens/s, and the server/in-process ratio: what HTTP,
server-sent events and the server's own scheduling cost.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ragtune.core.generation.chat_model import ChatModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

PASSAGE = (
    "The Hillside orchard harvested 312 tonnes of apples. Most of the crop went to the cider press "
    "in the valley, and the rest was sold at the Saturday market. "
)
PROMPTS = {
    "short": [{"role": "user", "content": "Say hello in one sentence."}],
    "rag": [
        {"role": "system", "content": "Answer from the sources only."},
        {"role": "user", "content": f"Sources:\n[1] {PASSAGE * 8}\nQuestion: How many tonnes?"},
    ],
}


def measure(engine: ChatModel, messages: list[dict[str, str]], runs: int, max_tokens: int) -> tuple[float, float]:
    """Median (TTFT s, tokens/s) over ``runs`` after one warm-up."""
    ttft: list[float] = []
    rate: list[float] = []
    for i in range(runs + 1):
        for _ in engine.stream_chat(messages, max_tokens):
            pass
        stats = engine.last_stats
        if i:
            ttft.append(stats.ttft_s)
            rate.append(stats.tokens_per_s)
    return statistics.median(ttft), statistics.median(rate)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--endpoint", help="an already running server (default: start one)")
    parser.add_argument("--threads", type=int, default=max(1, min(8, os.cpu_count() or 2)))
    args = parser.parse_args()
    os.environ.setdefault("RAGTUNE_HOME", tempfile.mkdtemp(prefix="ragtune-bench-"))

    from ragtune.core.embedded import ensure_chat_model
    from ragtune.core.engine_profile import EngineProfile
    from ragtune.core.generation.engine import Engine
    from ragtune.core.generation.openai_engine import OpenAIEngine
    from remote_servers import start_llama_server, stop

    model = ensure_chat_model()
    proc = None
    url = args.endpoint
    if url is None:
        proc, url = start_llama_server(model, "--n_threads", str(args.threads))
    results: dict[tuple[str, str], tuple[float, float]] = {}
    try:
        remote = OpenAIEngine(EngineProfile(base_url=url, context_size=2048))
        for name, messages in PROMPTS.items():
            results[("server", name)] = measure(remote, messages, args.runs, args.max_tokens)
        remote.close()
    finally:
        if proc is not None:
            stop(proc)  # not competing for the cores while the in-process engine runs
    with Engine(model, n_ctx=2048, n_threads=args.threads) as local:
        for name, messages in PROMPTS.items():
            results[("in-process", name)] = measure(local, messages, args.runs, args.max_tokens)

    print(f"{'prompt':<7} {'engine':<11} {'TTFT s':>8} {'tokens/s':>9}")
    for name in PROMPTS:
        for engine in ("in-process", "server"):
            t, r = results[(engine, name)]
            print(f"{name:<7} {engine:<11} {t:8.3f} {r:9.1f}")
        (lt, lr), (st, sr) = results[("in-process", name)], results[("server", name)]
        print(f"{name:<7} {'ratio':<11} {st / lt if lt else 0:7.2f}x {sr / lr if lr else 0:8.2f}x"
              "  (server / in-process)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
