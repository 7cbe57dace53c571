"""Text embeddings: the ``Embedder`` protocol and its fastembed (ONNX) implementation.

The default embedder is the embedded all-MiniLM-L6-v2 int8 model, loaded from the assembled local
folder through ``TextEmbedding.add_custom_model`` + ``specific_model_path``: no Hugging Face look-up.
Sequences are capped at 256 tokens (what the model was trained on).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ragtune.core.embedded import EMBEDDING_MAX_TOKENS, ensure_embedding_model
from ragtune.core.types import ProgressCallback
from ragtune.errors import ModelError

log = logging.getLogger(__name__)

DEFAULT_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2-int8"
DEFAULT_DIM = 384
#: texts per ONNX call; texts are sorted by length first so a batch pads little. Small batches are
#: as fast on a CPU and keep onnxruntime's memory arena small: peak RSS embedding 256-token chunks
#: was 2.7 GB at 64 per call, 840 MB at 16, 560 MB at 8 (benchmarks/bench_indexing.py).
BATCH_SIZE = 8


class Embedder(Protocol):
    model_id: str
    dim: int
    tokenizer: Any  # tokenizers.Tokenizer, without truncation or padding (for chunking)

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class FastEmbedder:
    """An ``Embedder`` on a fastembed ``TextEmbedding``; thread-safe (one call at a time). Models
    trained with prefixes get them here: ``passage_prefix`` before every passage, ``query_prefix``
    before a question."""

    def __init__(
        self, model: Any, model_id: str, dim: int, tokenizer: Any, query_prefix: str = "", passage_prefix: str = ""
    ) -> None:
        self._model = model
        self.model_id = model_id
        self.dim = dim
        self.tokenizer = tokenizer
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed([self.passage_prefix + t for t in texts] if self.passage_prefix else texts)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with self._lock:
            vectors = list(self._model.embed([texts[i] for i in order], batch_size=BATCH_SIZE))
        result = np.empty((len(texts), self.dim), np.float32)
        for position, index in enumerate(order):
            result[index] = vectors[position]
        norms = np.linalg.norm(result, axis=1, keepdims=True)
        result /= np.maximum(norms, 1e-12)
        return result

    def embed_query(self, text: str) -> np.ndarray:
        vector: np.ndarray = self._embed([self.query_prefix + text])[0]
        return vector


def embed_all(
    embedder: Embedder, texts: Sequence[str], cancel: threading.Event | None = None
) -> np.ndarray | None:
    """``embedder.embed(texts)`` one ONNX call (``BATCH_SIZE`` texts, similar lengths together) at
    a time, with ``cancel`` checked before each: None when it was set. A call takes well under a
    second even on a loaded machine, so a cancel is seen within one (with 64 texts per check it
    took 5-8 s under load)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    result = np.zeros((len(texts), embedder.dim), np.float32)
    for start in range(0, len(order), BATCH_SIZE):
        if cancel is not None and cancel.is_set():
            return None
        batch = order[start : start + BATCH_SIZE]
        result[batch] = embedder.embed([texts[i] for i in batch])
    return result


def plain_tokenizer(folder: Path) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def _register_custom(name: str, dim: int) -> None:
    from fastembed import TextEmbedding
    from fastembed.common.model_description import ModelSource, PoolingType

    known = {m["model"].lower() for m in TextEmbedding.list_supported_models()}
    if name.lower() in known:
        return
    TextEmbedding.add_custom_model(
        model=name,
        pooling=PoolingType.MEAN,
        normalization=True,
        sources=ModelSource(hf="sentence-transformers/all-MiniLM-L6-v2"),
        dim=dim,
        model_file="model.onnx",
        description="all-MiniLM-L6-v2, int8 ONNX, embedded in Ragtune",
        license="apache-2.0",
        size_in_gb=0.023,
    )


_default: FastEmbedder | None = None
_default_lock = threading.Lock()


def load_default_embedder(progress: ProgressCallback | None = None) -> Embedder:
    """The embedded default embedder, loaded once per process, offline."""
    global _default
    with _default_lock:
        if _default is None:
            folder = ensure_embedding_model(progress)
            from fastembed import TextEmbedding

            _register_custom(DEFAULT_MODEL_ID, DEFAULT_DIM)
            try:
                model = TextEmbedding(
                    model_name=DEFAULT_MODEL_ID,
                    specific_model_path=str(folder),
                    threads=os.cpu_count() or 2,
                    local_files_only=True,
                )
            except Exception as exc:  # onnxruntime/fastembed raise many kinds
                raise ModelError(f"Could not load the embedding model from {folder}: {exc}") from exc
            _default = FastEmbedder(model, DEFAULT_MODEL_ID, DEFAULT_DIM, plain_tokenizer(folder))
            log.info("Embedding model loaded from %s (max %d tokens)", folder, EMBEDDING_MAX_TOKENS)
        return _default
