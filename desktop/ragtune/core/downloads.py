"""Download a catalogue model's files from the Hugging Face hub, only when a person asks.

The transfer is ``huggingface_hub``'s: ``get_hf_file_metadata`` (HEAD: the exact size, the ETag,
which for a hub file stored in LFS is its SHA-256, redirects followed) and ``http_get`` (streaming,
a ``Range`` request to resume, retries when a connection drops mid-transfer). ``HF_ENDPOINT`` points
it at another server (the tests run one on 127.0.0.1). What Ragtune adds is what a desktop app needs
around it:

- the partial file is kept in ``paths.downloaded_models_dir()`` as ``FILE.part`` (with the ETag it
  belongs to beside it), so a cancelled, failed or killed download resumes where it stopped, also
  after a restart; a changed file on the server starts over;
- free disk space is checked before the first byte;
- progress (bytes, rate, time left) and Stop between 1 MB blocks (the client's block size, which
  it reads at each call, is lowered from 10 MB for the time of the download);
- the file is verified before it is first used: against the catalogue's pinned SHA-256, else what
  the hub reports (the SHA-256 of a file stored in LFS, the git hash of a small one); a corrupted
  download is deleted and refused;
- no connection gets a message that says so and how to add a file the person already has.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from ragtune import paths
from ragtune.core.answer_types import ModelInfo
from ragtune.core.catalogue import CatalogueEntry, safe_entry
from ragtune.core.embedded import hash_file, stamp_ok, write_stamp
from ragtune.core.machine import free_disk_bytes
from ragtune.core.types import Progress, ProgressCallback, Stage
from ragtune.core.units import format_size
from ragtune.errors import Cancelled, DiskFullError, ModelError

#: kept free on the disk besides the model itself
DISK_MARGIN_BYTES = 256 << 20
#: read size while downloading: progress and Stop act at this grain (the client's own is 10 MB)
READ_BYTES = 1 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_GIT_SHA1 = re.compile(r"^[0-9a-f]{40}$")


class DownloadError(ModelError):
    """A download could not be done (offline, refused, dropped, corrupted)."""


class FileRefused(DownloadError):
    """The server answered, but not with the file (``status``: its HTTP status)."""

    def __init__(self, message: str, status: int | str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Remote:
    """What the server says about a file before it is downloaded: ``sha256`` is the digest to
    verify it against (a SHA-256, or the 40-digit git hash of a file not stored in LFS)."""

    url: str
    size: int
    sha256: str


@dataclass(frozen=True)
class FileJob:
    """One file to download: ``name`` (what a person reads), ``repo``/``revision``/``file`` on the
    hub, where it goes, the pinned SHA-256 if any, and the line that says how to do without."""

    name: str
    repo: str
    revision: str
    file: str
    target: Path
    sha256: str | None = None
    instead: str = ""


def model_job(entry: CatalogueEntry) -> FileJob:
    """The download of a catalogue chat model's GGUF file."""
    return FileJob(
        entry.name, entry.repo, entry.revision, entry.file, paths.downloaded_models_dir() / entry.file,
        entry.sha256, f"If you already have the file {entry.file}, add it with Add model… or `ragtune models add PATH`.",
    )


def offline_message(job: FileJob, detail: str) -> str:
    return (
        f"Cannot reach the model server to download {job.name} ({detail}). Downloads need an "
        f"internet connection; everything else in Ragtune works offline. {job.instead}"
    ).rstrip()


def digest_of(path: Path, expected: str) -> str:
    """``path``'s digest of the kind ``expected`` is: a git blob hash (40 digits) or a SHA-256."""
    if not _GIT_SHA1.match(expected):
        return hash_file(path)
    digest = hashlib.sha1(f"blob {path.stat().st_size}\0".encode())
    with path.open("rb") as fh:
        while block := fh.read(READ_BYTES):
            digest.update(block)
    return digest.hexdigest()


