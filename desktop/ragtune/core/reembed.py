"""Re-embed one library's passages with another embedding model.

The vectors go into a new pair of tables (``store.library_vectors``), a batch per transaction, so a
crash or a Stop keeps what was done (the next start with the same model resumes it) while the old
vectors keep answering searches. When every passage has its new vector, one transaction points the
library at the new pair and removes the old vectors. The caller holds the library's index lock, so
no index run adds or removes passages meanwhile. Chunks are kept as they are: only vectors change.
"""

from __future__ import annotations

import threading
import time

import apsw
import numpy as np

from ragtune.core.embedder_types import ReembedReport
from ragtune.core.embedding import Embedder, embed_all
from ragtune.core.store import chunk_queries
from ragtune.core.store import library_vectors as lv
from ragtune.core.store import vectors as vec
from ragtune.core.store.db import transaction
from ragtune.core.types import Progress, ProgressCallback, Stage
from ragtune.errors import ModelError, RagtuneError

#: passages read, embedded and written per transaction (a Stop is seen between embedder calls)
BATCH = 64


def reembed(
    conn: apsw.Connection,
    library_id: int,
    library: str,
    embedder: Embedder,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ReembedReport:
    """Embed every passage of ``library_id`` with ``embedder`` and switch the library to it."""
    started = time.monotonic()
    with transaction(conn):
        tables = lv.start_build(conn, library_id, embedder.model_id, embedder.dim)
    build = lv.build_of(conn, library_id)
    resumed = build.done if build else 0
    total = build.total if build else 0
    done = resumed

    def report(cancelled: bool) -> ReembedReport:
        return ReembedReport(library, embedder.model_id, done - resumed, total, resumed,
                             time.monotonic() - started, cancelled)

    while True:
        if cancel is not None and cancel.is_set():
            return report(True)
        if lv.build_of(conn, library_id) is None:  # the library was deleted meanwhile
            raise RagtuneError(f"Library {library!r} was deleted while its passages were embedded again.")
        batch = lv.pending(conn, library_id, tables, BATCH)
        if not batch:
            with transaction(conn):
                if not lv.pending(conn, library_id, tables, 1):
                    lv.swap(conn, library_id)
                    break
            continue
        matrix = embed_all(embedder, [text for _id, text in batch], cancel)
        if matrix is None:
            return report(True)
        if not np.isfinite(matrix).all():
            raise ModelError(
                f"The embedding model {embedder.model_id} produced invalid numbers (NaN); the library "
                "keeps its old vectors. Download the model again."
            )
        with transaction(conn):
            _write(conn, tables, library_id, [cid for cid, _text in batch], matrix)
        done += len(batch)
        if progress is not None:
            elapsed = max(1e-6, time.monotonic() - started)
            rate = (done - resumed) / elapsed
            progress(Progress(Stage.EMBEDDING, done, total, rate=rate,
                              eta_s=(total - done) / rate if rate > 0 else None, current=library))
    return report(False)


def _write(
    conn: apsw.Connection, tables: vec.VectorTables, library_id: int, ids: list[int], matrix: np.ndarray
) -> None:
    """Store the vectors of the chunks that still exist (a library deleted meanwhile has none)."""
    alive = chunk_queries.in_library(conn, library_id, ids)
    keep = [i for i, cid in enumerate(ids) if cid in alive]
    vec.insert_vectors(conn, tables, library_id, [ids[i] for i in keep], matrix[keep])
