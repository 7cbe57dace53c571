"""``ragtune eval`` as a user runs it: import (a bad row reported by line, the rest read), sets,
questions, split, export, a run with ``--json`` (one JSON document on stdout) with the real embedded
model, ``show`` with an HTML report and a comparison of two runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_support import ragtune
from ragtune import settings
from ragtune.core.services import Ragtune

ROWS = [
    {"question": "How many tonnes of apples did the Hillside orchard harvest?", "answer": "312 tonnes",
     "gold_file": "orchard.md", "split": "test"},
    {"question": "How many electric vans does the delivery fleet have?", "answer": "17",
     "gold_file": "fleet.txt", "split": "train"},
    {"question": "Who won the 1966 football World Cup?", "kind": "absent", "split": "test"},
]


@pytest.fixture
def library(tmp_path: Path, embedder: object, chat_model_path: Path) -> str:
    settings.save(settings.Settings(max_answer_tokens=32, passages=2))
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "orchard.md").write_text(
        "# Orchard report\n\nThe Hillside orchard harvested 312 tonnes of apples in 2025. The harvest "
        "began on 4 September and ended on 19 October, with 46 pickers working in two shifts. Most of "
        "the crop was Elstar; the rest was Jonagold and Boskoop, sold to the Ghent cooperative.\n"
    )
    (folder / "fleet.txt").write_text("The delivery fleet has 17 electric vans based in Ghent.\n")
    with Ragtune(embedder=embedder) as svc:  # type: ignore[arg-type]
        svc.library.index("kb", [folder])
    return "kb"


def test_eval_commands_end_to_end(library: str, tmp_path: Path) -> None:
    source = tmp_path / "facts.jsonl"
    lines = [json.dumps(r) for r in ROWS]
    lines.insert(1, '{"question": "Broken row", "gold_page": "two", "answer": "x"}')
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    imported = ragtune("eval", "import", str(source), "--library", library, check=False)
    assert imported.returncode == 1  # some rows were skipped
    assert "facts.jsonl: line 2: gold_page must be a whole number" in imported.stderr
    assert "Imported 3 questions into \u201cfacts\u201d" in imported.stdout

    sets = json.loads(ragtune("eval", "sets", "--library", library, "--json").stdout)
    assert sets == [{"name": "facts", "version": 2, "train": 1, "test": 2, "answerable": 2, "absent": 1}]
    listed = ragtune("eval", "questions", "--library", library, "--split", "test").stdout
    assert "Hillside" in listed
    assert "vans" not in listed

    run = ragtune("eval", "run", "--library", library, "--modes", "model,rag", "--json")
    doc = json.loads(run.stdout)  # stdout is one JSON document; progress goes to stderr
    assert doc["split"] == "test"
    assert doc["modes"] == ["model", "rag"]
    assert doc["status"] == "finished"
    rag = next(m for m in doc["summary"] if m["mode"] == "rag")
    assert rag["correct"] == {"k": 1, "n": 1, "share": 1.0, "low": rag["correct"]["low"], "high": 1.0}
    assert rag["declined_absent"]["k"] == 1
    assert doc["retrieval"]["recall"]["1"]["k"] == 1
    assert len(doc["results"]) == 4
    assert doc["verdict"]
    assert doc["config"]["model"]["sha256"]

    again = json.loads(ragtune("eval", "run", "--library", library, "--modes", "rag", "--json").stdout)
    report = tmp_path / "report.html"
    shown = ragtune("eval", "show", str(again["run"]), "--against", str(doc["run"]), "--html", str(report))
    assert f"Run {again['run']}" in shown.stdout
    assert "Against run" in shown.stdout
    assert "RAG: correct 1/1 -> 1/1" in shown.stdout
    assert "<svg" in report.read_text(encoding="utf-8")
    runs = ragtune("eval", "show").stdout
    assert "kb / facts" in runs

    out = tmp_path / "train.csv"
    ragtune("eval", "export", str(out), "--library", library, "--split", "train")
    assert "electric vans" in out.read_text(encoding="utf-8")
    assert "Hillside" not in out.read_text(encoding="utf-8")


def test_eval_errors_are_plain(library: str) -> None:
    missing = ragtune("eval", "run", "--library", library, check=False)
    assert missing.returncode == 2
    assert "has no question set yet" in missing.stderr
    bad = ragtune("eval", "show", "99", check=False)
    assert bad.returncode == 2
    assert "no evaluation run 99" in bad.stderr


def test_eval_generate_writes_checked_questions(library: str) -> None:
    made = ragtune("eval", "generate", "--library", library, "-n", "1", "--absent", "0", "--json")
    report = json.loads(made.stdout)
    assert report["tried"] >= 1
    assert report["kept"] == len(report["questions"]) <= 1
    assert report["kept"] + sum(report["dropped"].values()) == report["facts_tried"]
    assert len(report["dropped_questions"]) <= sum(report["dropped"].values())
    for dropped in report["dropped_questions"]:  # each written and dropped question says why
        assert dropped["reason"] in report["dropped"]
    for q in report["questions"]:  # kept ones name their source and were added to the set
        assert q["origin"] == "generated"
        assert q["gold_file"].endswith("orchard.md")
    sets = json.loads(ragtune("eval", "sets", "--library", library, "--json").stdout)
    assert sets[0]["name"] == "Generated" if report["kept"] else sets == []
