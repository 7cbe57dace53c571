"""Search latency p50/p95 of ``hybrid_search`` at 5k and 100k chunks, on this machine, one run.

    .venv/bin/python benchmarks/bench_search_latency.py [--sizes 5000,100000] [--queries 200]

Chunk texts are SciFact abstract sentences (real text for FTS5); their vectors are random unit
vectors (embedding 100k chunks would take an hour and does not change the search cost). Queries are
SciFact train claims, embedded with the real model once, outside the timing. Prints p50/p95 of the
whole hybrid search (FTS5 + vec0 + fusion + row fetch) and of its vector and keyword parts.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "scifact"


def sentences(limit: int) -> list[str]:
    out: list[str] = []
    with gzip.open(DATA / "corpus.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            out.extend(s for s in re.split(r"(?<=\.)\s+", doc["text"]) if len(s) > 40)
    while len(out) < limit:
        out = out + out
    return out[:limit]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="5000,100000")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    queries = [json.loads(x)["text"] for x in (DATA / "queries_train.jsonl").read_text().splitlines()]
    queries = queries[: args.queries]
    with tempfile.TemporaryDirectory(prefix="ragtune-bench-") as tmp:
        os.environ["RAGTUNE_HOME"] = tmp
        os.environ.setdefault("RAGTUNE_MODELS_DIR", str(Path(tempfile.gettempdir()) / "ragtune-bench-models"))
        from ragtune.core import retrieval as r
        from ragtune.core.embedding import load_default_embedder
        from ragtune.core.store.db import connect
        from ragtune.core.store.library import LibraryStore
        from ragtune.core.types import Chunk

        embedder = load_default_embedder()
        qvecs = embedder.embed([q for q in queries])
        embed_ms = []
        for q in queries[:50]:
            t0 = time.perf_counter()
            embedder.embed_query(q)
            embed_ms.append((time.perf_counter() - t0) * 1000)
        print(f"query embedding p50 {percentile(embed_ms, 0.5):.1f} ms (time to first source = this + hybrid)")
        rng = np.random.default_rng(0)
        print(f"{'chunks':>8s} {'hybrid p50':>11s} {'p95':>7s} {'vector p50':>11s} {'keyword p50':>12s}  (ms)")
        for size in (int(s) for s in args.sizes.split(",")):
            conn = connect(Path(tmp) / f"bench{size}.db")
            store = LibraryStore(conn)
            lib = store.create_library("bench")
            other = store.create_library("other")  # a second library, so the filter matters
            store.check_embedding_model(embedder.model_id, embedder.dim)
            texts = sentences(size)
            per_doc = 50
            for d in range(0, size, per_doc):
                part = texts[d : d + per_doc]
                chunks = [Chunk(i, 1 + i // 10, 0, len(t), t, t) for i, t in enumerate(part)]
                vectors = rng.standard_normal((len(part), embedder.dim)).astype(np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                target = lib if d % (per_doc * 10) else other
                store.write_document(target, f"/doc{d}.txt", 0, 0, f"h{d}", f"doc {d}", "text", 5, chunks, vectors)
            hybrid, vector, keyword = [], [], []
            for q, v in zip(queries, qvecs, strict=True):
                t0 = time.perf_counter()
                r.hybrid_search(conn, lib, q, v, 10)
                t1 = time.perf_counter()
                r.vector_candidates(conn, lib, v, 50)
                t2 = time.perf_counter()
                r.keyword_search(conn, lib, q, 50)
                t3 = time.perf_counter()
                hybrid.append((t1 - t0) * 1000)
                vector.append((t2 - t1) * 1000)
                keyword.append((t3 - t2) * 1000)
            print(
                f"{size:8d} {percentile(hybrid, 0.5):11.1f} {percentile(hybrid, 0.95):7.1f} "
                f"{percentile(vector, 0.5):11.1f} {percentile(keyword, 0.5):12.1f}"
            )
            conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
