"""A second embedding model for tests: the embedded model's vectors projected to another dimension
by a fixed random matrix (normalised again). Its vectors are close enough to the real model's in
meaning that search still works, and of another size, as a second model's would be.

Run as a script (``python projected_embedder.py DB LIBRARY DIE_AFTER``) it switches LIBRARY of the
database DB to the projected model, 8 passages per transaction, and dies (``os._exit``, no
clean-up) in its DIE_AFTER-th call to the model: a crash halfway through a re-embed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

MODEL_ID = "test/projected-256"
DIM = 256


class ProjectedEmbedder:
    """``base``'s vectors times a fixed 384 x ``dim`` matrix; counts its calls and passages."""

    def __init__(self, base: Any, dim: int = DIM, model_id: str = MODEL_ID,
                 on_call: Callable[[int], None] | None = None) -> None:
        self.base = base
        self.dim = dim
        self.model_id = model_id
        self.tokenizer = base.tokenizer
        self.matrix = np.random.default_rng(7).normal(size=(base.dim, dim)).astype(np.float32)
        self.calls = 0
        self.passages = 0
        self.on_call = on_call

    def _project(self, vectors: np.ndarray) -> np.ndarray:
        out = vectors @ self.matrix
        normed: np.ndarray = out / np.maximum(np.linalg.norm(out, axis=-1, keepdims=True), 1e-12)
        return normed.astype(np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if self.on_call is not None:
            self.on_call(self.calls)
        self.passages += len(texts)
        return self._project(self.base.embed(texts))

    def embed_query(self, text: str) -> np.ndarray:
        vector: np.ndarray = self._project(self.base.embed_query(text)[None, :])[0]
        return vector


def loader_for(embedder: ProjectedEmbedder) -> Callable[[str], Any]:
    """An ``embedder_loader`` that knows the projected model only."""
    from ragtune.core.embedders import load_by_id

    def load(model_id: str) -> Any:
        return embedder if model_id == embedder.model_id else load_by_id(model_id)

    return load


def _die_after(n: int) -> Callable[[int], None]:
    def check(calls: int) -> None:
        if calls >= n:
            os._exit(17)

    return check


if __name__ == "__main__":
    from ragtune.core import reembed
    from ragtune.core.embedding import load_default_embedder
    from ragtune.core.services import Ragtune

    reembed.BATCH = 8  # one call to the model per transaction
    db, library, die_after = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    base = load_default_embedder()
    projected = ProjectedEmbedder(base, on_call=_die_after(die_after))
    with Ragtune(db_path=db, embedder=base, embedder_loader=loader_for(projected)) as svc:
        svc.library.embedders.change(library, MODEL_ID)
    sys.exit(0)
