"""The model catalogue (``models/catalogue.json``): the chat models Ragtune recommends, from the
embedded 0.5B model to 7B, and the embedding models it can use, with what each needs.

``assess`` picks the model for this machine from the memory actually present: with a GPU whose
free memory holds the model, the largest that fits there; on the CPU alone, the largest that fits in
half the RAM and in ``CPU_MAX_GB`` (bigger models answer too slowly without a GPU to be the default
advice). "Largest" is by parameters (rounded to whole billions, so 3.8B and 4B are one size); of one
size the newest release wins (a newer family answers better at the same cost). Every other model
that fits is marked as such; those that do not say what they need.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from ragtune import paths
from ragtune.core.machine import Machine
from ragtune.errors import ModelError

CATALOGUE_FILE = "catalogue.json"
#: on the CPU alone, recommend nothing that needs more memory than this (answers get too slow)
CPU_MAX_GB = 3.5
#: memory left to the system and to Ragtune itself when judging what fits
HEADROOM_GB = 2.0


@dataclass(frozen=True)
class CatalogueEntry:
    """One model of the catalogue."""

    name: str
    kind: str  # "chat" or "embedding"
    file: str
    size: int
    sha256: str | None = None
    embedded: bool = False
    repo: str = ""  # Hugging Face repository (downloadable models)
    revision: str = "main"
    architecture: str = ""
    context_length: int = 0
    quantization: str = ""
    memory_gb: float = 0.0
    license: str = ""
    notes: str = ""
    parameters_b: float = 0.0  # billions of parameters (chat models)
    released: str = ""  # year-month, "2025-04"
    scifact_ndcg10: float | None = None  # embedding models: SciFact nDCG@10 (source below)
    chunks_per_s: float | None = None  # embedding models: indexing speed on 2 cores
    # embedding models only:
    model_id: str = ""  # the id a library records for its vectors
    fastembed_name: str = ""  # fastembed's name for it (pooling and files follow fastembed's rules)
    dimension: int = 0
    max_tokens: int = 0
    languages: str = ""  # "English", "about 50 languages"
    files: tuple[str, ...] = ()  # paths in ``repo`` to download (the model first)
    optional_files: tuple[str, ...] = ()  # downloaded when the repository has them
    query_prefix: str = ""  # put before a question (some models are trained with one)
    passage_prefix: str = ""  # put before a passage
    scifact_source: str = ""  # where ``scifact_ndcg10`` comes from
    multilingual: bool = False

    @property
    def downloadable(self) -> bool:
        return bool(self.repo) and not self.embedded


@dataclass(frozen=True)
class Fit:
    """How a catalogue model fits this machine."""

    entry: CatalogueEntry
    fits: bool
    recommended: bool
    on_gpu: bool
    reason: str  # one line a person can read ("needs 6 GB, this machine has 4 GB")
    trainable: bool | None = None  # whether Ragtune's trainer loads its architecture (None: unknown)

    @property
    def adapters_text(self) -> str:
        """What the trainer can do for this model, in words ("" when the training extra is missing)."""
        if self.trainable is None:
            return ""
        if self.trainable:
            return "Ragtune's trainer can make adapters for it"
        return (f"Ragtune's trainer cannot load {self.entry.architecture} models (adapters trained "
                "elsewhere still load)")


_REPO = re.compile(r"^[\w.-]+/[\w.-]+$")


def _entry(item: dict[str, Any]) -> CatalogueEntry:
    return safe_entry(_read_entry(item))


def safe_entry(entry: CatalogueEntry) -> CatalogueEntry:
    """``entry``, refused when its file names or repository could reach outside their folders."""
    file = entry.file
    if PurePath(file).name != file or file.startswith(".") or "\\" in file or (
        entry.repo and not _REPO.match(entry.repo)
    ) or not all(safe_repo_path(f) for f in entry.files + entry.optional_files) or (
        entry.model_id and not (_REPO.match(entry.model_id) and ".." not in entry.model_id)
    ):
        raise ModelError(f"the model catalogue names an unsafe file or repository ({entry.repo}/{file}): reinstall Ragtune")
    return entry


def safe_repo_path(path: str) -> bool:
    """Whether ``path`` is a plain relative path inside a repository ("onnx/model.onnx")."""
    parts = path.split("/")
    return bool(path) and "\\" not in path and ":" not in path and all(
        part and not part.startswith(".") for part in parts
    )


def _read_entry(item: dict[str, Any]) -> CatalogueEntry:
    try:
        return CatalogueEntry(
            name=str(item["name"]), kind=str(item["kind"]), file=str(item["file"]),
            size=int(item.get("size") or 0), sha256=item.get("sha256") or None,
            embedded=bool(item.get("embedded")), repo=str(item.get("repo") or ""),
            revision=str(item.get("revision") or "main"),
            architecture=str(item.get("architecture") or ""),
            context_length=int(item.get("context_length") or 0),
            quantization=str(item.get("quantization") or ""),
            memory_gb=float(item.get("memory_gb") or 0.0), license=str(item.get("license") or ""),
            notes=str(item.get("notes") or ""),
            parameters_b=float(item.get("parameters_b") or 0.0), released=str(item.get("released") or ""),
            scifact_ndcg10=(float(item["scifact_ndcg10"]) if item.get("scifact_ndcg10") else None),
            chunks_per_s=(float(item["chunks_per_s"]) if item.get("chunks_per_s") else None),
            model_id=str(item.get("model_id") or ""), fastembed_name=str(item.get("fastembed_name") or ""),
            dimension=int(item.get("dimension") or 0), max_tokens=int(item.get("max_tokens") or 0),
            languages=str(item.get("languages") or ""),
            files=tuple(str(f) for f in item.get("files") or ()),
            optional_files=tuple(str(f) for f in item.get("optional_files") or ()),
            query_prefix=str(item.get("query_prefix") or ""), passage_prefix=str(item.get("passage_prefix") or ""),
            scifact_source=str(item.get("scifact_source") or ""), multilingual=bool(item.get("multilingual")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"the model catalogue has a broken entry ({exc}): reinstall Ragtune") from exc


def load_catalogue() -> list[CatalogueEntry]:
    """Every model of the catalogue, in its order (small to large)."""
    file = paths.catalogue_dir() / CATALOGUE_FILE
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"the model catalogue {file} is unreadable ({exc}): reinstall Ragtune") from exc
    items = data.get("models", []) if isinstance(data, dict) else []
    return [_entry(item) for item in items if isinstance(item, dict)]


def chat_models() -> list[CatalogueEntry]:
    return [e for e in load_catalogue() if e.kind == "chat"]


def embedding_models() -> list[CatalogueEntry]:
    return [e for e in load_catalogue() if e.kind == "embedding"]


def find_embedder(name: str) -> CatalogueEntry:
    """The embedding model called ``name`` or recorded as ``name`` (case does not matter)."""
    for entry in embedding_models():
        if embedder_called(entry, name):
            return entry
    names = ", ".join(e.name for e in embedding_models())
    raise ModelError(f"the catalogue has no embedding model named {name!r}; it has: {names}")


def embedder_called(entry: CatalogueEntry, name: str) -> bool:
    """Whether a person naming ``name`` means ``entry``: its name with or without the part in
    brackets, its model id, or the model id's last part ("bge-small-en-v1.5")."""
    wanted = name.strip().lower()
    names = {entry.name, entry.name.split(" (")[0], entry.model_id, entry.model_id.rsplit("/", 1)[-1],
             entry.fastembed_name}
    return wanted in {n.lower() for n in names if n}


