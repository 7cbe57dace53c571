"""Make hostile GGUF files for tests (a helper, not a test): headers that claim more than the file
holds, and models whose chat template is an attack."""

from __future__ import annotations

import struct
from pathlib import Path

import gguf
import numpy as np

VOCABS = Path(__file__).resolve().parent / "data" / "chat_vocab"
#: the count an attacker writes: 2^63 - 1 metadata entries
CLAIMED = 2**63 - 1


def kv_bomb(path: Path, megabytes: int = 16, claimed: int = CLAIMED, general_type: str = "adapter") -> Path:
    """A GGUF v3 header that claims ``claimed`` metadata entries, followed by ``megabytes`` MB of
    real, tiny entries (one-letter key, uint8 value), after a valid ``general.type``: a reader that
    believes the count builds an object per entry until the file ends."""
    head = struct.pack("<4sIQQ", b"GGUF", 3, 0, claimed)
    key = b"general.type"
    kind = general_type.encode()
    first = struct.pack("<Q", len(key)) + key + struct.pack("<IQ", 8, len(kind)) + kind  # 8: STRING
    tiny = struct.pack("<Q", 1) + b"k" + struct.pack("<I", 0) + b"\x01"  # 0: UINT8
    path.write_bytes(head + first + tiny * ((megabytes << 20) // len(tiny)))
    return path


def tiny_chat_model(target: Path, template: str, vocab: str = "ggml-vocab-phi-3.gguf") -> Path:
    """A small GGUF chat model that ``models add`` takes (llama.cpp loads its vocabulary): one of
    llama.cpp's vocab-only test files (``tests/data/chat_vocab``) with ``template`` as its
    ``tokenizer.chat_template`` and one tiny tensor. It cannot answer: no weights."""
    reader = gguf.GGUFReader(str(VOCABS / vocab), "r")
    arch = str(reader.fields["general.architecture"].contents())
    writer = gguf.GGUFWriter(str(target), arch)
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key in ("general.architecture", "tokenizer.chat_template"):
            continue
        value_type = field.types[0]
        sub_type = field.types[-1] if value_type == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(key, field.contents(), value_type, sub_type=sub_type)
    writer.add_chat_template(template)
    writer.add_tensor("output_norm.weight", np.ones(8, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return target
