"""Chat models: check a GGUF file safely, keep a registry of the user's models, resolve names.

``inspect_gguf`` runs in a spawned child process with a time limit and an address-space cap
(``core.sandbox``): it reads the header with ``gguf_info``, asks llama.cpp itself to load the
vocabulary only (``vocab_only``), which is where llama.cpp decides whether it knows the
architecture, and renders a short chat with the file's chat template (``chat_tokens``). A corrupt or
hostile file can crash, hang or fill that child, never the app; the caller gets a ModelError.

The registry is ``paths.data_dir()/models.json``; the embedded default model is always listed first.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ragtune import paths
from ragtune.core.answer_types import ModelInfo
from ragtune.errors import ModelError

REGISTRY_NAME = "models.json"
EMBEDDED_DEFAULT = {
    "name": "qwen2.5-coder-0.5b-instruct",
    "file": "qwen2.5-coder-0.5b-instruct.gguf",
    "size": 491_400_064,
    "architecture": "qwen2",
    "context_length": 32768,
    "quantization": "Q4_K_M",
}
_CHECKED: dict[tuple[str, int, int], ModelInfo] = {}  # (path, size, mtime_ns) -> result, per process
_NON_CHAT_TYPES = {"mmproj": "a vision projector (mmproj)", "imatrix": "an importance matrix (imatrix)"}


# -- checking a file (child process) ----------------------------------------------------------
def _check_in_child(path: str) -> dict[str, Any]:
    """Runs in the child: header checks, then llama.cpp's own vocab-only load."""
    from ragtune.core.generation.chat_tokens import check_chat_template
    from ragtune.core.generation.gguf_info import read_gguf

    info = read_gguf(path)
    name = Path(path).name
    if info.general_type == "adapter":
        raise ModelError(f"{name} is a LoRA adapter, not a model: apply it to a model as an adapter")
    if info.general_type in _NON_CHAT_TYPES or info.architecture == "clip":
        kind = _NON_CHAT_TYPES.get(info.general_type, "a vision projector (mmproj)")
        raise ModelError(f"{name} is {kind}, not a chat model")
    if not info.architecture:
        raise ModelError(f"{name} does not say which architecture it is (no general.architecture)")
    if not info.tensors:
        raise ModelError(f"{name} holds no tensors: it is not a complete model")
    _llama_vocab_check(path, info.architecture)
    template = info.metadata.get("tokenizer.chat_template")
    if isinstance(template, str) and template:
        try:
            check_chat_template(template)
        except ModelError as exc:
            raise ModelError(f"{name} has a chat template that cannot be used: {exc}") from None
    return {
        "name": info.name, "path": str(Path(path).absolute()), "size": info.size,
        "architecture": info.architecture, "context_length": info.context_length,
        "quantization": info.quantization,
    }


def _llama_vocab_check(path: str, architecture: str) -> None:
    import llama_cpp

    from ragtune.core.generation import llama_log

    llama_log.install()
    llama_log.clear()
    llama_cpp.llama_backend_init()
    params = llama_cpp.llama_model_default_params()
    params.vocab_only = True
    params.use_mmap = False
    model = llama_cpp.llama_model_load_from_file(path.encode("utf-8"), params)
    if not model:
        reason = llama_log.last_error("no reason given")
        if "unknown model architecture" in reason:
            raise ModelError(
                f"architecture {architecture} is not supported by this llama.cpp "
                f"(llama-cpp-python {llama_cpp.__version__})"
            )
        raise ModelError(f"llama.cpp cannot read {Path(path).name}: {reason}")
    llama_cpp.llama_model_free(model)


def _check_quietly(path: str) -> dict[str, Any]:
    """The child's entry: ``_check_in_child`` with llama.cpp's log kept off stderr."""
    import logging

    quiet = logging.getLogger("ragtune.llama")  # the parent reports the outcome; keep stderr clean
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    return _check_in_child(path)


def inspect_gguf(path: str | Path, timeout_s: float = 30.0, memory_mb: int = 1024) -> ModelInfo:
    """Check that ``path`` is a GGUF chat model llama.cpp can load, without risking this process
    (``sandbox.run_isolated``). Raises ModelError ("not a GGUF file", "truncated ...", "claims N
    metadata entries ...", "architecture X is not supported ...", "... is a LoRA adapter, not a
    model", "... has a chat template that cannot be used ...", "took longer", "needed more memory")."""
    from ragtune.core.sandbox import run_isolated

    file = Path(path).expanduser()
    if not file.is_file():
        raise ModelError(f"model file not found: {file}")
    stat = file.stat()
    key = (str(file.absolute()), stat.st_size, stat.st_mtime_ns)
    if key in _CHECKED:
        return _CHECKED[key]
    payload = run_isolated(
        _check_quietly, str(file), what=f"checking {file.name}", error=ModelError,
        hint="the file is corrupt or not a model llama.cpp can read", timeout_s=timeout_s,
        memory_mb=memory_mb + (stat.st_size >> 20),  # the header reader memory-maps the whole file
    )
    _CHECKED[key] = ModelInfo(**payload)
    return _CHECKED[key]


# -- registry ---------------------------------------------------------------------------------
def _registry_path() -> Path:
    return paths.data_dir() / REGISTRY_NAME


def _read_registry() -> list[dict[str, Any]]:
    file = _registry_path()
    if not file.exists():
        return []
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"the model list {file} is unreadable ({exc}); fix or delete it") from exc
    models = data.get("models", []) if isinstance(data, dict) else []
    return [m for m in models if isinstance(m, dict) and "name" in m and "path" in m]