def remote_file(job: FileJob, endpoint: str | None = None) -> Remote:
    """Ask the server for the file's size and digest (no download)."""
    import httpx
    from huggingface_hub import constants, get_hf_file_metadata, hf_hub_url
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    if constants.HF_HUB_OFFLINE:
        raise DownloadError(offline_message(job, "downloads are switched off: HF_HUB_OFFLINE is set"))
    endpoint = endpoint or os.environ.get("HF_ENDPOINT", "").strip() or None  # read now, not at import
    url = hf_hub_url(job.repo, job.file, revision=job.revision, endpoint=endpoint)
    try:
        meta = get_hf_file_metadata(url, token=False, endpoint=endpoint)
    except OfflineModeIsEnabled as exc:
        raise DownloadError(offline_message(job, "downloads are switched off: HF_HUB_OFFLINE is set")) from exc
    except (httpx.ConnectError, httpx.TimeoutException, httpx.NetworkError) as exc:
        raise DownloadError(offline_message(job, f"no connection: {exc}")) from exc
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        raise FileRefused(
            f"The model server refused {job.repo}/{job.file} (HTTP {status}): the file may have "
            "moved or need a login; see the model's page on huggingface.co.", status
        ) from exc
    expected = (job.sha256 or meta.etag or "").strip('"').lower()
    if not (_SHA256.match(expected) or (not job.sha256 and _GIT_SHA1.match(expected))):
        raise DownloadError(
            f"The server gives no SHA-256 for {job.file}, so the download could not be verified; "
            "it was not started."
        )
    if not meta.size:
        raise DownloadError(f"The server does not say how large {job.file} is; the download was not started.")
    return Remote(url=meta.location, size=int(meta.size), sha256=expected)


class _Bar:
    """The progress "bar" ``http_get`` drives (any class with ``update`` will do): reports to the
    caller and raises Cancelled between blocks when asked to stop."""

    def __init__(
        self, report: ProgressCallback | None, cancel: threading.Event | None, title: str,
        total: int | None = None, initial: int = 0, **_ignored: Any,
    ) -> None:
        self.report, self.cancel, self.title = report, cancel, title
        self.total, self.n, self.start_n = int(total or 0), int(initial), int(initial)
        self.started = time.monotonic()
        self._last = 0.0

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        pass

    def update(self, n: int | float = 1) -> None:
        self.n += int(n)
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled(f"The download of {self.title} was stopped; download it again to resume.")
        now = time.monotonic()
        if self.report is not None and (now - self._last >= 0.2 or self.n >= self.total):
            self._last = now
            elapsed = max(1e-6, now - self.started)
            rate = (self.n - self.start_n) / elapsed
            eta = (self.total - self.n) / rate if rate > 0 and self.total else None
            self.report(Progress(Stage.DOWNLOADING, self.n, self.total, rate=rate, eta_s=eta, current=self.title))


