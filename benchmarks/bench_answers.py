"""Answer quality and speed of prompt shapes on the sample library, with the embedded 0.5B model.

    .venv/bin/python benchmarks/bench_answers.py

Questions with known answers (and some the documents cannot answer) over the sample library, asked
in one run with three prompt shapes:
- ``tight``: Ragtune's default, 3 passages trimmed to their most relevant sentences (420 chars);
- ``full3``: the same 3 passages untrimmed;
- ``full6``: 6 passages untrimmed (the naive RAG prompt of docs/architecture.md, "The answer path");
plus ``model alone`` as the floor. Prints per shape: answers stating the expected fact, answers
citing the right file and page, correct declines on unanswerable questions, mean prompt tokens and
mean time to first token.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

#: (question, expected fragments (any one), file, page) — page 0 means "any"
ANSWERABLE = [
    ("How many days can I borrow a DVD?", ["7", "seven"], "lending-policy.pdf", 2),
    ("How long can books be borrowed from the library?", ["21"], "lending-policy.pdf", 2),
    ("What is the late fee for an adult item?", ["25 cents"], "lending-policy.pdf", 3),
    ("How much does a visitor from outside Harbor City pay to join?", ["25 dollars", "$25"], "lending-policy.pdf", 1),
    ("After how many days overdue is an item considered lost?", ["42"], "lending-policy.pdf", 3),
    ("How many items can a member reserve?", ["10", "ten"], "lending-policy.pdf", 2),
    ("How long is the warranty on the solar garden lamp?", ["18"], "garden-lamp-manual.md", 0),
    ("What battery does the Lumen S2 lamp use?", ["18650"], "garden-lamp-manual.md", 0),
    ("How bright is the lamp on the bright setting?", ["200"], "garden-lamp-manual.md", 0),
    ("What is the IP rating of the lamp?", ["IP65"], "garden-lamp-manual.md", 0),
    ("At what temperature is the sourdough baked after the lid comes off?", ["230"], "sourdough-notes.txt", 0),
    ("How much salt goes into one sourdough loaf?", ["10 g", "10g", "10 grams"], "sourdough-notes.txt", 0),
    ("How long should the bread cool before cutting?", ["one hour", "1 hour", "an hour"], "sourdough-notes.txt", 0),
    ("What feeding ratio is used for the starter?", ["1:5:5"], "sourdough-notes.txt", 0),
]
UNANSWERABLE = [
    "Who won the 1966 football World Cup?",
    "What is the capital of Australia?",
    "How do I reset my router password?",
]
SHAPES = {"tight": (3, 420), "full3": (3, 100_000), "full6": (6, 100_000)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rag-system", type=Path, help="try another RAG system prompt (a text file)")
    parser.add_argument("--shapes", default="tight,full3,full6,model alone")
    parser.add_argument("--show", action="store_true", help="print every answer")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ragtune-bench-") as tmp:
        os.environ["RAGTUNE_HOME"] = tmp
        os.environ.setdefault("RAGTUNE_MODELS_DIR", str(Path(tempfile.gettempdir()) / "ragtune-bench-models"))
        from ragtune import paths
        from ragtune.core.answering import select_passages
        from ragtune.core.embedded import ensure_chat_model
        from ragtune.core.generation import prompts
        from ragtune.core.generation.chat_model import ChatModel
        from ragtune.core.generation.citations import attribute
        from ragtune.core.generation.engine import Engine
        from ragtune.core.generation.prompts import fit_prompt
        from ragtune.core.services import Ragtune
        from ragtune.core.types import Citation

        if args.rag_system is not None:
            custom = args.rag_system.read_text(encoding="utf-8").strip()
            prompts.rag_system_prompt = lambda: custom

        engine: ChatModel = Engine(ensure_chat_model(), n_ctx=4096, n_threads=os.cpu_count() or 2)
        rows: dict[str, dict[str, list[float]]] = {}
        with Ragtune() as svc:
            svc.library.index("sample", [paths.sample_library_dir()])

            def run(shape: str, question: str, rag: bool, n: int, chars: int) -> tuple[str, list[Citation], bool]:
                hits = svc.library.search("sample", question, k=10) if rag else None
                passages = select_passages(question, hits, n) if hits is not None else None
                if rag and not passages:
                    return "", [], True
                messages, sources, budget = fit_prompt(
                    question, passages, engine.count_chat_tokens, engine.n_ctx, 96, passage_chars=chars
                )
                started = time.perf_counter()
                text = "".join(engine.stream_chat(messages, budget, 0.0, None))
                stats = engine.last_stats
                row = rows.setdefault(shape, {"ttft": [], "prompt": [], "wall": []})
                row["ttft"].append(stats.ttft_s)
                row["prompt"].append(stats.prompt_tokens)
                row["wall"].append(time.perf_counter() - started)
                if not rag:
                    return text, [], False
                attribution = attribute(text, sources)
                return attribution.text, attribution.citations, False

            results: dict[str, dict[str, int]] = {}
            wanted = args.shapes.split(",")
            for shape, (n, chars) in [*SHAPES.items(), ("model alone", (0, 0))]:
                if shape not in wanted:
                    continue
                rag = shape != "model alone"
                score = results.setdefault(shape, {"fact": 0, "cited": 0, "declined": 0})
                for question, expected, file, page in ANSWERABLE:
                    text, citations, _ = run(shape, question, rag, n, chars)
                    if args.show:
                        print(f"[{shape}] {question} -> {text!r}", flush=True)
                    if any(e.lower() in text.lower() for e in expected):
                        score["fact"] += 1
                    if any(
                        c.path.endswith(file) and (page == 0 or c.page == page)
                        for c in citations
                    ):
                        score["cited"] += 1
                for question in UNANSWERABLE:
                    _, _, declined = run(shape, question, rag, n, chars)
                    score["declined"] += int(declined)
    engine.close()
    print(f"{len(ANSWERABLE)} answerable and {len(UNANSWERABLE)} unanswerable questions, sample library")
    print(f"{'shape':13s}{'fact':>6s}{'cited':>7s}{'declined':>10s}{'prompt tok':>12s}{'TTFT s':>8s}{'answer s':>10s}")
    for shape, score in results.items():
        row = rows.get(shape, {"ttft": [0.0], "prompt": [0.0], "wall": [0.0]})
        print(
            f"{shape:13s}{score['fact']:>3d}/{len(ANSWERABLE):<2d}{score['cited']:>4d}/{len(ANSWERABLE):<2d}"
            f"{score['declined']:>6d}/{len(UNANSWERABLE):<3d}{statistics.mean(row['prompt']):10.0f}"
            f"{statistics.mean(row['ttft']):8.2f}{statistics.mean(row['wall']):10.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
