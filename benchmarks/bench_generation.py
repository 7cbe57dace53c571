"""Generation benchmark: Ragtune's Engine vs raw llama-cpp-python, adapters, hot-swap vs reload.

Run by hand (it takes the CPU for a minute or two):

    .venv/bin/python benchmarks/bench_generation.py [--model PATH] [--reps 5] [--threads N]

Prints one table. Every comparison is measured in the same run, alternating the two sides:
- tokens/s and time to first token (TTFT) through ``Engine.stream_chat`` vs ``Llama.create_chat_completion
  (stream=True)`` on the same prompt with a cold cache (targets: ratio >= 0.95, TTFT overhead < 10%);
- TTFT of a second question behind the same long system prompt (prefix cache reuse);
- tokens/s with none, one, two LoRA adapters (made here with tests/adapter_factory.py);
- switching adapter sets hot (``Engine.set_adapters``) vs reloading the model with ``Llama(lora_path=...)``.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

SYSTEM = (
    "You answer questions about the user's documents. Use only the numbered sources below, cite "
    "them like [1], and say plainly when they do not contain the answer.\n"
    + "\n".join(
        f"[{i}] manual.pdf, p. {10 + i}: The pump must be serviced every {i * 3} months; the filter "
        f"is replaced when the pressure drops below {i + 1}.5 bar, and the seal kit is part {4400 + i}."
        for i in range(1, 9)
    )
)
QUESTION = "Write a detailed paragraph on how often the pump is serviced and why it matters."


def _messages(question: str = QUESTION) -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}]


def _timed(stream: Iterator[str]) -> tuple[float, float, int, str]:
    """(ttft_s, tokens_per_s, pieces, text) of a stream of text pieces, started by the caller."""
    start = time.perf_counter()
    first = last = 0.0
    pieces: list[str] = []
    for piece in stream:
        now = time.perf_counter()
        if not pieces:
            first = now
        last = now
        pieces.append(piece)
    rate = (len(pieces) - 1) / (last - first) if len(pieces) > 1 and last > first else 0.0
    return first - start, rate, len(pieces), "".join(pieces)


def _raw_stream(llm: Any, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
    for chunk in llm.create_chat_completion(messages, max_tokens=max_tokens, temperature=0.0, stream=True,
                                            seed=0):
        text = chunk["choices"][0]["delta"].get("content")
        if text:
            yield text


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _measure(run: Callable[[], tuple[float, float, int, str]], reps: int) -> tuple[float, float, str]:
    results = [run() for _ in range(reps)]
    return _median([r[0] for r in results]), _median([r[1] for r in results]), results[-1][3]


def main() -> None:
    import llama_cpp

    from adapter_factory import make_lora
    from ragtune.core.answer_types import AdapterSpec
    from ragtune.core.generation.engine import Engine
    from ragtune.core.generation.llama_params import safe_model_params

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="GGUF file (default: the embedded model)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--n-ctx", type=int, default=2048)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # llama.cpp's notices go to the ragtune.llama logger
    if args.model is None:
        from ragtune.core.embedded import ensure_chat_model

        args.model = Path(ensure_chat_model())
    model = str(args.model)
    common = {"n_ctx": args.n_ctx, "n_threads": args.threads, "seed": 0}
    rows: list[tuple[str, str, str]] = []

    engine = Engine(model, **common)
    with safe_model_params():
        raw = llama_cpp.Llama(model, n_threads_batch=args.threads, verbose=False, **common)
    messages = _messages()
    n_prompt = engine.count_chat_tokens(messages)
    print(f"model {Path(model).name}, {args.threads} threads, prompt {n_prompt} tokens, "
          f"max {args.max_tokens} new tokens, median of {args.reps}\n")

    # 1. Engine vs raw llama-cpp-python, cold cache, alternating (and the Engine with a cancel event,
    #    which arms llama.cpp's abort callback during prompt evaluation)
    eng_runs, raw_runs, cancel_runs = [], [], []
    for _ in range(args.reps):
        raw.reset()
        raw_runs.append(_timed(_raw_stream(raw, messages, args.max_tokens)))
        engine.reset_cache()
        eng_runs.append(_timed(engine.stream_chat(messages, max_tokens=args.max_tokens)))
        engine.reset_cache()
        cancel_runs.append(_timed(engine.stream_chat(messages, max_tokens=args.max_tokens,
                                                     cancel=threading.Event())))
    e_ttft, e_tps = _median([r[0] for r in eng_runs]), _median([r[1] for r in eng_runs])
    r_ttft, r_tps = _median([r[0] for r in raw_runs]), _median([r[1] for r in raw_runs])
    same = "same text" if eng_runs[-1][3] == raw_runs[-1][3] else "TEXT DIFFERS"
    ratio, overhead = e_tps / r_tps, (e_ttft - r_ttft) / r_ttft
    rows += [
        ("raw llama-cpp-python: TTFT / tokens/s", f"{r_ttft:.3f} s / {r_tps:.1f}", ""),
        ("Ragtune Engine:       TTFT / tokens/s", f"{e_ttft:.3f} s / {e_tps:.1f}", same),
        ("tokens/s ratio Engine/raw", f"{ratio:.3f}", "PASS (>= 0.95)" if ratio >= 0.95 else "FAIL (< 0.95)"),
        ("TTFT overhead Engine vs raw", f"{overhead * 100:+.1f}%", "PASS (< 10%)" if overhead < 0.10 else "FAIL"),
        ("Engine with cancel event: TTFT / tokens/s",
         f"{_median([r[0] for r in cancel_runs]):.3f} s / {_median([r[1] for r in cancel_runs]):.1f}", ""),
    ]

    # 2. prefix cache: a second question behind the same system prompt
    warm = []
    for i in range(args.reps):
        engine.stream_chat(_messages(f"Question {i}: which part number is the seal kit?"), max_tokens=1)
        warm.append(_timed(engine.stream_chat(_messages(f"Question {i}: what pressure is the limit?"),
                                              max_tokens=4))[0])
    rows.append(("TTFT, 2nd question, same system prompt", f"{_median(warm):.3f} s",
                 f"cold {e_ttft:.3f} s, {engine.last_stats.prompt_tokens_cached}/"
                 f"{engine.last_stats.prompt_tokens} tokens reused"))
    raw.close()

    # 3. adapters: tokens/s with none, one, two
    with tempfile.TemporaryDirectory(prefix="ragtune-bench-") as tmp:
        one = make_lora(Path(tmp) / "attn.gguf", model, rank=16, magnitude=0.01, seed=1,
                        targets=("attn_q", "attn_k", "attn_v", "attn_output"))
        two = make_lora(Path(tmp) / "ffn.gguf", model, rank=16, magnitude=0.01, seed=2,
                        targets=("ffn_gate", "ffn_up", "ffn_down"))
        sets = {"none": [], "one (rank 16, attention)": [AdapterSpec(str(one))],
                "two (+ rank 16, feed-forward)": [AdapterSpec(str(one)), AdapterSpec(str(two))]}
        short = [{"role": "user", "content": "Write a short story about a lighthouse keeper."}]
        base_tps = 0.0
        for label, specs in sets.items():
            engine.set_adapters(specs)
            _, tps, _ = _measure(lambda: _timed(engine.stream_chat(short, max_tokens=args.max_tokens)),
                                 args.reps)
            base_tps = base_tps or tps
            rows.append((f"tokens/s, adapters: {label}", f"{tps:.1f}", f"{tps / base_tps:.2f} x none"))

        # 4. switching: hot vs reload
        engine.set_adapters([])
        engine.remove_adapter(one)
        engine.remove_adapter(two)
        t0 = time.perf_counter()
        engine.set_adapters([AdapterSpec(str(one))])
        first_load = time.perf_counter() - t0
        switches = []
        for specs in ([AdapterSpec(str(two))], [AdapterSpec(str(one), 0.5), AdapterSpec(str(two))], []) * 3:
            t0 = time.perf_counter()
            engine.set_adapters(specs)
            switches.append(time.perf_counter() - t0)
        reloads = []
        for _ in range(max(2, args.reps // 2)):
            t0 = time.perf_counter()
            with safe_model_params():
                llm = llama_cpp.Llama(model, lora_path=str(one), verbose=False, **common)
            reloads.append(time.perf_counter() - t0)
            llm.close()
        hot = _median(switches)
        rows += [
            ("switch adapter set hot (files loaded)", f"{hot * 1000:.2f} ms", f"first load of a file {first_load * 1000:.1f} ms"),
            ("reload model with Llama(lora_path=...)", f"{_median(reloads) * 1000:.0f} ms", f"{_median(reloads) / hot:.0f} x slower than hot"),
        ]
    engine.close()

    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>16}  {note}")


if __name__ == "__main__":
    main()
