"""Everything that produced a run's answers, recorded with the run: the model (its file's sha256),
the adapters (sha256 and strength), the embedder, chunking, answer settings and engine. Two runs
with equal configurations answered under the same conditions; ``differences`` says what changed
between two runs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ragtune import __version__
from ragtune.core.answer_types import AdapterSpec, ModelInfo
from ragtune.core.engine_kind import EngineKind
from ragtune.core.evaluate.fingerprints import file_sha256
from ragtune.settings import Settings


def run_config(
    settings: Settings, model: ModelInfo, adapters: Sequence[AdapterSpec], embedder_id: str
) -> dict[str, Any]:
    local = settings.engine == EngineKind.LOCAL
    return {
        "model": {
            "name": model.name,
            "file": Path(model.path).name if local else "",
            "sha256": file_sha256(model.path) if local else "",
            "quantization": model.quantization,
        },
        "engine": {"kind": str(settings.engine), "url": "" if local else settings.engine_url},
        "adapters": [
            {"file": Path(a.path).name, "sha256": file_sha256(a.path) if local else "", "strength": a.scale}
            for a in adapters
        ],
        "embedder": embedder_id,
        "chunking": {"tokens": settings.chunk_tokens, "overlap": settings.chunk_overlap},
        "answers": {
            "passages": settings.passages,
            "search_results": settings.search_results,
            "max_answer_tokens": settings.max_answer_tokens,
            "temperature": settings.temperature,
            "context_size": settings.context_size,
        },
        "ragtune": __version__,
    }


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """What differs between two configurations, as ``key: old -> new`` lines."""
    fa, fb = _flatten(a), _flatten(b)
    return [
        f"{key}: {fa.get(key, '-')} -> {fb.get(key, '-')}"
        for key in sorted(set(fa) | set(fb))
        if fa.get(key) != fb.get(key)
    ]
