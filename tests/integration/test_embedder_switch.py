"""Switching a library to another embedding model: detected before any write, re-embedded into new
tables, swapped in at the end; a crash (a killed process) or a Stop halfway leaves the old index
answering and the work kept for a resume; a library never mixes two models; a search with another
model's vector is refused in words. Real embedded model, real SQLite with sqlite-vec and FTS5, real
files; the second model is the embedded one projected to 256 dimensions (tests/projected_embedder.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from projected_embedder import DIM, MODEL_ID, ProjectedEmbedder, loader_for
from ragtune.core import reembed
from ragtune.core.retrieval import hybrid_search
from ragtune.core.services import Ragtune
from ragtune.core.store import library_vectors as lv
from ragtune.core.store import vectors as vec
from ragtune.core.types import Progress
from ragtune.errors import EmbeddingModelMismatch, RagtuneError
from ragtune.settings import Settings

TESTS = Path(__file__).resolve().parents[1]
ANIMALS = ["otter", "falcon", "badger", "heron", "lynx", "walrus", "gecko", "bison", "puffin", "marmot",
           "ibex", "tapir", "osprey", "dingo", "okapi", "quokka", "narwhal", "pangolin", "wombat", "axolotl"]
PLACES = ["river banks", "cliffs", "woodland", "marshes", "forests", "ice floes", "deserts", "prairies",
          "sea cliffs", "alpine meadows", "mountains", "rainforest", "lakes", "outback", "jungle",
          "islands", "Arctic waters", "savanna", "burrows", "Mexican lakes"]


def make_library_files(folder: Path) -> Path:
    """20 small notes, one animal each (one passage each)."""
    folder.mkdir(parents=True, exist_ok=True)
    for animal, place in zip(ANIMALS, PLACES, strict=True):
        (folder / f"{animal}.txt").write_text(
            f"Field note on the {animal}. The {animal} lives in {place}. Observers counted the {animal} "
            f"population every spring and wrote down what the {animal} eats.\n",
            encoding="utf-8",
        )
    return folder


@pytest.fixture
def projected(embedder: Any) -> ProjectedEmbedder:
    return ProjectedEmbedder(embedder)


@pytest.fixture
def svc(tmp_path: Path, embedder: Any, projected: ProjectedEmbedder) -> Iterator[Ragtune]:
    service = Ragtune(db_path=tmp_path / "lib.db", settings=Settings(), embedder=embedder,
                      embedder_loader=loader_for(projected))
    service.library.index("notes", [make_library_files(tmp_path / "notes")])
    yield service
    service.close()


def top_file(svc: Ragtune, library: str, query: str) -> str:
    return Path(svc.library.search(library, query, k=3)[0].path).stem


def test_the_plan_says_what_changes_before_anything_is_written(svc: Ragtune) -> None:
    conn = svc.library.connection()
    before = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    plan = svc.library.embedders.plan("notes", MODEL_ID)
    assert plan.current_model == svc.embedder.model_id
    assert plan.current_dim == 384
    assert (plan.new_model, plan.new_dim, plan.passages, plan.resumable) == (MODEL_ID, DIM, 20, 0)
    assert not plan.unchanged
    assert not plan.needs_download
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == before
    with pytest.raises(RagtuneError, match="already uses"):
        svc.library.embedders.change("notes", svc.embedder.model_id)


def test_switching_re_embeds_swaps_and_searches_with_the_new_model(svc: Ragtune, projected: ProjectedEmbedder,
                                                                   tmp_path: Path) -> None:
    svc.library.index("other", [make_library_files(tmp_path / "other")])
    assert top_file(svc, "notes", "Where does the walrus live?") == "walrus"
    seen: list[Progress] = []
    report = svc.library.embedders.change("notes", MODEL_ID, progress=seen.append)
    assert (report.embedded, report.total, report.resumed_from, report.cancelled) == (20, 20, 0, False)
    assert seen
    assert seen[-1].done == 20
    assert seen[-1].total == 20
    assert svc.library.embedder_of("notes").model_id == MODEL_ID
    assert svc.library.embedder_of("other").model_id == svc.embedder.model_id
    assert top_file(svc, "notes", "Where does the walrus live?") == "walrus"
    assert top_file(svc, "other", "Where does the walrus live?") == "walrus"  # untouched
    conn = svc.library.connection()
    notes, other = svc.library.library_id("notes"), svc.library.library_id("other")
    tables = lv.tables_of(conn, notes)
    assert tables is not None
    assert (tables.model, tables.dim, tables.shared) == (MODEL_ID, DIM, False)
    # the old vectors of the library are gone from the shared tables; the other library's stay
    shared = vec.shared_tables(conn)
    assert shared is not None
    left = conn.execute(
        f"SELECT count(*) FROM {shared.floats} v JOIN chunks c ON c.id = v.chunk_id "
        "JOIN documents d ON d.id = c.document_id WHERE d.library_id = ?", (notes,)).fetchone()
    assert left == (0,)
    kept = conn.execute(
        f"SELECT count(*) FROM {shared.floats} v JOIN chunks c ON c.id = v.chunk_id "
        "JOIN documents d ON d.id = c.document_id WHERE d.library_id = ?", (other,)).fetchone()
    assert kept == (20,)
    report_doctor = svc.library.doctor()
    assert report_doctor.ok, report_doctor.lines
    assert any(f"uses {MODEL_ID}" in line for line in report_doctor.lines)
    # a file added later is embedded with the library's model, not the default one
    calls = projected.passages
    (tmp_path / "notes" / "kiwi.txt").write_text(
        "Field note on the kiwi. The kiwi lives in New Zealand forests and cannot fly.\n", encoding="utf-8")
    svc.library.index("notes")
    assert projected.passages > calls
    assert top_file(svc, "notes", "Which bird cannot fly in New Zealand?") == "kiwi"
    assert svc.library.doctor().ok


def test_a_search_with_another_models_vector_is_refused_in_words(svc: Ragtune) -> None:
    svc.library.embedders.change("notes", MODEL_ID)
    conn = svc.library.connection()
    wrong = svc.embedder.embed_query("walrus")  # 384 numbers; the library's vectors have 256
    with pytest.raises(EmbeddingModelMismatch, match=f"embedded with {MODEL_ID} \\(256 dimensions\\)"):
        hybrid_search(conn, svc.library.library_id("notes"), "walrus", wrong, 5)
    # an index run with another model than the library's is refused, not mixed in
    from ragtune.core.store.library import LibraryStore

    with pytest.raises(EmbeddingModelMismatch, match="cannot be mixed"):
        LibraryStore(conn).check_embedding_model(svc.embedder.model_id, 384, library_id=svc.library.library_id("notes"))


def test_a_stop_keeps_the_old_index_and_the_next_start_resumes(svc: Ragtune, projected: ProjectedEmbedder,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reembed, "BATCH", 8)
    cancel = threading.Event()

    def stop_after_first(p: Progress) -> None:
        cancel.set()

    report = svc.library.embedders.change("notes", MODEL_ID, progress=stop_after_first, cancel=cancel)
    assert report.cancelled
    assert report.embedded == 8
    assert svc.library.embedder_of("notes").model_id == svc.embedder.model_id  # still the old model
    assert top_file(svc, "notes", "Where does the heron live?") == "heron"
    doctor = svc.library.doctor()
    assert doctor.ok
    assert any("stopped at 8 of 20" in line for line in doctor.lines)
    assert svc.library.embedders.plan("notes", MODEL_ID).resumable == 8
    before = projected.passages
    report = svc.library.embedders.change("notes", MODEL_ID)
    assert (report.resumed_from, report.embedded, report.cancelled) == (8, 12, False)
    assert projected.passages - before == 12  # the first 8 were not embedded again
    assert top_file(svc, "notes", "Where does the heron live?") == "heron"


def test_a_crash_halfway_leaves_the_old_index_working_and_resumes(svc: Ragtune, tmp_path: Path) -> None:
    """A process switching the library dies (no clean-up) in its third call to the model."""
    db_path = svc.db_path
    svc.close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), *sys.path])}
    done = subprocess.run([sys.executable, str(TESTS / "projected_embedder.py"), str(db_path), "notes", "3"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 17, done.stderr[-2000:]
    from ragtune.core.embedding import load_default_embedder

    base = load_default_embedder()
    projected = ProjectedEmbedder(base)
    with Ragtune(db_path=db_path, embedder=base, embedder_loader=loader_for(projected)) as again:
        assert again.library.embedder_of("notes").model_id == base.model_id
        assert top_file(again, "notes", "Where does the lynx live?") == "lynx"
        assert again.library.doctor().ok
        plan = again.library.embedders.plan("notes", MODEL_ID)
        assert plan.resumable == 16  # two batches of 8 were committed before the crash
        report = again.library.embedders.change("notes", MODEL_ID)
        assert (report.resumed_from, report.embedded) == (16, 4)
        assert projected.passages == 4
        assert again.library.embedder_of("notes").model_id == MODEL_ID
        assert top_file(again, "notes", "Where does the lynx live?") == "lynx"


def test_deleting_a_switched_library_drops_its_tables(svc: Ragtune) -> None:
    svc.library.embedders.change("notes", MODEL_ID)
    conn = svc.library.connection()
    own = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'chunk_embeddings_%'")]
    assert own
    svc.library.delete_library("notes")
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'chunk_embeddings_%'")] == []
    assert svc.library.doctor().ok


def test_switching_back_to_the_embedded_model(svc: Ragtune) -> None:
    svc.library.embedders.change("notes", MODEL_ID)
    report = svc.library.embedders.change("notes", "all-MiniLM-L6-v2 (int8 ONNX)")  # by catalogue name
    assert report.embedded == 20
    assert not report.cancelled
    assert svc.library.embedder_of("notes").model_id == svc.embedder.model_id
    assert top_file(svc, "notes", "Where does the okapi live?") == "okapi"
    assert svc.library.doctor().ok
    conn = svc.library.connection()  # the projected model's tables are gone; one pair of its own left
    assert len(conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'chunk_embeddings_%'").fetchall()) == 1


def test_a_stopped_switch_survives_removals_and_deletes_cleanly(
    svc: Ragtune, projected: ProjectedEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reembed, "BATCH", 8)
    cancel = threading.Event()
    svc.library.embedders.change("notes", MODEL_ID, progress=lambda p: cancel.set(), cancel=cancel)
    svc.library.remove("notes", tmp_path / "notes" / "otter.txt")  # one of the 8 already embedded
    svc.library.remove("notes", tmp_path / "notes" / "axolotl.txt")  # one not embedded yet
    assert svc.library.doctor().ok
    report = svc.library.embedders.change("notes", MODEL_ID)
    assert (report.resumed_from, report.embedded, report.total) == (7, 11, 18)
    assert svc.library.doctor().ok
    assert top_file(svc, "notes", "Where does the lynx live?") == "lynx"


def test_deleting_a_library_in_the_middle_of_a_switch(svc: Ragtune, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the switch runs, a delete is refused (the switch holds the library); after a Stop the
    delete takes the unfinished tables with it."""
    monkeypatch.setattr(reembed, "BATCH", 8)
    refused: list[BaseException] = []
    cancel = threading.Event()

    def try_delete(p: Progress) -> None:
        try:
            svc.library.delete_library("notes")
        except RagtuneError as exc:
            refused.append(exc)
        cancel.set()

    svc.library.embedders.change("notes", MODEL_ID, progress=try_delete, cancel=cancel)
    assert refused
    assert "being indexed by another" in str(refused[0])
    conn = svc.library.connection()
    assert conn.execute("SELECT count(*) FROM vector_builds").fetchone() == (1,)
    svc.library.delete_library("notes")
    assert conn.execute("SELECT count(*) FROM vector_builds").fetchone() == (0,)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'chunk_embeddings_%'")] == []
    assert svc.library.doctor().ok


