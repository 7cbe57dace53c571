"""The passages to answer a question from, when it names something the best hits do not mention.

The search ranks by meaning and words together; a question about "Iowa" in a report whose state
table is one chunk among hundreds can come back with ten passages about bridge conditions in
general, none naming Iowa. When a name the question is about (``core.key_terms``) is in none of the
hits, a second search for the missing names alone finds the passages that do name them; those that
mention every missing name are added (at most ``NAME_SEARCH_HITS``), their similarity to the
question measured again so the relevance gate judges them as it judges the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ragtune.core.embedding import Embedder
from ragtune.core.key_terms import haystack, mentions, missing_terms
from ragtune.core.types import Hit

#: passages a search for the names a question misses may add to its passages
NAME_SEARCH_HITS = 3

Search = Callable[[str, int], list[Hit]]


def passages_for(search: Search, embedder: Embedder, question: str, k: int = 10) -> list[Hit]:
    """``search(question, k)``, and the passages that name what those miss (see the module)."""
    hits = search(question, k)
    missing = missing_terms(question, [haystack(h) for h in hits])
    if not missing:
        return hits
    seen = {h.chunk_id for h in hits}
    extra = [
        h for h in search(" ".join(missing), NAME_SEARCH_HITS)
        if h.chunk_id not in seen and all(mentions(haystack(h), term) for term in missing)
    ]
    if not extra:
        return hits
    asked = embedder.embed_query(question)
    vectors = embedder.embed([f"{h.title}\n{h.text}" for h in extra])
    return hits + [replace(h, vector_similarity=float(v @ asked)) for h, v in zip(extra, vectors, strict=True)]
