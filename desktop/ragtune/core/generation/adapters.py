"""LoRA adapters: check a GGUF adapter against a model, and keep native adapter handles for hot-swap.

``validate_adapter`` repeats, in Python and with plain messages, every check llama.cpp's
``llama_adapter_lora_init`` makes (and the metadata types it asserts on, which would otherwise
abort the process), so a wrong file is refused before any native code touches it; it also refuses
NaN or infinite values (alpha or any tensor), which llama.cpp would take and answer garbage with.
It reads the file in a child process with a time limit and a memory cap (``core.sandbox``).

``AdapterSet`` loads each file once with ``llama_adapter_lora_init``, applies any set with any
strengths with ``llama_set_adapters_lora`` (hot: the model is never reloaded), and frees files with
``llama_adapter_lora_free``; a failed change leaves the applied set exactly as it was.
Shapes follow numpy order (see gguf_info): base (out, in), ``lora_a`` (rank, in), ``lora_b`` (out, rank).
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ragtune.core.answer_types import AdapterInfo, AdapterSpec, ModelInfo, check_strength
from ragtune.core.generation import llama_log
from ragtune.core.generation.gguf_info import GGUFError, GGUFInfo, read_gguf
from ragtune.core.generation.tensor_values import nonfinite
from ragtune.errors import AdapterError, AdapterMismatch

ACCEPTED_TENSOR_TYPES = frozenset({"F32", "F16", "BF16", "Q8_0"})
_STRING_KEYS = ("general.type", "general.architecture", "adapter.type")
_CHECKED: dict[tuple[str, int, int, str, int], AdapterInfo] = {}  # adapters that passed, per process


def _model_gguf(model: str | Path | GGUFInfo | ModelInfo) -> GGUFInfo:
    if isinstance(model, GGUFInfo):
        return model
    path = model.path if isinstance(model, ModelInfo) else model
    try:
        return read_gguf(path)
    except GGUFError as exc:
        raise AdapterError(f"cannot check the adapter: the model file is unreadable ({exc})") from exc


def _check_metadata(info: GGUFInfo, name: str, model: GGUFInfo) -> float:
    for key in _STRING_KEYS:
        kind = info.metadata_types.get(key)
        if kind is not None and kind != "STRING":
            raise AdapterError(f"{name}: metadata {key} must be a string, found {kind}")
    if info.general_type != "adapter":
        if info.general_type == "model":
            raise AdapterError(f"{name} is a model file, not a LoRA adapter (general.type is 'model')")
        raise AdapterError(f"{name} is not a LoRA adapter (general.type is '{info.general_type}')")
    adapter_type = str(info.metadata.get("adapter.type", ""))
    if adapter_type != "lora":
        shown = adapter_type or "missing"
        raise AdapterError(f"{name}: adapter type is {shown}; only LoRA adapters are supported")
    if not info.architecture:
        raise AdapterError(f"{name}: the file does not say which architecture it was made for")
    if info.architecture != model.architecture:
        raise AdapterMismatch(
            f"{name} was made for {info.architecture}, the loaded model is {model.architecture}"
        )
    alpha_type = info.metadata_types.get("adapter.lora.alpha")
    if alpha_type is not None and alpha_type != "FLOAT32":
        raise AdapterError(f"{name}: adapter.lora.alpha must be a float32, found {alpha_type}")
    alpha = info.metadata.get("adapter.lora.alpha", 0.0)
    value = float(alpha) if isinstance(alpha, int | float) else 0.0
    if not math.isfinite(value):
        raise AdapterError(f"{name}: adapter.lora.alpha is {value}, not a usable number (a broken file?)")
    return value


def _check_values(path: Path, info: GGUFInfo, name: str) -> None:
    try:
        found = nonfinite(path, info)
    except (OSError, ValueError) as exc:
        raise AdapterError(f"{name} could not be read to the end: {exc}") from exc
    if found:
        tensor, problem = found
        raise AdapterError(
            f"{name}: tensor {tensor} holds {problem} values; the adapter is broken "
            "(a diverged training run or a bad conversion?) and would only produce garbage"
        )


def _pairs(info: GGUFInfo, name: str) -> dict[str, dict[str, tuple[int, ...]]]:
    pairs: dict[str, dict[str, tuple[int, ...]]] = {}
    for tensor, shape in info.tensors.items():
        for suffix in (".lora_a", ".lora_b"):
            if tensor.endswith(suffix):
                pairs.setdefault(tensor[: -len(suffix)], {})[suffix[1:]] = shape
                break
        else:
            if not tensor.endswith("_norm.weight"):  # llama.cpp ignores norm vectors, refuses the rest
                raise AdapterError(f"{name}: tensor {tensor} is not a LoRA tensor (.lora_a / .lora_b)")
        kind = info.tensor_types.get(tensor, "")
        if kind not in ACCEPTED_TENSOR_TYPES:
            raise AdapterError(f"{name}: tensor {tensor} has type {kind}, which LoRA loading does not take")
    if not pairs:
        raise AdapterError(f"{name} contains no LoRA tensors")
    return pairs


def _check_pair(base: str, pair: dict[str, tuple[int, ...]], model: GGUFInfo) -> None:
    missing = {"lora_a", "lora_b"} - pair.keys()
    if missing:
        raise AdapterError(f"tensor {base}: the adapter has no {missing.pop()} for it")
    if base not in model.tensors:
        raise AdapterMismatch(f"tensor {base}: the model has no such tensor (made for another model?)")
    a, b, w = pair["lora_a"], pair["lora_b"], model.tensors[base]
    if len(a) != 2 or len(b) != 2 or len(w) != 2:
        raise AdapterError(f"tensor {base}: LoRA tensors must be 2-D matrices for a 2-D weight")
    if base.endswith("token_embd.weight"):
        # llama.cpp applies embedding LoRAs with A and B swapped (see llm_build_inp_embd)
        (a_rows, _), (b_rows, _), (w_rows, w_cols) = a, b, w
        if b_rows != w_cols or a_rows != w_rows:
            raise AdapterError(
                f"tensor {base}: adapter shapes {a} and {b} do not fit the model's {w}"
            )
        return
    (rank_a, a_cols), (b_rows, rank_b), (w_rows, w_cols) = a, b, w
    if a_cols != w_cols:
        raise AdapterMismatch(f"tensor {base}: adapter expects {a_cols} columns, model has {w_cols}")
    if b_rows != w_rows:
        raise AdapterMismatch(f"tensor {base}: adapter expects {b_rows} rows, model has {w_rows}")
    if rank_a != rank_b:
        raise AdapterError(
            f"tensor {base}: lora_a has rank {rank_a} but lora_b has rank {rank_b} "
            "(lora_a may be stored transposed)"
        )


def _validate_here(path: Path, model_info: GGUFInfo) -> AdapterInfo:
    """Every check of ``validate_adapter``, in this process (the sandbox's child runs it)."""
    name = path.name
    try:
        info = read_gguf(path)
    except GGUFError as exc:
        raise AdapterError(f"{name} is not a usable adapter: {exc}") from None
    alpha = _check_metadata(info, name, model_info)
    pairs = _pairs(info, name)
    for base, pair in sorted(pairs.items()):
        _check_pair(base, pair, model_info)
    _check_values(path, info, name)
    return AdapterInfo(
        path=str(path.resolve()),
        name=str(info.metadata.get("general.name") or path.stem),
        architecture=info.architecture,
        alpha=alpha,
        tensors=len(pairs),
    )


def validate_adapter(path: str | Path, model: str | Path | GGUFInfo | ModelInfo) -> AdapterInfo:
    """Check that ``path`` is a LoRA adapter that fits ``model``; AdapterError says what does not.
    The adapter is read in a child process with a time limit and a memory cap (``core.sandbox``):
    a hostile file cannot take this process's memory or time. A file checked before (same size and
    modification time, same model) is not checked again."""
    from ragtune.core.sandbox import run_isolated

    path = Path(path)
    if not path.is_file():
        raise AdapterError(f"adapter file not found: {path}")
    model_info = _model_gguf(model)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, model_info.path, model_info.size)
    if key not in _CHECKED:
        _CHECKED[key] = run_isolated(
            _validate_here, path, model_info, what=f"checking {path.name}", error=AdapterError,
            hint="the file is corrupt or not a LoRA adapter", timeout_s=120.0,
            memory_mb=1024 + (stat.st_size >> 20),  # the adapter is memory-mapped to check its values
        )
    return _CHECKED[key]


