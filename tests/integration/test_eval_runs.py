"""The bench for real: the embedded model answers a small set from the sample library in two modes;
results are judged and stored; an interrupted run resumes without redoing finished answers; the
report and verdict come from the stored rows."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest

from ragtune import paths
from ragtune.core.answer_types import Mode
from ragtune.core.evaluate.questions import Kind, Question
from ragtune.core.evaluate.report import run_csv, run_html, run_json
from ragtune.core.evaluate.run_types import RunStatus
from ragtune.core.services import Ragtune
from ragtune.core.types import Progress
from ragtune.errors import RagtuneError

ITEMS = [
    Question("How long is the warranty on the solar garden lamp?", "18 months",
             gold_file="solar-garden-lamp-manual.md"),
    Question("At what temperature is the sourdough baked after the lid comes off?", "230",
             gold_file="sourdough-notes.txt"),
    Question("Who won the 1966 football World Cup?", kind=Kind.ABSENT),
]


@pytest.fixture(scope="module")
def svc(embedder: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    home = tmp_path_factory.mktemp("eval-home")
    with Ragtune(db_path=home / "library.sqlite3", embedder=embedder) as service:
        service.settings = replace(service.settings, context_size=2048, max_answer_tokens=40)
        service.library.index("sample", [paths.sample_library_dir()])
        service.evaluation.add_questions("sample", "Small", ITEMS)
        yield service


def test_a_two_mode_run_interrupted_then_resumed(svc: Ragtune, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real_ask = svc.models.ask

    def counting_ask(question: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(question)
        return real_ask(question, *args, **kwargs)

    monkeypatch.setattr(svc.models, "ask", counting_ask)
    cancel = threading.Event()
    seen: list[Progress] = []

    def progress(p: Progress) -> None:
        seen.append(p)
        if p.done >= 2:
            cancel.set()  # stop after two answers, as a person pressing Cancel would

    first = svc.evaluation.run("sample", "Small", split=None, modes=[Mode.MODEL, Mode.RAG],
                               progress=progress, cancel=cancel)
    assert first.info.status == RunStatus.CANCELLED
    assert len(first.results) == 2
    assert len(asked) == 2
    assert seen[-1].total == 6
    assert seen[-1].stage == "evaluating"

    record = svc.evaluation.run("sample", "Small", split=None, modes=[Mode.MODEL, Mode.RAG])
    assert record.info.id == first.info.id  # the same run, resumed
    assert record.info.status == RunStatus.FINISHED
    assert len(record.results) == 6
    assert len(asked) == 6

    by = {(r.question_id, r.mode): r for r in record.results}
    lamp, _bread, absent = record.questions
    rag_lamp = by[(lamp.id, Mode.RAG)]
    assert rag_lamp.gold_rank is not None
    assert rag_lamp.gold_rank <= 3
    assert rag_lamp.correct is True
    assert rag_lamp.cites_gold is True
    assert by[(lamp.id, Mode.MODEL)].cites_gold is None
    assert by[(absent.id, Mode.RAG)].declined
    assert by[(absent.id, Mode.RAG)].correct is None
    assert record.info.config["model"]["sha256"] == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    assert record.info.config["embedder"]
    assert record.info.config["chunking"]["tokens"] == 220

    doc = run_json(record)
    assert doc["summary"][1]["mode"] == "rag"
    assert doc["summary"][1]["declined_absent"]["k"] == 1
    assert doc["retrieval"]["n"] == 2
    assert doc["verdict"]
    assert "<svg" in run_html(record)
    assert "RAG" in run_html(record)
    assert run_csv(record).count("\n") == 7
    assert svc.evaluation.runs("sample")[0].id == record.info.id


def test_a_fresh_run_starts_over_and_adapter_modes_need_an_adapter(svc: Ragtune) -> None:
    with pytest.raises(RagtuneError, match="need an adapter"):
        svc.evaluation.run("sample", "Small", modes=[Mode.ADAPTER])
    cancel = threading.Event()
    cancel.set()
    fresh = svc.evaluation.run("sample", "Small", split=None, modes=[Mode.RAG], fresh=True, cancel=cancel)
    assert fresh.results == []
    assert fresh.info.status == RunStatus.CANCELLED
