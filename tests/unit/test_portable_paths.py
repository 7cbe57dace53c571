"""Path rules with Windows paths (drive letters, backslashes, spaces, UNC shares), run on Linux
through plain strings and ``PureWindowsPath``: what a library on Windows stores and compares."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import pytest

from ragtune.core.answer_types import AdapterSpec
from ragtune.core.catalogue import CatalogueEntry, safe_entry
from ragtune.core.evaluate.questions import Question
from ragtune.core.generation.openai_stream import file_name
from ragtune.core.ingest.scan import is_under
from ragtune.errors import ModelError

DOCS = r"C:\Users\Ann Lee\My Documents"


@pytest.mark.parametrize(("path", "root", "inside"), [
    (DOCS + r"\contracts\lease 2024.pdf", DOCS, True),
    (DOCS, DOCS, True),
    (DOCS + r"\a.pdf", DOCS + "\\", True),  # a root given with its trailing separator
    (r"C:\Users\Ann Lee\My Documents old\a.pdf", DOCS, False),  # a sibling sharing the prefix
    (r"D:\a.pdf", "D:\\", True),  # a drive's root
    (r"\\fileserver\legal\briefs\a.pdf", r"\\fileserver\legal", True),  # a UNC share
    (r"\\fileserver\legalese\a.pdf", r"\\fileserver\legal", False),
])
def test_is_under_with_windows_paths(path: str, root: str, inside: bool) -> None:
    assert is_under(path, root) is inside


def test_adapter_paths_with_a_drive_letter_keep_their_colon() -> None:
    plain = AdapterSpec.parse(r"C:\Users\Ann Lee\adapters\cite.gguf")
    assert plain.path == r"C:\Users\Ann Lee\adapters\cite.gguf"
    strong = AdapterSpec.parse(r"C:\Users\Ann Lee\adapters\cite.gguf:0.5")
    assert (strong.path, strong.scale) == (r"C:\Users\Ann Lee\adapters\cite.gguf", 0.5)
    share = AdapterSpec.parse(r"\\fileserver\models\cite.gguf:1")
    assert (share.path, share.scale) == (r"\\fileserver\models\cite.gguf", 1.0)


def test_a_gold_file_written_with_either_separator_matches() -> None:
    item = Question("What is the notice period?", "30 days", gold_file=r"contracts\lease 2024.pdf", gold_page=2)
    assert item.is_gold_path(DOCS + r"\contracts\lease 2024.pdf")
    assert item.is_gold_path("/home/ann/contracts/lease 2024.pdf")
    assert not item.is_gold_path(DOCS + r"\other\lease 2024.pdf")


def test_file_names_of_paths_from_either_system() -> None:
    assert file_name(r"C:\llama\adapters\cite.gguf") == "cite.gguf"
    assert file_name("/srv/adapters/cite.gguf") == "cite.gguf"
    assert PureWindowsPath(DOCS, "a.pdf").name == "a.pdf"


def test_a_catalogue_file_name_never_reaches_another_folder() -> None:
    entry = CatalogueEntry(name="x", kind="chat", file="model.gguf", size=1, repo="org/model")
    assert safe_entry(entry) is entry
    for bad in (r"..\..\evil.gguf", r"C:\Windows\evil.gguf", "../evil.gguf", ".hidden.gguf"):
        with pytest.raises(ModelError, match="unsafe"):
            safe_entry(CatalogueEntry(name="x", kind="chat", file=bad, size=1, repo="org/model"))


def test_a_bundled_app_indexes_its_own_copy_of_the_sample_library(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from ragtune import paths

    shipped = paths.sample_library_dir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    copy = paths.sample_library_dir()
    assert copy == paths.data_dir() / "sample-library"  # survives the bundle moving
    assert sorted(p.name for p in copy.iterdir()) == sorted(p.name for p in shipped.iterdir())
    assert paths.sample_library_dir() == copy  # made once
    stale = next(copy.iterdir())
    stale.write_text("an older version's document", encoding="utf-8")
    paths._sample_copies.clear()  # a new process of a new version: the copy follows what ships
    assert paths.sample_library_dir() == copy
    assert sorted((p.name, p.stat().st_size) for p in copy.iterdir()) == sorted(
        (p.name, p.stat().st_size) for p in shipped.iterdir())


def test_a_folder_typed_in_another_case_is_the_one_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from ragtune.core.ingest.scan import on_disk_case

    folder = tmp_path / "Client Files" / "Reports"
    folder.mkdir(parents=True)
    assert on_disk_case(folder) == folder  # as written: unchanged
    missing = tmp_path / "Client Files" / "drafts" / "x.pdf"
    assert on_disk_case(missing) == missing  # not there: the rest as written

    real_lexists = os.path.lexists

    def case_insensitive(p: str | os.PathLike[str]) -> bool:  # macOS's and Windows' default disks
        here = Path(p)
        if real_lexists(here):
            return True
        parent = here.parent
        return real_lexists(parent) and any(e.casefold() == here.name.casefold() for e in os.listdir(parent))

    monkeypatch.setattr(os.path, "lexists", case_insensitive)
    typed = tmp_path / "client files" / "REPORTS"
    assert on_disk_case(typed) == folder  # one source, however it was typed