def test_keeping_the_model_drops_a_stopped_switch(svc: Ragtune, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reembed, "BATCH", 8)
    cancel = threading.Event()
    svc.library.embedders.change("notes", MODEL_ID, progress=lambda p: cancel.set(), cancel=cancel)
    plan = svc.library.embedders.plan("notes", svc.embedder.model_id)
    assert plan.unchanged
    assert plan.unfinished_switch == MODEL_ID
    report = svc.library.embedders.change("notes", svc.embedder.model_id)
    assert report.dropped_switch == MODEL_ID
    conn = svc.library.connection()
    assert conn.execute("SELECT count(*) FROM vector_builds").fetchone() == (0,)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'chunk_embeddings_%'")] == []
    doctor = svc.library.doctor()
    assert doctor.ok
    assert not any("stopped at" in line for line in doctor.lines)


def test_the_same_file_in_libraries_of_two_models_is_embedded_by_each(svc: Ragtune, tmp_path: Path) -> None:
    """Vectors of a file already indexed are reused only from a library of the same model."""
    svc.library.embedders.change("notes", MODEL_ID)
    svc.library.index("plain", [tmp_path / "notes"])  # the same 20 files, default model
    assert top_file(svc, "plain", "Where does the tapir live?") == "tapir"
    assert top_file(svc, "notes", "Where does the tapir live?") == "tapir"
    doctor = svc.library.doctor()
    assert doctor.ok, doctor.lines


def test_an_empty_library_switched_first_is_indexed_with_its_model(
    svc: Ragtune, projected: ProjectedEmbedder, tmp_path: Path
) -> None:
    svc.library.create_library("fresh")
    report = svc.library.embedders.change("fresh", MODEL_ID)
    assert (report.embedded, report.total) == (0, 0)
    before = projected.passages
    svc.library.index("fresh", [make_library_files(tmp_path / "fresh")])
    assert projected.passages - before == 20
    assert svc.library.embedder_of("fresh").model_id == MODEL_ID
    assert top_file(svc, "fresh", "Where does the puffin live?") == "puffin"
    assert svc.library.doctor().ok