def find_entry(name: str) -> CatalogueEntry:
    """The chat model called ``name`` (case does not matter)."""
    for entry in chat_models():
        if entry.name.lower() == name.lower():
            return entry
    names = ", ".join(e.name for e in chat_models() if e.downloadable)
    raise ModelError(f"the catalogue has no model named {name!r}; it has: {names}")


def _gb(n_bytes: int) -> float:
    return n_bytes / 1e9  # decimal GB, as format_size writes them


def _rank(entry: CatalogueEntry) -> tuple[int, str]:
    """How strongly a fitting model is recommended: its size (whole billions), then its release."""
    return math.floor(entry.parameters_b + 0.5), entry.released  # 2.5B is a 3B model, as people say


def assess(entries: list[CatalogueEntry], machine: Machine,
           trainable: frozenset[str] | None = None) -> list[Fit]:
    """How each chat model fits ``machine``; exactly one fitting model is marked recommended.
    ``trainable``: the architectures the trainer loads (``train_fit.trainable_architectures``)."""
    ram = _gb(machine.ram_bytes)
    vram = _gb(machine.gpu_free_bytes) if machine.gpu_name else 0.0
    fits: list[Fit] = []
    best: CatalogueEntry | None = None
    for e in entries:
        on_gpu = vram > 0 and e.memory_gb <= vram * 0.9
        in_ram = e.memory_gb <= ram - HEADROOM_GB
        if on_gpu:
            reason = f"fits the GPU ({e.memory_gb:g} GB of {vram:.0f} GB free)"
        elif in_ram:
            reason = f"fits in memory ({e.memory_gb:g} GB of {ram:.0f} GB)" + (
                "; slow on the CPU alone" if e.memory_gb > CPU_MAX_GB else ""
            )
        else:
            reason = f"needs {e.memory_gb:g} GB of memory; this machine has {ram:.0f} GB"
        if (on_gpu or (in_ram and e.memory_gb <= min(CPU_MAX_GB, ram / 2))) and (
            best is None or _rank(e) > _rank(best)  # a tie keeps the earlier
        ):
            best = e
        fits.append(Fit(e, on_gpu or in_ram, False, on_gpu, reason,
                        None if trainable is None else e.architecture in trainable))
    return [
        Fit(f.entry, f.fits, f.entry is best, f.on_gpu, f.reason + (", recommended" if f.entry is best else ""),
            f.trainable)
        for f in fits
    ]
