"""A question naming what the best hits do not mention gets the passages that name it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ragtune.core.named_search import passages_for
from ragtune.core.types import Hit


def hit(chunk_id: int, text: str, similarity: float = 0.6) -> Hit:
    return Hit(chunk_id, 1, "/d/report.pdf", "Bridges", 3, 0, len(text), text, 1.0, vector_similarity=similarity)


class Vectors:
    """An embedder whose every text is the same unit vector (similarity 1 with any query)."""

    dim = 2

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.array([1.0, 0.0], np.float32), (len(texts), 1))

    def embed_query(self, text: str) -> np.ndarray:
        return np.array([1.0, 0.0], np.float32)


def test_a_passage_naming_the_missing_name_is_added_and_scored_against_the_question() -> None:
    asked: list[tuple[str, int]] = []
    general = [hit(1, "Bridges in poor condition by state."), hit(2, "Inspection every 24 months.")]
    iowa = hit(3, "Iowa 23,716 9,329 18.6", similarity=0.2)

    def search(query: str, k: int) -> list[Hit]:
        asked.append((query, k))
        return general if len(asked) == 1 else [general[0], iowa, hit(4, "Kansas 24,000 9.1")]

    found = passages_for(search, Vectors(), "What share of Iowa's bridges are poor?", k=10)  # type: ignore[arg-type]
    assert asked == [("What share of Iowa's bridges are poor?", 10), ("Iowa", 3)]
    assert [h.chunk_id for h in found] == [1, 2, 3]  # Kansas does not name Iowa; chunk 1 is there already
    assert found[-1].vector_similarity == 1.0  # measured again against the question


def test_no_second_search_when_the_hits_name_everything() -> None:
    calls: list[str] = []

    def search(query: str, k: int) -> list[Hit]:
        calls.append(query)
        return [hit(1, "Iowa has 23,716 bridges.")]

    assert len(passages_for(search, Vectors(), "How many bridges does Iowa have?")) == 1  # type: ignore[arg-type]
    assert calls == ["How many bridges does Iowa have?"]
