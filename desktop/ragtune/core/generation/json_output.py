"""Constrained JSON output: the grammar a JSON schema becomes, and reading the model's JSON answer.

``ChatModel.complete_json`` asks for an answer that matches a JSON schema. The in-process engine
constrains sampling with llama.cpp's grammar made from the schema (``LlamaGrammar.from_json_schema``),
a server gets the schema as ``response_format``; either way the text that comes back is read here, so
an answer cut by ``max_tokens`` (or a server that ignored the schema) becomes one clear ``ModelError``
instead of a ``JSONDecodeError`` deep in a caller.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ragtune.errors import ModelError

_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list,
    "object": dict,
}


@functools.lru_cache(maxsize=16)
def _grammar(schema_json: str) -> Any:
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_json_schema(schema_json, verbose=False)


def grammar(schema: dict[str, Any]) -> Any:
    """llama.cpp's grammar (a ``LlamaGrammar``) for ``schema``; made once per distinct schema. The
    properties come in the schema's order (a model writes a question before its answer)."""
    try:
        return _grammar(json.dumps(schema))
    except (ValueError, KeyError, TypeError, NotImplementedError) as exc:
        raise ModelError(f"the JSON schema cannot be made a grammar: {exc}") from exc


def parse(text: str, schema: dict[str, Any], finish_reason: str = "") -> dict[str, Any]:
    """The JSON object in ``text``, checked against ``schema``'s top level (an object, its required
    properties present with their declared types). ModelError says why when it is not, naming the
    token limit when the answer was cut there (``finish_reason`` "length")."""
    cut = " (the answer was cut at the token limit; allow more tokens)" if finish_reason == "length" else ""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ModelError(f"the model's answer is not valid JSON{cut}: {text[:120]!r}") from exc
    if not isinstance(value, dict):
        raise ModelError(f"the model's answer is JSON but not an object: {text[:120]!r}")
    properties = schema.get("properties") or {}
    for name in schema.get("required") or []:
        if name not in value:
            raise ModelError(f"the model's JSON answer lacks {name!r}{cut}: {text[:120]!r}")
    for name, spec in properties.items():
        wanted = _TYPES.get(spec.get("type", "")) if isinstance(spec, dict) else None
        if name in value and wanted is not None and not isinstance(value[name], wanted):
            raise ModelError(f"the model's JSON answer has {name!r} of the wrong type: {text[:120]!r}")
    return value
