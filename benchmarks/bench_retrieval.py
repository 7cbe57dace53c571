"""Retrieval quality on SciFact train claims: BM25 alone, vectors alone, plain RRF and Ragtune's fusion.

    .venv/bin/python benchmarks/bench_retrieval.py [--docs N] [--weights 0.3,0.4,0.5,0.6]

Indexes every abstract (title as the first line) through the real store and embedder, runs the 809
claims, and prints nDCG@10 and recall@100 per ranking side by side. Scores are per document (a
document's best chunk). Also prints search latency p50/p95 of ``hybrid_search`` on this index.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "scifact"


def load() -> tuple[list[dict[str, str]], dict[str, str], dict[str, set[str]]]:
    with gzip.open(DATA / "corpus.jsonl.gz", "rt", encoding="utf-8") as fh:
        corpus = [json.loads(line) for line in fh]
    queries = {}
    for line in (DATA / "queries_train.jsonl").read_text().splitlines():
        q = json.loads(line)
        queries[q["_id"]] = q["text"]
    qrels: dict[str, set[str]] = defaultdict(set)
    for line in (DATA / "qrels_train.tsv").read_text().splitlines()[1:]:
        qid, did, score = line.split("\t")
        if int(score) > 0:
            qrels[qid].add(did)
    return corpus, {q: t for q, t in queries.items() if q in qrels}, qrels


def ndcg10(ranked: list[str], relevant: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return dcg / ideal if ideal else 0.0


def recall100(ranked: list[str], relevant: set[str]) -> float:
    return len(set(ranked[:100]) & relevant) / len(relevant)


def by_document(scores: dict[int, float], doc_of: dict[int, str]) -> list[str]:
    """Documents ranked by their best chunk."""
    best: dict[str, float] = {}
    for cid, s in scores.items():
        d = doc_of[cid]
        if d not in best or s > best[d]:
            best[d] = s
    return [d for d, _ in sorted(best.items(), key=lambda x: -x[1])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=0, help="limit the corpus (0: all 5183)")
    parser.add_argument("--weights", default="0.2,0.3,0.4,0.5")
    parser.add_argument("--chunk-tokens", type=int, default=220)
    parser.add_argument("--overlap", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="keep the index in this folder (reused when present)")
    parser.add_argument("--dump", type=Path, help="write every query's candidate scores here (pickle)")
    args = parser.parse_args()
    corpus, queries, qrels = load()
    if args.docs:
        keep = {d for rel in qrels.values() for d in rel}
        corpus = [c for c in corpus if c["_id"] in keep] + [c for c in corpus if c["_id"] not in keep]
        corpus = corpus[: args.docs]
    with tempfile.TemporaryDirectory(prefix="ragtune-bench-") as tmp:
        os.environ["RAGTUNE_HOME"] = tmp
        os.environ.setdefault("RAGTUNE_MODELS_DIR", str(Path(tempfile.gettempdir()) / "ragtune-bench-models"))
        from ragtune.core import retrieval as r
        from ragtune.core.chunking import chunk_document
        from ragtune.core.embedding import load_default_embedder
        from ragtune.core.store.db import connect
        from ragtune.core.store.library import LibraryStore
        from ragtune.core.types import Page, ParsedDocument

        embedder = load_default_embedder()
        db_path = (args.keep or Path(tmp)) / "bench.db"
        reuse = db_path.is_file()
        db_path.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(db_path)
        store = LibraryStore(conn)
        lib = store.create_library("scifact")
        store.check_embedding_model(embedder.model_id, embedder.dim)
        t0 = time.perf_counter()
        n_chunks = 0
        for doc in [] if reuse else corpus:
            parsed = ParsedDocument(doc["_id"], doc["title"], "text", (Page(1, f"{doc['title']}\n{doc['text']}"),))
            chunks = chunk_document(parsed, embedder.tokenizer, args.chunk_tokens, args.overlap)
            vectors = embedder.embed([c.embed_text for c in chunks])
            store.write_document(lib, doc["_id"], 0, 0, doc["_id"], doc["title"], "text", 1, chunks, vectors)
            n_chunks += len(chunks)
        n_chunks = n_chunks or int(conn.execute("SELECT count(*) FROM chunks").get)
        print(f"indexed {len(corpus)} abstracts, {n_chunks} chunks in {time.perf_counter() - t0:.0f} s", flush=True)
        dump: list[tuple[str, dict[int, float], dict[int, float], list[int], list[int]]] = []
        doc_of = {int(cid): str(path) for cid, path in conn.execute(
            "SELECT c.id, d.path FROM chunks c JOIN documents d ON d.id = c.document_id")}

        weights = [float(w) for w in args.weights.split(",")]
        names = ["bm25", "vectors", "rrf"] + [f"fused w={w:.2f}" for w in weights]
        results: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
        latencies: list[float] = []
        for qid, text in queries.items():
            qv = embedder.embed_query(text)
            pool = 100
            kw_list = r.keyword_search(conn, lib, text, pool)
            vec_list = r.vector_search(conn, lib, qv, pool)
            if args.dump:
                dump.append((qid, dict(kw_list), dict(vec_list), [c for c, _ in kw_list], [c for c, _ in vec_list]))
            rankings = {
                "bm25": by_document(dict(kw_list), doc_of),
                "vectors": by_document(dict(vec_list), doc_of),
                "rrf": by_document(r.fuse_rrf([c for c, _ in kw_list], [c for c, _ in vec_list]), doc_of),
            }
            for w in weights:
                hits = r.hybrid_search(conn, lib, text, qv, pool, weight=w)
                rankings[f"fused w={w:.2f}"] = by_document({h.chunk_id: h.score for h in hits}, doc_of)
            for name, ranked in rankings.items():
                results[name].append((ndcg10(ranked, qrels[qid]), recall100(ranked, qrels[qid])))
            t1 = time.perf_counter()
            r.hybrid_search(conn, lib, text, qv, 10)
            latencies.append((time.perf_counter() - t1) * 1000)

        if args.dump:
            import pickle

            args.dump.write_bytes(pickle.dumps((dump, doc_of, dict(qrels))))
    print(f"{len(queries)} SciFact train claims; default fusion weight {r.KEYWORD_WEIGHT}")
    print(f"{'ranking':18s}{'nDCG@10':>9s}{'R@100':>8s}")
    for name in names:
        nd = statistics.mean(x for x, _ in results[name])
        rc = statistics.mean(y for _, y in results[name])
        print(f"{name:18s}{nd:9.3f}{rc:8.3f}")
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p95 = latencies[int(len(latencies) * 0.95)]
    print(f"hybrid_search k=10 at {n_chunks} chunks: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
