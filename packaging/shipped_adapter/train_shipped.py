"""Train the adapter that ships in ``resources/adapters/`` with Ragtune's own pipeline, on the
made-up documents of ``corpus.py`` (never the sample library, whose questions judge it).

    python packaging/shipped_adapter/train_shipped.py [--items 100] [--epochs 2] [--max-minutes 60]

Steps, all through the service the app uses: write the documents (paper-like PDFs of
``paper_corpus.py`` and the fact sheets of ``corpus.py``), index them into a library of a
throwaway ``RAGTUNE_HOME``, add the question set (every item in the train split; a seeded sample of
``--items``), build the RAFT-style training set (``svc.finetune.training_set``), train
(``svc.finetune.train``), and copy the adapter to ``resources/adapters/NAME.gguf`` with its training
set beside it (``NAME.jsonl``), so what it learned can be read.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import make_corpus  # noqa: E402
from paper_corpus import make_paper_corpus  # noqa: E402


def to_f16(path: Path, target: Path) -> None:
    """Copy the adapter ``path`` to ``target`` with its tensors in float16 (half the size; llama.cpp
    reads F16 LoRA tensors as it reads F32 ones), keeping every metadata key."""
    import gguf
    import numpy as np

    from ragtune.core.finetune import lora_gguf

    reader = gguf.GGUFReader(str(path))
    fields = {name: field.contents() for name, field in reader.fields.items()}
    tensors = {t.name: np.asarray(t.data).reshape([int(d) for d in reversed(t.shape)]).astype(np.float16)
               for t in reader.tensors}
    metadata = {k: str(v) for k, v in fields.items() if k.startswith("ragtune.")}
    rank = int(next(a.shape[0] for n, a in tensors.items() if n.endswith(".lora_a")))
    lora_gguf.write_lora_gguf(target, tensors, architecture=str(fields["general.architecture"]),
                              alpha=float(fields["adapter.lora.alpha"]), rank=rank, metadata=metadata,
                              name=target.stem)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100, help="question-set items to train on")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--learning-rate", type=float, default=5e-4)
    parser.add_argument("--decline-share", type=float, default=0.1)
    parser.add_argument("--absent-share", type=float, default=0.1, help="share of --items that are absent questions")
    parser.add_argument("--max-minutes", type=float, default=60.0)
    parser.add_argument("--name", default="cite-and-decline")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "adapters")
    parser.add_argument("--corpus", choices=("papers", "sheets", "both"), default="both",
                        help="paper-like PDFs (paper_corpus.py), short fact sheets (corpus.py), or both")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="ragtune-shipped-"))
    os.environ["RAGTUNE_HOME"] = str(home)
    from ragtune.core.finetune.examples import write_jsonl
    from ragtune.core.finetune.train_types import TrainOptions, TrainProgress
    from ragtune.core.services import Ragtune

    docs = home / "documents"
    items = make_corpus(docs / "sheets", args.seed) if args.corpus != "papers" else []
    items += make_paper_corpus(docs / "papers", args.seed) if args.corpus != "sheets" else []
    answerable = [q for q in items if q.answer]
    absent = [q for q in items if not q.answer]
    rng = random.Random(args.seed)
    n_absent = min(len(absent), round(args.items * args.absent_share))
    chosen = rng.sample(answerable, min(len(answerable), args.items - n_absent)) + rng.sample(absent, n_absent)
    started = time.monotonic()
    with Ragtune() as svc:
        report_index = svc.library.index("adapter corpus", [docs])
        print(f"indexed {report_index.added} documents, {report_index.chunks_written} chunks", flush=True)
        svc.evaluation.add_questions("adapter corpus", "corpus", chosen, [True] * len(chosen))
        report = svc.finetune.training_set("adapter corpus", "corpus", args.decline_share, args.seed)
        print({"examples": len(report.examples), **report.counts()}, flush=True)

        def progress(event: TrainProgress) -> None:
            if event.phase != "training" or event.step % 5 == 0 or event.step == event.total:
                loss = "" if event.loss is None else f" loss {event.loss:.3f}"
                print(f"{event.phase} {event.step}/{event.total}{loss} {event.tokens_per_s:.0f} tok/s "
                      f"eta {event.eta_s or 0:.0f}s {event.message}", flush=True)

        options = TrainOptions(epochs=args.epochs, rank=args.rank,
                               learning_rate=args.learning_rate, max_minutes=args.max_minutes,
                               seed=args.seed)
        made = svc.finetune.train(report.examples, args.name, options, progress, replace=True)
        args.out.mkdir(parents=True, exist_ok=True)
        target = args.out / f"{args.name}.gguf"
        to_f16(Path(made.result.adapter), target)
        write_jsonl(report.examples, args.out / f"{args.name}.jsonl")
        r = made.result
        print(f"{target}: {target.stat().st_size / 1e6:.1f} MB, {r.steps}/{r.total_steps} steps "
              f"({r.stopped}), loss {r.final_loss:.3f}, {r.tokens_per_s:.1f} tok/s, {r.examples} examples, "
              f"{(time.monotonic() - started) / 60:.1f} min in all", flush=True)
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
