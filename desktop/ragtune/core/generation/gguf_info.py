"""Read a GGUF file's metadata and tensor table (names, shapes, types) with the ``gguf`` package.

``gguf.GGUFReader`` memory-maps the file and builds one numpy view per array element, which takes
seconds on a chat model's 150k-entry vocabulary. ``_FastReader`` keeps the reader but reads scalar
arrays as one view and skips over string arrays, so only what Ragtune needs is decoded: a 0.5B
model's header reads in a fraction of a second. Tensor data is never read; ``tensor_data`` says where
each tensor's bytes are, for callers that check them.

Shapes in ``GGUFInfo.tensors`` are in numpy order (GGUF's ``ne`` reversed): a weight is
``(out_features, in_features)``, a LoRA ``lora_a`` is ``(rank, in)`` and ``lora_b`` ``(out, rank)``.
"""

from __future__ import annotations

import collections
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ragtune.errors import ModelError

GGUF_MAGIC = b"GGUF"
_HEADER = struct.Struct("<4sIQQ")  # magic, version, tensor count, metadata entry count (v2, v3)
#: the fewest bytes one metadata entry (key length, type, a 1-byte value) or one tensor entry
#: (name length, dimension count, one dimension, type, offset) can take in a file
_MIN_KV_BYTES, _MIN_TENSOR_BYTES = 8 + 4 + 1, 8 + 4 + 8 + 4 + 8
#: more entries than any real file has (a few dozen metadata entries, a few thousand tensors);
#: the reader keeps objects per entry, so a file of millions of tiny ones would take gigabytes
MAX_ENTRIES = 1 << 16
_PAST_END = ("past the end", "reshape", "larger dtype", "out of bounds")
_SMALL_STRING_ARRAY = 64  # string arrays up to this length are decoded; longer ones are counted


class GGUFError(ModelError):
    """The file is not a readable GGUF file (wrong signature, truncated, malformed header)."""


@dataclass(frozen=True)
class GGUFInfo:
    """What a GGUF file says about itself."""

    path: str
    size: int
    version: int
    general_type: str  # "model", "adapter", "mmproj", ... ("model" when the key is missing)
    architecture: str
    name: str
    context_length: int
    file_type: int | None
    quantization: str
    metadata: dict[str, Any] = field(default_factory=dict)
    metadata_types: dict[str, str] = field(default_factory=dict)  # "STRING", "FLOAT32", "ARRAY[INT32]"
    tensors: dict[str, tuple[int, ...]] = field(default_factory=dict)  # numpy order (out, in)
    tensor_types: dict[str, str] = field(default_factory=dict)
    tensor_data: dict[str, tuple[int, int]] = field(default_factory=dict)  # (file offset, bytes)
    data_end: int = 0  # where the last tensor's data ends; > size means the file is truncated


def _load_gguf() -> Any:
    import gguf

    return gguf


