"""``embed_all`` sees a cancel before its next ONNX call: at most the call under way finishes."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from ragtune.core.embedding import BATCH_SIZE, embed_all


class SlowEmbedder:
    """Counts its calls; the third one blocks until released, so a cancel can come mid-call."""

    model_id = "slow"
    dim = 4
    tokenizer = None

    def __init__(self) -> None:
        self.calls = 0
        self.in_third_call = threading.Event()
        self.release = threading.Event()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if self.calls == 3:
            self.in_third_call.set()
            self.release.wait()
        return np.ones((len(texts), self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def test_cancel_set_during_a_call_stops_before_the_next_call() -> None:
    embedder = SlowEmbedder()
    cancel = threading.Event()
    texts = [f"text {i}" for i in range(BATCH_SIZE * 50)]  # 50 calls' worth
    outcome: list[np.ndarray | None] = []
    worker = threading.Thread(target=lambda: outcome.append(embed_all(embedder, texts, cancel)))
    worker.start()
    assert embedder.in_third_call.wait(60)
    cancel.set()
    calls_when_cancelled = embedder.calls
    embedder.release.set()
    worker.join(60)
    assert outcome == [None]
    assert embedder.calls - calls_when_cancelled <= 1  # no call starts after the cancel
    assert embedder.calls == 3


def test_a_run_without_cancel_embeds_every_text_in_small_calls() -> None:
    embedder = SlowEmbedder()
    embedder.release.set()
    matrix = embed_all(embedder, [f"text {i}" for i in range(BATCH_SIZE * 5)])
    assert matrix is not None
    assert matrix.shape == (BATCH_SIZE * 5, 4)
    assert embedder.calls == 5
