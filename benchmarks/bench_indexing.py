"""Indexing throughput on SciFact through Ragtune vs the raw embedder on the same texts, one run.

    .venv/bin/python benchmarks/bench_indexing.py [--docs N]

Writes N SciFact abstracts as text files (title as the first line), then measures in one run:
1. the raw embedder alone on exactly the chunk texts Ragtune embeds (the reference), and
2. ``ragtune index`` through the service (scan, hash, parse in the child process, chunk, embed, store).
Prints documents/s, chunks/s, their ratio to the raw embedder, and peak memory (RSS of this
process and of the parser child).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

SCIFACT = Path(__file__).resolve().parents[2] / "shared" / "data" / "scifact" / "corpus.jsonl.gz"


def write_corpus(folder: Path, limit: int) -> int:
    count = 0
    with gzip.open(SCIFACT, "rt", encoding="utf-8") as fh:
        for line in fh:
            if count >= limit:
                break
            doc = json.loads(line)
            (folder / f"{doc['_id']}.txt").write_text(f"{doc['title']}\n{doc['text']}\n", encoding="utf-8")
            count += 1
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=2000, help="abstracts to index (all: 5183)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ragtune-bench-") as tmp:
        os.environ["RAGTUNE_HOME"] = str(Path(tmp) / "home")
        os.environ.setdefault("RAGTUNE_MODELS_DIR", str(Path(tempfile.gettempdir()) / "ragtune-bench-models"))
        from ragtune.core.chunking import chunk_document
        from ragtune.core.embedding import load_default_embedder
        from ragtune.core.ingest.parsers import parse_file
        from ragtune.core.services import Ragtune

        folder = Path(tmp) / "scifact"
        folder.mkdir()
        n = write_corpus(folder, args.docs)
        embedder = load_default_embedder()
        embedder.embed(["warm up"])

        # Reference: the raw embedder on the same chunk texts (parsing/chunking not timed here).
        texts = [
            c.embed_text
            for path in sorted(folder.iterdir())
            for c in chunk_document(parse_file(path), embedder.tokenizer)
        ]
        t0 = time.perf_counter()
        for start in range(0, len(texts), 64):
            embedder.embed(texts[start : start + 64])
        raw_s = time.perf_counter() - t0

        with Ragtune(embedder=embedder) as svc:
            t0 = time.perf_counter()
            report = svc.library.index("scifact", [folder])
            ragtune_s = time.perf_counter() - t0
            assert report.added == n, report
            assert svc.library.doctor().ok
        self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    print(f"SciFact abstracts: {n} documents, {len(texts)} chunks, {os.cpu_count()} cores")
    print(f"{'':24s}{'seconds':>9s}{'docs/s':>9s}{'chunks/s':>10s}")
    print(f"{'raw embedder':24s}{raw_s:9.1f}{n / raw_s:9.1f}{len(texts) / raw_s:10.1f}")
    print(f"{'ragtune index':24s}{ragtune_s:9.1f}{n / ragtune_s:9.1f}{report.chunks_written / ragtune_s:10.1f}")
    print(f"throughput ratio ragtune / raw embedder: {raw_s / ragtune_s:.3f}  (target >= 0.9)")
    print(f"peak RSS: main process {self_rss:.0f} MiB, parser child {child_rss:.0f} MiB (target < 1536 MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