def _make_reader_class() -> type:
    gguf = _load_gguf()
    vtype = gguf.GGUFValueType

    class _FastReader(gguf.GGUFReader):  # type: ignore[misc,name-defined,unused-ignore]
        """GGUFReader that reads scalar arrays as one view and only counts long string arrays."""

        def _get_field_parts(self, orig_offs: int, raw_type: int) -> tuple[int, list[Any], list[int], list[Any]]:
            if vtype(raw_type) != vtype.ARRAY:
                return super()._get_field_parts(orig_offs, raw_type)  # type: ignore[no-any-return,unused-ignore]
            offs = orig_offs
            raw_itype = self._get(offs, np.uint32)
            offs += int(raw_itype.nbytes)
            alen = self._get(offs, np.uint64)
            offs += int(alen.nbytes)
            itype = vtype(int(raw_itype[0]))
            count = int(alen[0])
            if itype == vtype.ARRAY:
                raise GGUFError("not a valid GGUF file: a metadata array holds arrays, which llama.cpp refuses")
            nptype = self.gguf_scalar_to_np.get(itype)
            if nptype is not None:
                values = self._get(offs, nptype, count)
                if len(values) != count:
                    raise ValueError("array runs past the end of the file")
                return offs + int(values.nbytes) - orig_offs, [raw_itype, alen, values], [2], [vtype.ARRAY, itype]
            if itype == vtype.STRING and count > _SMALL_STRING_ARRAY:
                end = _skip_strings(self.data, offs, count)
                blob = self.data[offs:end]
                return end - orig_offs, [raw_itype, alen, blob], [], [vtype.ARRAY, itype]
            return super()._get_field_parts(orig_offs, raw_type)  # type: ignore[no-any-return,unused-ignore]

        def _build_tensors(self, start_offs: int, fields: list[Any]) -> None:
            """Tensor table only: no views of tensor data (a truncated file is reported, not hit)."""
            tensors, names = [], set()
            for fld in fields:
                _len, name_data, _n_dims, dims, raw_dtype, offset_tensor = fld.parts
                name = str(bytes(name_data), encoding="utf-8")
                if name in names:
                    raise ValueError(f"tensor {name} appears twice")
                names.add(name)
                ggml_type = gguf.GGMLQuantizationType(int(raw_dtype[0]))
                n_elems = int(np.prod(dims, dtype=object)) if len(dims) else 1
                block_size, type_size = gguf.GGML_QUANT_SIZES[ggml_type]
                tensors.append(gguf.ReaderTensor(
                    name=name, tensor_type=ggml_type, shape=dims, n_elements=n_elems,
                    n_bytes=n_elems * type_size // block_size,
                    data_offset=int(start_offs + int(offset_tensor[0])),
                    data=np.empty(0, dtype=np.uint8), field=fld,
                ))
            self.tensors = tensors

    return _FastReader


_READER: type | None = None


def _skip_strings(data: Any, offs: int, count: int) -> int:
    """Offset just past ``count`` length-prefixed strings starting at ``offs``."""
    buf = memoryview(data)
    size = len(buf)
    unpack = struct.Struct("<Q").unpack_from
    for _ in range(count):
        if offs + 8 > size:
            raise ValueError("string array runs past the end of the file")
        (length,) = unpack(buf, offs)
        offs += 8 + length
    if offs > size:
        raise ValueError("string array runs past the end of the file")
    return offs


def _field_value(field: Any) -> Any:
    types = list(field.types)
    if not types:
        return None
    gguf = _load_gguf()
    if types[0] == gguf.GGUFValueType.ARRAY:
        if not field.data:  # a long string array: keep its length only
            return {"array_of": "string", "length": int(field.parts[-2][0])}
        values = field.contents()
        if len(values) > _SMALL_STRING_ARRAY:
            return {"array_of": types[-1].name.lower(), "length": len(values)}
        return values
    return field.contents()


def _type_name(types: list[Any]) -> str:
    if not types:
        return ""
    if len(types) > 1:
        return f"{types[0].name}[{types[-1].name}]"
    return str(types[0].name)


def _quantization(gguf: Any, file_type: int | None, tensor_types: dict[str, str]) -> str:
    if file_type is not None:
        try:
            return str(gguf.LlamaFileType(file_type).name).removeprefix("MOSTLY_")
        except ValueError:
            pass
    weights = [t for name, t in tensor_types.items() if name.endswith(".weight")]
    if not weights:
        return "unknown"
    return collections.Counter(weights).most_common(1)[0][0]