def _part_info(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def _resume_size(part: Path, remote: Remote) -> int:
    """Bytes of ``part`` that belong to ``remote`` (0 when it belongs to another version)."""
    try:
        info = json.loads(_part_info(part).read_text(encoding="utf-8"))
        size = part.stat().st_size
    except (OSError, ValueError):
        info, size = {}, 0
    if info.get("sha256") != remote.sha256 or size > remote.size:
        part.unlink(missing_ok=True)
        _part_info(part).write_text(json.dumps({"sha256": remote.sha256, "size": remote.size}))
        return 0
    return size


def download_model(
    entry: CatalogueEntry,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    endpoint: str | None = None,
) -> Path:
    """The verified file of ``entry`` in ``paths.downloaded_models_dir()``: downloaded (or resumed)
    when it is not there yet. Raises DownloadError, DiskFullError or Cancelled (the part is kept)."""
    if not entry.downloadable:
        raise DownloadError(f"{entry.name} is not downloadable (it ships with Ragtune)")
    safe_entry(entry)
    return download_file(model_job(entry), progress, cancel, endpoint)


def download_file(
    job: FileJob,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    endpoint: str | None = None,
) -> Path:
    """``job.target``, verified: downloaded (or resumed) when it is not there yet."""
    target = job.target
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_file() and job.sha256 and stamp_ok(target, job.sha256):
        return target
    remote = remote_file(job, endpoint)
    if target.is_file() and stamp_ok(target, remote.sha256):
        return target
    if target.is_file() and target.stat().st_size == remote.size and digest_of(target, remote.sha256) == remote.sha256:
        write_stamp(target, remote.sha256)  # complete, its stamp lost (a crash right after the move)
        return target
    part = target.with_name(target.name + ".part")
    lock = FileLock(str(part) + ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise DownloadError(
            f"{job.name} is being downloaded already (another Ragtune window or command); "
            "wait for that download to finish."
        ) from None
    try:
        return _fetch(job, remote, part, target, progress, cancel, endpoint)
    finally:
        lock.release()


def _fetch(
    entry: FileJob, remote: Remote, part: Path, target: Path,
    progress: ProgressCallback | None, cancel: threading.Event | None, endpoint: str | None,
) -> Path:
    """Transfer (resuming), verify and move into place; the caller holds the part's lock."""
    folder = part.parent
    have = _resume_size(part, remote)
    needed = remote.size - have + DISK_MARGIN_BYTES
    if free_disk_bytes(folder) < needed:
        raise DiskFullError(
            f"Not enough disk space for {entry.name}: {format_size(needed)} needed in {folder}, "
            f"{format_size(free_disk_bytes(folder))} free."
        )
    try:
        _transfer(entry, remote, part, have, progress, cancel)
    except DownloadError:
        if not part.exists() or part.stat().st_size <= have:
            raise
        # it moved and then stopped: the hub's signed address may have expired: ask again, resume
        remote = remote_file(entry, endpoint)
        _transfer(entry, remote, part, _resume_size(part, remote), progress, cancel)
    if progress is not None:
        progress(Progress(Stage.VERIFYING, remote.size, remote.size, current=entry.name))
    digest = digest_of(part, remote.sha256)
    if digest != remote.sha256:
        part.unlink(missing_ok=True)
        _part_info(part).unlink(missing_ok=True)
        raise DownloadError(
            f"The download of {entry.name} is corrupted (its SHA-256 is {digest[:12]}…, expected "
            f"{remote.sha256[:12]}…); it was deleted and not used. Download it again."
        )
    try:
        os.replace(part, target)
    except OSError as exc:  # Windows: the old file of this name is loaded right now
        raise DownloadError(
            f"Could not put {entry.file} in place ({exc}); switch to another model and download again."
        ) from exc
    _part_info(part).unlink(missing_ok=True)
    write_stamp(target, remote.sha256)
    return target


def _transfer(
    entry: FileJob, remote: Remote, part: Path, have: int,
    progress: ProgressCallback | None, cancel: threading.Event | None,
) -> None:
    import httpx
    from huggingface_hub import constants
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.file_download import http_get

    bar = functools.partial(_Bar, progress, cancel, entry.name)
    block, constants.DOWNLOAD_CHUNK_SIZE = constants.DOWNLOAD_CHUNK_SIZE, READ_BYTES
    try:
        with part.open("ab") as fh:
            http_get(remote.url, fh, resume_size=have, expected_size=remote.size, tqdm_class=bar)  # type: ignore[arg-type]
    except OSError as exc:  # also what http_get raises when the size does not add up
        if exc.errno == errno.ENOSPC:
            raise DiskFullError(
                f"The disk filled up while downloading {entry.name}; free space and download again to resume."
            ) from exc
        raise _stopped(entry, remote, part, exc) from exc
    except (httpx.HTTPError, HfHubHTTPError) as exc:
        raise _stopped(entry, remote, part, exc) from exc
    finally:
        constants.DOWNLOAD_CHUNK_SIZE = block


def _stopped(entry: FileJob, remote: Remote, part: Path, exc: BaseException) -> DownloadError:
    got = part.stat().st_size if part.exists() else 0
    return DownloadError(
        f"The download of {entry.name} stopped at {format_size(got)} of {format_size(remote.size)} "
        f"({exc}). Download it again to resume from there."
    )


def install_model(
    entry: CatalogueEntry,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    endpoint: str | None = None,
) -> ModelInfo:
    """Download (or resume) ``entry``, verify it, check that llama.cpp can load it, and list it
    under its catalogue name; the model it returns is ready for ``load_model``."""
    from ragtune.core.generation import models

    path = download_model(entry, progress, cancel, endpoint)
    if progress is not None:
        progress(Progress(Stage.CHECKING, 0, 1, current=f"Checking {entry.name}"))
    known = models.list_models()
    same_file = [m for m in known if m.path == str(path.absolute())]
    if same_file:
        return same_file[0]
    taken = {m.name.lower() for m in known}
    try:  # the catalogue name, unless the person already gave it to a file of their own
        return models.add_model(path, name=None if entry.name.lower() in taken else entry.name)
    except ModelError as exc:  # kept: a check that timed out may pass next time
        raise DownloadError(
            f"{entry.name} was downloaded and verified, but llama.cpp's check refused it: {exc}. "
            f"The file is kept at {path}; delete it if you do not want it."
        ) from exc
