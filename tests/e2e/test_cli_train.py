"""``ragtune train`` as a user runs it (issue 10): a small question set of the sample library, one
epoch on the embedded model in the training child process; the adapter lands in the adapters
folder, passes validation, and the bench judges it on the test split in all four modes, all in one
JSON document. Then the contract's refusals: an existing name, a name that is not a file name, a
learning rate out of range, a server engine (no GGUF file to train from)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_support import ragtune
from ragtune import paths
from ragtune import settings as settings_store
from ragtune.core.engine_profile import EngineKind
from ragtune.core.evaluate.questions import Kind, Question, Split
from ragtune.core.services import Ragtune
from ragtune.settings import Settings

# one model load in the training child, one in the CLI for the bench; minutes on a busy box
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

LAMP = "solar-garden-lamp-manual.md"
POLICY = "harbor-city-library-lending-policy.pdf"
SET = "Tiny"
ITEMS = [
    Question("How long is the warranty on the solar garden lamp?", "18 months", gold_file=LAMP, split=Split.TRAIN),
    Question("How many days can I borrow a DVD?", "7 days", gold_file=POLICY, split=Split.TRAIN),
    Question("How long can books be borrowed from the library?", "21 days", gold_file=POLICY, split=Split.TRAIN),
    Question("Who won the 1966 football World Cup?", kind=Kind.ABSENT, split=Split.TRAIN),
    Question("What is the late fee for an adult item?", "25 cents per day", gold_file=POLICY, split=Split.TEST),
]


@pytest.fixture
def library(embedder: object, chat_model_path: Path) -> str:
    settings_store.save(Settings(threads=2, context_size=2048, max_answer_tokens=24))
    with Ragtune(embedder=embedder) as svc:  # type: ignore[arg-type]
        svc.library.index("sample", [paths.sample_library_dir()])
        svc.evaluation.add_questions("sample", SET, ITEMS, [True] * len(ITEMS))
    return "sample"


def test_train_then_bench_end_to_end(library: str) -> None:
    done = ragtune("train", "-l", library, "--set", SET, "--name", "tiny-cite", "--epochs", "1",
                   "--learning-rate", "0.001", "--decline-share", "0", "--json", timeout=1500)
    doc = json.loads(done.stdout)
    adapter = paths.adapters_dir() / "tiny-cite.gguf"
    assert doc["adapter"] == str(adapter)
    assert adapter.is_file()
    assert doc["name"] == "tiny-cite"
    counts = doc["training_set"]
    assert counts["grounded"] + counts["absent"] == counts["examples"] == doc["examples"] >= 2
    assert counts["decline"] == 0
    assert doc["steps"] == doc["total_steps"] >= 1
    assert doc["stopped"] == "done"
    assert doc["device"] == "cpu"
    assert Path(doc["training_set"]["path"]).is_file()
    assert not (paths.training_dir("tiny-cite") / "checkpoint.pt").exists()  # removed once validated
    bench = doc["bench"]
    assert bench["split"] == "test"
    assert bench["modes"] == ["model", "rag", "adapter", "rag+adapter"]
    assert bench["status"] == "finished"
    assert len(bench["results"]) == 4
    assert bench["verdict"].strip()
    assert "Building the training set" in done.stderr
    assert "Training step 1/" in done.stderr  # the core's progress line (TrainProgress.text)
    assert "Adapter tiny-cite trained: " in done.stderr  # the core's summary (TrainedAdapter.summary)
    assert "Judging the adapter on the test split of \u201cTiny\u201d" in done.stderr

    again = ragtune("train", "-l", library, "--set", SET, "--name", "tiny-cite", check=False)
    assert again.returncode == 2
    assert "an adapter named \u201ctiny-cite\u201d exists" in again.stderr
    assert adapter.is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "../escape"], "cannot name an adapter"),
        (["--name", "ok", "--learning-rate", "5"], "the learning rate must be between 0 and 1"),
        (["--name", "ok", "--epochs", "0"], "epochs must be at least 1"),
    ],
)
def test_bad_train_arguments_are_refused(library: str, args: list[str], message: str) -> None:
    bad = ragtune("train", "-l", library, "--set", SET, "--no-bench", *args, check=False)
    assert bad.returncode == 2, bad.stdout + bad.stderr
    assert message in bad.stderr
    assert not list(paths.adapters_dir().glob("*.gguf"))


def test_a_server_engine_cannot_train(library: str) -> None:
    settings_store.save(Settings(engine=EngineKind.OPENAI, engine_url="http://127.0.0.1:9/v1"))
    bad = ragtune("train", "-l", library, "--set", SET, "--name", "x", "--no-bench", check=False)
    assert bad.returncode == 2
    assert "the chat model now runs on a server" in bad.stderr
    assert "Switch the engine to the local model" in bad.stderr
