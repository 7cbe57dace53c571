"""The person checks the judge (``core.evaluate.judgements``): a judgement overrules the rule in the
figures and the verdict, the rule's agreement with the person is counted with the disagreements
listed, judgements are exported with the run and carry over to a later run that gives the same
answer; nonsense is refused. Real SQLite and sample library; a scripted model (the bench's
bookkeeping, not the model, is under test)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ragtune import paths
from ragtune.core.answer_types import Mode
from ragtune.core.evaluate.judgements import agreement
from ragtune.core.evaluate.questions import Kind, Question
from ragtune.core.evaluate.report import run_csv, run_json
from ragtune.core.evaluate.summary import summarize
from ragtune.core.services import Ragtune
from ragtune.errors import RagtuneError
from ragtune.settings import Settings
from scripted_model import ScriptedModel

ITEMS = [
    Question("How long is the warranty on the solar garden lamp?", "18 months", gold_file="solar-garden-lamp-manual.md"),
    Question("Who won the 1966 football World Cup?", kind=Kind.ABSENT),
]


@pytest.fixture
def svc(embedder: Any, tmp_path: Path, chat_model_path: Path) -> Iterator[Ragtune]:
    model = ScriptedModel(answer="The lamp's warranty runs for two years.")
    with Ragtune(db_path=tmp_path / "library.sqlite3", settings=Settings(), embedder=embedder,
                 engine_factory=model.factory) as service:
        service.library.index("sample", [paths.sample_library_dir()])
        service.evaluation.add_questions("sample", "Small", ITEMS)
        yield service


def test_a_judgement_overrules_the_rule_and_agreement_is_counted(svc: Ragtune) -> None:
    record = svc.evaluation.run("sample", "Small", split=None, modes=[Mode.RAG])
    lamp, cup = record.questions
    before = summarize(record).modes[0]
    assert before.correct.k == 0  # "two years" is not "18 months" to the rule
    assert agreement(record).judged == 0

    record = svc.evaluation.judge(record.info.id, lamp.id, "rag", "correct")  # the person disagrees
    after = summarize(record).modes[0]
    assert after.correct.k == 1
    lamp_result = record.result(lamp.id, Mode.RAG)
    assert lamp_result is not None
    assert (lamp_result.person, lamp_result.rule) == ("correct", "wrong")
    cup_result = record.result(cup.id, Mode.RAG)
    assert cup_result is not None
    rule_said = "declined" if cup_result.declined else "made up"
    record = svc.evaluation.judge(record.info.id, cup.id, Mode.RAG, rule_said.replace(" ", "-"))  # agrees
    agreed = agreement(record)
    assert (agreed.judged, agreed.agree) == (2, 1)
    assert agreed.describe() == "The rule agrees with you on 1 of 2 answers you judged (50%)."
    (disagreement,) = agreed.disagreements
    assert (disagreement.question, disagreement.rule, disagreement.person) == (lamp.question, "wrong", "correct")

    exported = run_json(record)
    assert exported["agreement"]["judged"] == 2
    assert exported["agreement"]["disagreements"][0]["you"] == "correct"
    assert exported["summary"][0]["correct"]["k"] == 1
    rows = list(csv.DictReader(io.StringIO(run_csv(record))))
    assert {r["question"]: r["your_judgement"] for r in rows}[lamp.question] == "correct"
    assert svc.evaluation.load_run(record.info.id).result(lamp.id, Mode.RAG) == record.result(lamp.id, Mode.RAG)

    # a later run of the same set that gives the same answer carries the judgement over
    again = svc.evaluation.run("sample", "Small", split=None, modes=[Mode.RAG], fresh=True)
    assert again.info.id != record.info.id
    carried = again.result(again.questions[0].id, Mode.RAG)
    assert carried is not None
    assert carried.person == "correct"
    assert summarize(again).modes[0].correct.k == 1

    # taken back in the later run: taken back in both (it would carry over again otherwise)
    again = svc.evaluation.judge(again.info.id, again.questions[0].id, "rag", None)
    for run in (again, svc.evaluation.load_run(record.info.id)):
        lamp_result = run.result(run.questions[0].id, Mode.RAG)
        assert lamp_result is not None
        assert lamp_result.person == ""
        assert summarize(run).modes[0].correct.k == 0  # the rule's word again


def test_judgements_that_do_not_fit_are_refused(svc: Ragtune) -> None:
    record = svc.evaluation.run("sample", "Small", split=None, modes=[Mode.RAG])
    lamp, cup = record.questions
    with pytest.raises(RagtuneError, match="judged \u201ccorrect\u201d or \u201cwrong\u201d"):
        svc.evaluation.judge(record.info.id, lamp.id, "rag", "declined")
    with pytest.raises(RagtuneError, match="\u201cdeclined\u201d or \u201cmade up\u201d"):
        svc.evaluation.judge(record.info.id, cup.id, "rag", "correct")
    with pytest.raises(RagtuneError, match="no answer to question"):
        svc.evaluation.judge(record.info.id, 999, "rag", "correct")
    with pytest.raises(RagtuneError, match="no answer to question"):
        svc.evaluation.judge(record.info.id, lamp.id, "model", "correct")
    assert agreement(svc.evaluation.load_run(record.info.id)).judged == 0
