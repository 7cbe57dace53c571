"""Switching a library's embedding model: the re-embed against the bare embedding of the same
passages, and search latency before and after the swap, side by side in one run.

    .venv/bin/python benchmarks/bench_reembed.py [--passages 400] [--queries 50]

The library is SciFact abstracts written as text files and indexed with the embedded model. The
second model is the embedded one with its vectors projected to 256 dimensions (what a second model
costs to run is its own; this measures what Ragtune adds around it: reading passages, writing two
vector tables per batch, the final swap). Prints seconds and passages/s for the bare embedding and
the re-embed, their ratio, and search p50 on the shared tables and on the library's own.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "scifact"


class Projected:
    """The embedded model's vectors times a fixed matrix: a 256-dimension second model."""

    def __init__(self, base: Any, dim: int = 256) -> None:
        self.base, self.dim, self.model_id, self.tokenizer = base, dim, "bench/projected-256", base.tokenizer
        self.matrix = np.random.default_rng(1).normal(size=(base.dim, dim)).astype(np.float32)

    def _project(self, v: np.ndarray) -> np.ndarray:
        out = v @ self.matrix
        result: np.ndarray = (out / np.linalg.norm(out, axis=-1, keepdims=True)).astype(np.float32)
        return result

    def embed(self, texts: Any) -> np.ndarray:
        return self._project(self.base.embed(texts))

    def embed_query(self, text: str) -> np.ndarray:
        vector: np.ndarray = self._project(self.base.embed_query(text)[None, :])[0]
        return vector


def write_corpus(folder: Path, passages: int) -> list[str]:
    claims: list[str] = []
    folder.mkdir(parents=True)
    with gzip.open(DATA / "corpus.jsonl.gz", "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n >= passages:
                break
            doc = json.loads(line)
            (folder / f"{doc['_id']}.txt").write_text(
                f"{doc.get('title', '')}\n\n{doc['text']}\n", encoding="utf-8")
            claims.append(str(doc.get("title") or doc["text"][:80]))
    return claims


def p50_ms(svc: Any, queries: list[str]) -> float:
    times = []
    for q in queries:
        start = time.perf_counter()
        svc.library.search("bench", q, k=10)
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", type=int, default=400, help="abstracts (about one passage each)")
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "desktop"))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["RAGTUNE_HOME"] = str(Path(tmp) / "home")
        from ragtune.core.embedding import embed_all, load_default_embedder
        from ragtune.core.services import Ragtune
        from ragtune.settings import Settings

        base = load_default_embedder()
        projected = Projected(base)
        queries = write_corpus(Path(tmp) / "docs", args.passages)[: args.queries]
        with Ragtune(db_path=Path(tmp) / "lib.db", settings=Settings(), embedder=base,
                     embedder_loader=lambda _id: projected) as svc:
            svc.library.index("bench", [Path(tmp) / "docs"])
            conn = svc.library.connection()
            texts = [str(r[0]) for r in conn.execute("SELECT embed_text FROM chunks ORDER BY id")]
            before = p50_ms(svc, queries)
            start = time.perf_counter()
            embed_all(projected, texts)
            bare = time.perf_counter() - start
            start = time.perf_counter()
            report = svc.library.embedders.change("bench", projected.model_id)
            switched = time.perf_counter() - start
            after = p50_ms(svc, queries)
    n = len(texts)
    print(f"{n} passages, {os.cpu_count()} CPU threads, nothing else running")
    print(f"bare embedding (embed_all):   {bare:6.1f} s  {n / bare:5.1f} passages/s")
    print(f"re-embed and swap (change):   {switched:6.1f} s  {report.embedded / switched:5.1f} passages/s")
    print(f"re-embed / bare:              {switched / bare:6.2f}x")
    print(f"search p50, shared tables:    {before:6.1f} ms")
    print(f"search p50, library's own:    {after:6.1f} ms  ({after / before:.2f}x)")


if __name__ == "__main__":
    main()
