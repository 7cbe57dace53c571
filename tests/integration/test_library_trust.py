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
    return {Path(d.path).name for d in svc.documents(library)}


def test_a_path_that_does_not_exist_is_refused_and_nothing_registered(svc: Ragtune, folder: Path) -> None:
    with pytest.raises(SourceNotFound, match="does not exist"):
        svc.index("first", [folder.parent / "nonexistent"])
    assert svc.libraries() == []
    # one bad path among good ones: nothing of the call is registered
    with pytest.raises(SourceNotFound, match="typo"):
        svc.index("first", [folder, folder / "typo"])
    assert svc.libraries() == []
    svc.index("work", [folder])
    with pytest.raises(SourceNotFound):
        svc.index("work", [folder / "typo.txt"])
    assert svc.libraries()[0].sources == (str(folder),)


def test_a_vanished_source_is_shown_missing_and_keeps_its_documents(svc: Ragtune, folder: Path) -> None:
    svc.index("work", [folder])
    chunks = svc.stats("work").chunks
    unplugged = folder.with_name("unplugged")
    folder.rename(unplugged)  # as an unmounted drive or a deleted folder looks

    info = svc.libraries()[0]
    assert info.sources == (str(folder),)
    assert info.missing == (str(folder),)
    report = svc.index("work")
    assert report.missing_sources == [str(folder)]
    assert (report.removed, report.failed) == (0, [])
    assert svc.stats("work").chunks == chunks
    assert len(names(svc, "work")) == 3

    unplugged.rename(folder)  # plugged back in: nothing to redo
    assert svc.libraries()[0].missing == ()
    back = svc.index("work")
    assert (back.added, back.removed, back.unchanged, back.missing_sources) == (0, 0, 3, [])


def test_a_file_removed_from_a_watched_folder_stays_removed_until_added_again(
    svc: Ragtune, folder: Path
) -> None:
    svc.index("work", [folder])
    assert svc.remove("work", folder / "door.txt") == 1
    assert svc.exclusions("work") == [str(folder / "door.txt")]
    assert svc.libraries()[0].excluded == (str(folder / "door.txt"),)

    rescan = svc.index("work")
    assert (rescan.added, rescan.updated, rescan.unchanged) == (0, 0, 2)
    assert names(svc, "work") == {"falcon.md", "minutes.txt"}
    assert all(not h.path.endswith("door.txt") for h in svc.search("work", "server room door code", k=5))

    # naming it again includes it again, without a second source for it
    again = svc.index("work", [folder / "door.txt"])
    assert again.added == 1
    assert svc.exclusions("work") == []
    assert names(svc, "work") == {"falcon.md", "minutes.txt", "door.txt"}
    assert svc.libraries()[0].sources == (str(folder),)
    assert svc.doctor().ok


def test_a_removed_subfolder_stays_out_and_a_source_inside_it_wins(svc: Ragtune, folder: Path) -> None:
    svc.index("work", [folder])
    assert svc.remove("work", folder / "old") == 1
    assert svc.index("work").added == 0
    assert "minutes.txt" not in names(svc, "work")

    svc.index("work", [folder / "old" / "minutes.txt"])  # asked for by name: it comes back
    assert "minutes.txt" in names(svc, "work")
    assert svc.index("work").removed == 0

    # removing that file source again sticks too (it is inside the folder source)
    assert svc.remove("work", folder / "old" / "minutes.txt") == 1
    assert svc.index("work").added == 0
    assert "minutes.txt" not in names(svc, "work")


def test_remove_refuses_paths_outside_the_library_and_cleans_up_with_its_source(
    svc: Ragtune, folder: Path
) -> None:
    svc.index("work", [folder])
    with pytest.raises(RagtuneError, match="not a source or document"):
        svc.remove("work", folder / "no such file.txt")
    assert svc.exclusions("work") == []
    svc.remove("work", folder / "door.txt")
    assert svc.remove("work", folder) == 2  # the whole folder: its exclusions go with it
    assert svc.exclusions("work") == []
    assert svc.libraries()[0].sources == ()
    assert svc.stats("work").documents == 0
    assert svc.doctor().ok


def test_a_second_run_waits_for_the_first_and_embeds_nothing_twice(svc: Ragtune, folder: Path) -> None:
    lib_id = svc.create_library("work").id
    events: list[Progress] = []
    result: list[IndexReport] = []
    waiting_seen = threading.Event()
    finished = threading.Event()

    def progress(p: Progress) -> None:
        events.append(p)
        if p.stage == "waiting":
            waiting_seen.set()

    def run() -> None:
        result.append(svc.index("work", [folder], progress=progress))
        finished.set()

    with library_lock(svc.db_path, lib_id, "work"):  # another run holds the library
        runner = threading.Thread(target=run)
        runner.start()
        assert waiting_seen.wait(60)
        waiting = [p.current for p in events if p.stage == "waiting"]
        assert "another indexing run on library 'work'" in waiting[0]
        assert not finished.wait(0.3)  # it keeps waiting while the lock is held
        assert svc.stats("work").documents == 0
        with pytest.raises(LibraryBusy, match="being indexed"):
            svc.remove("work", folder)
    runner.join(timeout=120)
    assert result
    assert result[0].added == 3


def test_cancel_while_waiting_for_another_run(svc: Ragtune, folder: Path) -> None:
    lib_id = svc.create_library("work").id
    cancel = threading.Event()

    def cancel_when_waiting(p: Progress) -> None:
        if p.stage == "waiting":
            cancel.set()

    with library_lock(svc.db_path, lib_id, "work"):
        report = svc.index("work", [folder], progress=cancel_when_waiting, cancel=cancel)
    assert report.cancelled
    assert report.added == 0
    assert svc.index("work").added == 3  # the source was registered: the next run does the work