def read_gguf(path: str | Path) -> GGUFInfo:
    """Read the header of a GGUF file. Raises GGUFError with a plain reason when it is not one."""
    global _READER
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise GGUFError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if head[:4] != GGUF_MAGIC:
        raise GGUFError(f"not a GGUF file: {path.name} does not start with the GGUF signature")
    if len(head) < 8:
        raise GGUFError(f"truncated: {path.name} ends inside its GGUF header ({size} bytes)")
    _check_counts(path, size)
    gguf = _load_gguf()
    if _READER is None:
        _READER = _make_reader_class()
    try:
        reader = _READER(str(path), "r")
    except GGUFError:
        raise
    except (ValueError, IndexError, KeyError, OverflowError, TypeError, MemoryError) as exc:
        raise GGUFError(_header_problem(path, size, exc)) from exc

    metadata: dict[str, Any] = {}
    metadata_types: dict[str, str] = {}
    for key, fld in reader.fields.items():
        if not key.startswith("GGUF."):
            metadata[key] = _field_value(fld)
            metadata_types[key] = _type_name(fld.types)
    tensors: dict[str, tuple[int, ...]] = {}
    tensor_types: dict[str, str] = {}
    tensor_data: dict[str, tuple[int, int]] = {}
    data_end = int(reader.data_offset) if reader.tensors else min(int(reader.data_offset), size)  # no tensors: no padding needed
    for tensor in reader.tensors:
        tensors[tensor.name] = tuple(int(d) for d in reversed(tensor.shape.tolist()))
        tensor_types[tensor.name] = tensor.tensor_type.name
        tensor_data[tensor.name] = (int(tensor.data_offset), int(tensor.n_bytes))
        data_end = max(data_end, int(tensor.data_offset) + int(tensor.n_bytes))
    if data_end > size:
        raise GGUFError(
            f"truncated: {path.name} has {size:,} bytes but its tensors need {data_end:,} "
            "(an incomplete download or copy?)"
        )
    arch = str(metadata.get("general.architecture", "") or "")
    raw_ft = metadata.get("general.file_type")
    file_type = int(raw_ft) if isinstance(raw_ft, int) else None
    ctx = metadata.get(f"{arch}.context_length", 0) if arch else 0
    version = int(reader.fields["GGUF.version"].parts[0][0])
    return GGUFInfo(
        path=str(path),
        size=size,
        version=version,
        general_type=str(metadata.get("general.type", "model") or "model"),
        architecture=arch,
        name=str(metadata.get("general.name", "") or path.stem),
        context_length=int(ctx) if isinstance(ctx, int) else 0,
        file_type=file_type,
        quantization=_quantization(gguf, file_type, tensor_types),
        metadata=metadata,
        metadata_types=metadata_types,
        tensors=tensors,
        tensor_types=tensor_types,
        tensor_data=tensor_data,
        data_end=data_end,
    )


def _size_words(size: int) -> str:
    if size >= 1 << 20:
        return f"{size / (1 << 20):.0f} MB"
    return f"{size / 1024:.0f} KB" if size >= 1 << 10 else f"{size} bytes"


def _check_counts(path: Path, size: int) -> None:
    """Refuse a header whose entry counts the file cannot hold, before the reader allocates for them
    (a count of N entries needs at least N times the smallest entry)."""
    with path.open("rb") as f:
        head = f.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise GGUFError(f"truncated: {path.name} ends inside its GGUF header ({size} bytes)")
    _magic, version, n_tensors, n_kv = _HEADER.unpack(head)
    if version & 0xFFFF == 0:  # a big-endian file: the reader swaps, so do we
        _magic, version, n_tensors, n_kv = struct.unpack(">4sIQQ", head)
    if version not in (2, 3):
        return  # the reader refuses other versions with its own message
    room = size - _HEADER.size
    for count, least, what in ((n_kv, _MIN_KV_BYTES, "metadata entries"), (n_tensors, _MIN_TENSOR_BYTES, "tensors")):
        if count * least > room:
            raise GGUFError(
                f"{path.name} claims {count} {what} but the file is only {_size_words(size)}: "
                "not a valid GGUF file"
            )
        if count > MAX_ENTRIES:
            raise GGUFError(
                f"{path.name} claims {count:,} {what}, more than any real model or adapter has "
                f"(at most {MAX_ENTRIES:,} are read): not a valid GGUF file"
            )


def _header_problem(path: Path, size: int, exc: BaseException) -> str:
    text = str(exc)
    if "version" in text:
        return f"not a valid GGUF file (corrupt?): {path.name}: {text}"
    if isinstance(exc, IndexError | OverflowError) or any(m in text for m in _PAST_END):
        return f"truncated or corrupt: {path.name} ends ({size:,} bytes) before its GGUF header says it should"
    return f"corrupt GGUF header in {path.name}: {text or type(exc).__name__}"