@dataclass
class _Loaded:
    handle: Any  # llama_adapter_lora_p
    info: AdapterInfo
    signature: tuple[int, int]  # (size, mtime_ns) of the file when it was loaded


def _signature(path: str) -> tuple[int, int]:
    st = Path(path).stat()
    return st.st_size, st.st_mtime_ns


def _free(handles: Iterable[Any]) -> None:
    import llama_cpp

    for handle in handles:
        if handle:
            llama_cpp.llama_adapter_lora_free(handle)


class AdapterSet:
    """The LoRA adapters of one model and context: each file loaded once with
    ``llama_adapter_lora_init`` and kept until removed; any set applied with
    ``llama_set_adapters_lora``. Every change is all-or-nothing."""

    def __init__(self, model_ptr: Any, ctx_ptr: Any, model_info: GGUFInfo) -> None:
        self._model_ptr = model_ptr
        self._ctx_ptr = ctx_ptr
        self._model_info = model_info
        self._loaded: dict[str, _Loaded] = {}
        self.active: list[tuple[str, float]] = []  # (resolved path, strength), in the given order

    def loaded(self) -> list[AdapterInfo]:
        return [loaded.info for loaded in self._loaded.values()]

    def _is_current(self, path: str) -> bool:
        loaded = self._loaded.get(path)
        if loaded is None:
            return False
        try:
            return loaded.signature == _signature(path)
        except OSError:
            return True  # the file went away; the loaded copy still works

    def _load(self, path: str) -> _Loaded:
        import llama_cpp

        info = validate_adapter(path, self._model_info)
        signature = _signature(path)
        llama_log.clear()
        handle = llama_cpp.llama_adapter_lora_init(self._model_ptr, path.encode("utf-8"))
        if not handle:
            raise AdapterError(f"{Path(path).name}: {llama_log.last_error('llama.cpp could not load it')}")
        return _Loaded(handle, info, signature)

    def _apply(self, handles: list[Any], scales: list[float]) -> None:
        import llama_cpp

        n = len(handles)
        array = (llama_cpp.llama_adapter_lora_p_ctypes * n)(*handles) if n else None
        strengths = (ctypes.c_float * n)(*scales) if n else None
        llama_log.clear()
        if llama_cpp.llama_set_adapters_lora(self._ctx_ptr, array, n, strengths) != 0:
            raise AdapterError(f"llama.cpp refused the adapter set: {llama_log.last_error('no reason given')}")

    def set(self, specs: Sequence[AdapterSpec]) -> bool:
        """Apply exactly ``specs`` (strength 0 = left out). True when the applied set changed.
        A strength outside ``check_strength``'s range is refused before anything changes."""
        wanted: list[tuple[str, float]] = []
        for spec in specs:
            path = str(Path(spec.path).expanduser().resolve())
            scale = check_strength(spec.scale, Path(path).name)  # NaN, infinity, out of range
            if any(path == p for p, _ in wanted):
                raise AdapterError(f"{Path(path).name} is listed twice; give each adapter once")
            if scale != 0.0:
                wanted.append((path, scale))
        if wanted == self.active and all(self._is_current(p) for p, _ in wanted):
            return False
        fresh: dict[str, _Loaded] = {}
        try:
            for path, _ in wanted:
                if not self._is_current(path):
                    fresh[path] = self._load(path)
            handles = [(fresh.get(p) or self._loaded[p]).handle for p, _ in wanted]
        except Exception:
            _free(loaded.handle for loaded in fresh.values())
            raise
        try:
            self._apply(handles, [s for _, s in wanted])
        except AdapterError:
            self._apply([self._loaded[p].handle for p, _ in self.active], [s for _, s in self.active])
            _free(loaded.handle for loaded in fresh.values())
            raise
        replaced = [self._loaded[p].handle for p in fresh if p in self._loaded]
        self._loaded.update(fresh)
        self.active = wanted
        _free(replaced)  # stale copies of changed files, no longer applied
        return True

    def remove(self, path: str | Path) -> bool:
        """Stop applying ``path`` and free it. True when the applied set changed."""
        key = str(Path(path).expanduser().resolve())
        changed = False
        if any(p == key for p, _ in self.active):
            self._apply([self._loaded[p].handle for p, _ in self.active if p != key],
                        [s for p, s in self.active if p != key])
            self.active = [(p, s) for p, s in self.active if p != key]
            changed = True
        loaded = self._loaded.pop(key, None)
        _free([loaded.handle] if loaded else [])
        return changed

    def close(self) -> None:
        """Detach every adapter from the context and free them (before the model is freed)."""
        if self.active:
            self._apply([], [])
            self.active = []
        _free(loaded.handle for loaded in self._loaded.values())
        self._loaded.clear()
