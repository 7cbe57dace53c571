"""Resident memory after closing the embedded chat model, without and with ``malloc_trim``.

    .venv/bin/python benchmarks/bench_memory.py [--rounds 3] [--n-ctx 2048]

Each round runs in a fresh process: load the embedded 0.5B model, answer one short question, close
the model with the trim switched off and drop it (RSS "closed"), then call
``ragtune.core.memory.return_freed_memory`` (RSS "trimmed"). The difference is what glibc kept in its
arenas that ``Engine.close`` now gives back (issue 17: 70-180 MB). Prints one row per round and the
median difference.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

MB = 1024 * 1024


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def child(n_ctx: int) -> dict[str, float]:
    import gc

    from ragtune.core import memory
    from ragtune.core.embedded import ensure_chat_model
    from ragtune.core.generation import engine as engine_module

    path = ensure_chat_model()
    gc.collect()
    row = {"start": _rss() / MB}
    engine_module.return_freed_memory = lambda: False  # close as before the fix
    model = engine_module.Engine(path, n_ctx=n_ctx)
    messages = [{"role": "user", "content": "Name three colours of a garden lamp."}]
    "".join(model.stream_chat(messages, 32, 0.0))
    row["loaded"] = _rss() / MB
    model.close()
    del model
    gc.collect()
    row["closed"] = _rss() / MB
    row["returned"] = float(memory.return_freed_memory())
    row["trimmed"] = _rss() / MB
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n-ctx", type=int, default=2048)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.n_ctx)))
        return
    print(f"{'round':>5}  {'start':>8}  {'loaded':>8}  {'closed':>8}  {'trimmed':>8}  {'given back':>10}  (MB RSS)")
    back = []
    for i in range(1, args.rounds + 1):
        out = subprocess.run([sys.executable, __file__, "--child", "--n-ctx", str(args.n_ctx)],
                             capture_output=True, text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        back.append(row["closed"] - row["trimmed"])
        print(f"{i:>5}  {row['start']:8.1f}  {row['loaded']:8.1f}  {row['closed']:8.1f}  "
              f"{row['trimmed']:8.1f}  {back[-1]:10.1f}")
    print(f"median given back by malloc_trim after close: {statistics.median(back):.1f} MB")


if __name__ == "__main__":
    main()
