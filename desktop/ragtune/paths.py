"""Where Ragtune keeps its files: data, settings, logs, assembled models, and its own resources.

Every location comes from platformdirs, except that ``RAGTUNE_HOME`` (used by tests and by people
who want everything in one folder) moves all of them under one directory.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import platformdirs

from ragtune.errors import HomeFolderError

APP_NAME = "ragtune"
HOME_ENV = "RAGTUNE_HOME"


def _home() -> Path | None:
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser() if value else None


def _ensure(path: Path) -> Path:
    """``path``, created if needed; a folder that cannot be made (read-only file system, no
    permission, a file in the way) is a HomeFolderError that names it and ``RAGTUNE_HOME``."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HomeFolderError(_cannot_create(path, exc)) from exc
    return path


def _cannot_create(path: Path, exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    home = _home()
    if home is not None:
        where = (f"{HOME_ENV} is set to {home}; point it at a folder you can write to, for example "
                 f"{HOME_ENV}=~/ragtune, or unset it to use the usual folders.")
    else:
        where = (f"Make that folder writable, or set {HOME_ENV} to a folder you can write to "
                 f"(for example {HOME_ENV}=~/ragtune) to keep all of Ragtune's files there.")
    return f"Ragtune could not create its folder {path} ({reason}). {where}"


def data_dir() -> Path:
    """Directory for the library database and other user data."""
    home = _home()
    return _ensure(home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME)))


def config_dir() -> Path:
    """Directory for settings."""
    home = _home()
    return _ensure(home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME)))


def log_dir() -> Path:
    """Directory for log files."""
    home = _home()
    return _ensure(home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME)))


def models_dir() -> Path:
    """Directory for assembled embedded models and their verification stamps.
    ``RAGTUNE_MODELS_DIR`` moves it on its own (tests share one assembled copy per session)."""
    override = os.environ.get("RAGTUNE_MODELS_DIR", "").strip()
    return _ensure(Path(override).expanduser() if override else data_dir() / "models")


def downloaded_models_dir() -> Path:
    """Chat models downloaded from the catalogue (and their partial downloads, kept for resuming)."""
    return _ensure(data_dir() / "downloaded-models")


def database_path() -> Path:
    """The one SQLite file that holds every library."""
    return data_dir() / "library.sqlite3"


def log_path() -> Path:
    """The main log file (shown to the user in error messages)."""
    return log_dir() / "ragtune.log"


def _package_or_repo_dir(name: str) -> Path:
    """``resources/`` and ``models/`` ship inside the installed package; in a checkout they sit at
    the repository root."""
    packaged = Path(__file__).resolve().parent / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name


def resources_dir() -> Path:
    """Icons, styles, prompt templates and the sample library."""
    return _package_or_repo_dir("resources")


def catalogue_dir() -> Path:
    """The model catalogue and small model assets (tokenizer files)."""
    return _package_or_repo_dir("models")


def sample_library_dir() -> Path:
    """Documents of the sample library that a new user can ask about at once. In the bundled app
    a copy in the data folder: the bundle may move (macOS runs an unsigned app from a new random
    folder on every start), and a library whose source moved would show it as missing. The copy is
    made once per process, and again when a new version ships other files."""
    shipped = resources_dir() / "sample_library"
    if not getattr(sys, "frozen", False):
        return shipped
    copy = data_dir() / "sample-library"
    if copy not in _sample_copies:
        _sample_copies[copy] = _refreshed_copy(shipped, copy)
    return _sample_copies[copy]


_sample_copies: dict[Path, Path] = {}


def _refreshed_copy(shipped: Path, copy: Path) -> Path:
    """``copy`` holding what ``shipped`` holds (same names and sizes); ``shipped`` itself when the
    copy cannot be made (a full or read-only disk: indexed where it lies)."""

    def listing(folder: Path) -> list[tuple[str, int]]:
        return sorted((p.name, p.stat().st_size) for p in folder.iterdir() if p.is_file())

    partial = copy.with_name(copy.name + ".partial")
    try:
        if copy.is_dir() and listing(copy) == listing(shipped):
            return copy
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(shipped, partial)
        shutil.rmtree(copy, ignore_errors=True)
        os.replace(partial, copy)
    except OSError:
        return shipped
    return copy


def sample_questions_dir() -> Path:
    """The sample library's written question set and the questions suggested in an empty chat:
    beside the library, not in it (Ragtune reads JSON files as documents)."""
    return resources_dir() / "sample_questions"


def adapters_dir() -> Path:
    """LoRA adapters trained here (``ragtune train``, the Fine-tune panel)."""
    return _ensure(data_dir() / "adapters")


def training_dir(name: str) -> Path:
    """The work folder of the training run that makes adapter ``name``: its training set and its
    checkpoint (a killed run resumes from it)."""
    return _ensure(data_dir() / "training" / name)


def shipped_adapters_dir() -> Path:
    """Adapters that ship with Ragtune (made for the embedded model)."""
    return resources_dir() / "adapters"