def _write_registry(models: list[dict[str, Any]]) -> None:
    file = _registry_path()
    tmp = file.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"models": models}, indent=2), encoding="utf-8")
    os.replace(tmp, file)


def _catalogue_chat_entry() -> dict[str, Any]:
    """The embedded chat model from ``models/catalogue.json`` (EMBED helper), else the constants."""
    entry = dict(EMBEDDED_DEFAULT)
    file = paths.catalogue_dir() / "catalogue.json"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return entry
    items = data.get("models", data) if isinstance(data, dict) else data
    if isinstance(items, dict):
        items = [dict(v, name=v.get("name", k)) for k, v in items.items() if isinstance(v, dict)]
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        kind = str(item.get("kind") or item.get("role") or item.get("type") or "")
        filename = str(item.get("file") or item.get("filename") or "")
        if kind == "chat" or filename.endswith(".gguf"):
            for key in ("name", "size", "architecture", "context_length", "quantization"):
                if item.get(key):
                    entry[key] = item[key]
            if filename:
                entry["file"] = Path(filename).name
            break
    return entry


def embedded_model_info() -> ModelInfo:
    """The embedded default chat model (its file may not be assembled yet)."""
    from ragtune.core.embedded import bundled_chat_model

    e = _catalogue_chat_entry()
    location = bundled_chat_model() or paths.models_dir() / str(e["file"])
    return ModelInfo(
        name=str(e["name"]), path=str(location), size=int(e["size"]),
        architecture=str(e["architecture"]), context_length=int(e["context_length"]),
        quantization=str(e["quantization"]), embedded=True,
    )


def list_models() -> list[ModelInfo]:
    """The embedded default first, then the user's models in the order they were added."""
    models = [embedded_model_info()]
    for m in _read_registry():
        models.append(ModelInfo(
            name=str(m["name"]), path=str(m["path"]), size=int(m.get("size", 0)),
            architecture=str(m.get("architecture", "")), context_length=int(m.get("context_length", 0)),
            quantization=str(m.get("quantization", "")),
        ))
    return models


def _unique_name(stem: str, taken: set[str]) -> str:
    name, n = stem, 2
    while name.lower() in taken:
        name, n = f"{stem}-{n}", n + 1
    return name


def add_model(path: str | Path, name: str | None = None) -> ModelInfo:
    """Check ``path`` (see ``inspect_gguf``) and add it to the registry; re-adding updates it."""
    checked = inspect_gguf(path)
    models = _read_registry()
    previous = next((m for m in models if m["path"] == checked.path), None)
    taken = {str(m["name"]).lower() for m in models if m is not previous}
    taken.add(embedded_model_info().name.lower())
    if name and name.lower() in taken:
        raise ModelError(f"a model named {name} already exists; choose another name")
    final = name or (str(previous["name"]) if previous else _unique_name(Path(checked.path).stem, taken))
    entry: dict[str, Any] = {
        "name": final, "path": checked.path, "size": checked.size, "architecture": checked.architecture,
        "context_length": checked.context_length, "quantization": checked.quantization,
    }
    _write_registry([entry if m is previous else m for m in models] + ([] if previous else [entry]))
    return ModelInfo(**entry)


def remove_model(name: str) -> None:
    """Forget a user model (the file itself is left alone)."""
    if name.lower() == embedded_model_info().name.lower():
        raise ModelError(f"{name} is the embedded default model; it cannot be removed")
    models = _read_registry()
    kept = [m for m in models if str(m["name"]).lower() != name.lower()]
    if len(kept) == len(models):
        raise ModelError(f"no model named {name}", cli_hint="ragtune models lists them")
    _write_registry(kept)


def known_name(path: str | Path) -> tuple[str, bool] | None:
    """(name, embedded) under which ``path`` is listed, or None when it is not listed. A GGUF in
    ``paths.models_dir()`` with the embedded model's size counts as the embedded model."""
    target = Path(path).expanduser().resolve()
    embedded = embedded_model_info()
    try:
        in_models_dir = target.is_relative_to(paths.models_dir().resolve()) and (
            target.stat().st_size == embedded.size
        )
    except OSError:
        in_models_dir = False
    if in_models_dir or target == Path(embedded.path).resolve():
        return embedded.name, True
    for info in list_models()[1:]:
        if Path(info.path).expanduser().resolve() == target:
            return info.name, False
    return None


def resolve_model(name_or_path: str | None) -> Path:
    """The file to load: None/"" or the embedded name -> the embedded model (assembled on first use);
    a registered name -> its file; a path to a GGUF file -> that file, checked by ``inspect_gguf``."""
    if not name_or_path or name_or_path.lower() == embedded_model_info().name.lower():
        from ragtune.core.embedded import ensure_chat_model

        return Path(ensure_chat_model())
    for m in _read_registry():
        if str(m["name"]).lower() == name_or_path.lower():
            file = Path(str(m["path"]))
            if not file.is_file():
                raise ModelError(
                    f"the file of model {m['name']} is gone ({file}); add it again or remove it",
                    cli_hint=f"ragtune models remove {m['name']}",
                )
            return file
    file = Path(name_or_path).expanduser()
    if file.is_file():
        return Path(inspect_gguf(file).path)
    raise ModelError(f"no model named {name_or_path} and no such file", cli_hint="ragtune models lists them")
