"""Bad input that used to be accepted, through the service with real SQLite and the real embedder:
a path that does not exist, a source that disappears later, a file removed from inside a watched
folder (it must stay removed), and two indexing runs of one library at the same time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ragtune.core.services import Ragtune
from ragtune.core.store.index_lock import library_lock
from ragtune.core.types import IndexReport, Progress
from ragtune.errors import LibraryBusy, RagtuneError, SourceNotFound


@pytest.fixture
def svc(embedder: Any) -> Iterator[Ragtune]:
    service = Ragtune(embedder=embedder)
    yield service
    service.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    (docs / "old").mkdir(parents=True)
    (docs / "falcon.md").write_text("# Project Falcon\n\nThe Falcon budget is 48,000 euros.\n")
    (docs / "door.txt").write_text("The server room door code is changed every quarter.\n")
    (docs / "old" / "minutes.txt").write_text("Minutes of the 2019 board meeting in Bergen.\n")
    return docs.resolve()


def names(svc: Ragtune, library: str) -> set[str]:
    return {Path(d.path).name for d in svc.library.documents(library)}


def test_a_path_that_does_not_exist_is_refused_and_nothing_registered(svc: Ragtune, folder: Path) -> None:
    with pytest.raises(SourceNotFound, match="does not exist"):
        svc.library.index("first", [folder.parent / "nonexistent"])
    assert svc.library.libraries() == []
    # one bad path among good ones: nothing of the call is registered
    with pytest.raises(SourceNotFound, match="typo"):
        svc.library.index("first", [folder, folder / "typo"])
    assert svc.library.libraries() == []
    svc.library.index("work", [folder])
    with pytest.raises(SourceNotFound):
        svc.library.index("work", [folder / "typo.txt"])
    assert svc.library.libraries()[0].sources == (str(folder),)


def test_a_vanished_source_is_shown_missing_and_keeps_its_documents(svc: Ragtune, folder: Path) -> None:
    svc.library.index("work", [folder])
    chunks = svc.library.stats("work").chunks
    unplugged = folder.with_name("unplugged")
    folder.rename(unplugged)  # as an unmounted drive or a deleted folder looks

    info = svc.library.libraries()[0]
    assert info.sources == (str(folder),)
    assert info.missing == (str(folder),)
    report = svc.library.index("work")
    assert report.missing_sources == [str(folder)]
    assert (report.removed, report.failed) == (0, [])
    assert svc.library.stats("work").chunks == chunks
    assert len(names(svc, "work")) == 3

    unplugged.rename(folder)  # plugged back in: nothing to redo
    assert svc.library.libraries()[0].missing == ()
    back = svc.library.index("work")
    assert (back.added, back.removed, back.unchanged, back.missing_sources) == (0, 0, 3, [])


def test_a_file_removed_from_a_watched_folder_stays_removed_until_added_again(
    svc: Ragtune, folder: Path
) -> None:
    svc.library.index("work", [folder])
    assert svc.library.remove("work", folder / "door.txt") == 1
    assert svc.library.exclusions("work") == [str(folder / "door.txt")]
    assert svc.library.libraries()[0].excluded == (str(folder / "door.txt"),)

    rescan = svc.library.index("work")
    assert (rescan.added, rescan.updated, rescan.unchanged) == (0, 0, 2)
    assert names(svc, "work") == {"falcon.md", "minutes.txt"}
    assert all(not h.path.endswith("door.txt") for h in svc.library.search("work", "server room door code", k=5))

    # naming it again includes it again, without a second source for it
    again = svc.library.index("work", [folder / "door.txt"])
    assert again.added == 1
    assert svc.library.exclusions("work") == []
    assert names(svc, "work") == {"falcon.md", "minutes.txt", "door.txt"}
    assert svc.library.libraries()[0].sources == (str(folder),)
    assert svc.library.doctor().ok


def test_a_removed_subfolder_stays_out_and_a_source_inside_it_wins(svc: Ragtune, folder: Path) -> None:
    svc.library.index("work", [folder])
    assert svc.library.remove("work", folder / "old") == 1
    assert svc.library.index("work").added == 0
    assert "minutes.txt" not in names(svc, "work")

    svc.library.index("work", [folder / "old" / "minutes.txt"])  # asked for by name: it comes back
    assert "minutes.txt" in names(svc, "work")
    assert svc.library.index("work").removed == 0

    # removing that file source again sticks too (it is inside the folder source)
    assert svc.library.remove("work", folder / "old" / "minutes.txt") == 1
    assert svc.library.index("work").added == 0
    assert "minutes.txt" not in names(svc, "work")


def test_remove_refuses_paths_outside_the_library_and_cleans_up_with_its_source(
    svc: Ragtune, folder: Path
) -> None:
    svc.library.index("work", [folder])
    with pytest.raises(RagtuneError, match="not a source or document"):
        svc.library.remove("work", folder / "no such file.txt")
    assert svc.library.exclusions("work") == []
    svc.library.remove("work", folder / "door.txt")
    assert svc.library.remove("work", folder) == 2  # the whole folder: its exclusions go with it
    assert svc.library.exclusions("work") == []
    assert svc.library.libraries()[0].sources == ()
    assert svc.library.stats("work").documents == 0
    assert svc.library.doctor().ok


def test_a_second_run_waits_for_the_first_and_embeds_nothing_twice(svc: Ragtune, folder: Path) -> None:
    lib_id = svc.library.create_library("work").id
    events: list[Progress] = []
    result: list[IndexReport] = []
    waiting_seen = threading.Event()
    finished = threading.Event()

    def progress(p: Progress) -> None:
        events.append(p)
        if p.stage == "waiting":
            waiting_seen.set()

    def run() -> None:
        result.append(svc.library.index("work", [folder], progress=progress))
        finished.set()

    with library_lock(svc.db_path, lib_id, "work"):  # another run holds the library
        runner = threading.Thread(target=run)
        runner.start()
        assert waiting_seen.wait(60)
        waiting = [p.current for p in events if p.stage == "waiting"]
        assert "another indexing run on library 'work'" in waiting[0]
        assert not finished.wait(0.3)  # it keeps waiting while the lock is held
        assert svc.library.stats("work").documents == 0
        with pytest.raises(LibraryBusy, match="being indexed"):
            svc.library.remove("work", folder)
    runner.join(timeout=120)
    assert result
    assert result[0].added == 3


def test_cancel_while_waiting_for_another_run(svc: Ragtune, folder: Path) -> None:
    lib_id = svc.library.create_library("work").id
    cancel = threading.Event()

    def cancel_when_waiting(p: Progress) -> None:
        if p.stage == "waiting":
            cancel.set()

    with library_lock(svc.db_path, lib_id, "work"):
        report = svc.library.index("work", [folder], progress=cancel_when_waiting, cancel=cancel)
    assert report.cancelled
    assert report.added == 0
    assert svc.library.index("work").added == 3  # the source was registered: the next run does the work
