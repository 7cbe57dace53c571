"""The training-set builder on the sample library with the real embedder, real SQLite and the real
embedded chat model's tokenizer: no test-split question reaches an example (the split leak test),
the decline share is an exact seeded count, the prompts are exactly the inference prompts, and each
grounded target cites the gold passage's number."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ragtune import paths
from ragtune.core.evaluate.correctness import is_correct
from ragtune.core.evaluate.questions import Question, Split
from ragtune.core.evaluate.service import SAMPLE_SET_NAME
from ragtune.core.finetune.examples import (
    build_training_set,
    decline_count,
    decline_target,
    jsonl_sha256,
    write_jsonl,
)
from ragtune.core.finetune.service import FineTune
from ragtune.core.finetune.types import DECLINE, GROUNDED, STYLE
from ragtune.core.generation.prompts import fit_prompt
from ragtune.core.services import Ragtune
from ragtune.core.types import Hit
from ragtune.settings import Settings

LIBRARY = "sample"


@pytest.fixture
def sample(embedder: Any) -> Iterator[tuple[Ragtune, list[Question]]]:
    """The indexed sample library and its question set (made when first asked for)."""
    with Ragtune(embedder=embedder) as svc:
        svc.library.index(LIBRARY, [paths.sample_library_dir()])
        svc.evaluation.question_sets(LIBRARY)
        yield svc, svc.evaluation.questions(LIBRARY, SAMPLE_SET_NAME)


def _search(svc: Ragtune) -> Any:
    def search(question: str) -> list[Hit]:
        return svc.library.search(LIBRARY, question, 10)

    return search


def _text(messages: list[dict[str, str]]) -> str:
    return " ".join(" ".join(m["content"].lower().split()) for m in messages)


def test_training_set_from_the_sample_library(sample: tuple[Ragtune, list[Question]], engine: Any) -> None:
    svc, items = sample
    settings = Settings()
    train = [q for q in items if q.split == Split.TRAIN]
    test = [q for q in items if q.split == Split.TEST]
    assert train
    assert test
    search = _search(svc)
    report = build_training_set(
        train, search, engine.count_chat_tokens, engine.n_ctx, settings, 0.2, 0, held_out=test, source="sample"
    )
    print(report.counts())
    # the sample library is small (10 chunks for 45 questions): the passage-level leak rule leaves out
    # most train items, whose passages also show a test item's answer
    assert report.grounded >= 3
    assert report.held_out >= 1
    assert report.absent >= 1
    # (b) the decline share: an exact count of all the examples (absent items included, issue 20),
    # the same on every run
    everything = report.grounded + report.decline + report.absent
    assert report.decline + report.absent == decline_count(everything, 0.2) >= 1
    again = build_training_set(train, search, engine.count_chat_tokens, engine.n_ctx, settings, 0.2, 0,
                               held_out=test, source="sample")
    assert again.examples == report.examples
    assert again.sha256 == report.sha256
    other_seed = build_training_set(train, search, engine.count_chat_tokens, engine.n_ctx, settings, 0.2, 7,
                                    held_out=test)
    assert other_seed.decline == report.decline

    # (a) the split leak test: no test-split question appears in any example
    by_id = {q.id: q for q in items}
    for ex in report.examples:
        text = _text(ex.messages)
        assert ex.question_id is not None
        assert by_id[ex.question_id].split == Split.TRAIN
        assert not [q.question for q in test if " ".join(q.question.lower().split()) in text]
    with pytest.raises(ValueError, match="train split"):
        build_training_set(test, search, engine.count_chat_tokens, engine.n_ctx, settings)
    # ... nor a test item's passage: no passage shown on a test item's gold file/page states its answer
    for ex in report.examples:
        hits = {h.chunk_id: h for h in search(by_id[ex.question_id or 0].question)}
        shown_text = dict(re.findall(r"^\[(\d+)\] [^\n]*?: (.*)$", ex.messages[1]["content"], flags=re.M))
        for n, chunk_id in enumerate(ex.chunk_ids, 1):
            hit = hits[chunk_id]
            for q in test:
                if q.expected and q.is_gold(hit.path, hit.page):
                    assert not is_correct(shown_text[str(n)], q), (q.question, shown_text[str(n)])

    for ex in report.examples:
        item = by_id[ex.question_id or 0]
        system, user, assistant = ex.messages
        assert [m["role"] for m in ex.messages] == ["system", "user", "assistant"]
        numbered = re.findall(r"^\[(\d+)\] ", user["content"], flags=re.M)
        assert len(numbered) == len(ex.chunk_ids) == settings.passages
        # (c) template identity: the prompt is what answer_question's fit_prompt call makes for
        # the same question and the same passages in the same order
        hits = {h.chunk_id: h for h in search(item.question)}
        shown = [hits[c] for c in ex.chunk_ids]
        expected, _, _ = fit_prompt(item.question, shown, engine.count_chat_tokens, engine.n_ctx,
                                    settings.max_answer_tokens)
        assert [system, user] == expected
        golds = [str(n) for n, h in enumerate(shown, 1) if item.is_gold(h.path, h.page)]
        if ex.kind == GROUNDED:
            # (d) the target cites the number of the gold passage in its prompt
            cited = re.findall(r"\[(\d+)\]", assistant["content"])
            assert cited, assistant
            assert cited[0] in golds, (assistant, golds)
            assert item.answer.lower().rstrip(".") in assistant["content"].lower()
        else:
            assert ex.kind == DECLINE
            assert not golds  # the gold passage was left out
            assert assistant["content"] == decline_target(item.question)


def test_an_all_test_set_raises_and_the_service_writes_jsonl(
    sample: tuple[Ragtune, list[Question]], tmp_path: Path, engine: Any
) -> None:
    svc, items = sample
    test = [q for q in items if q.split == Split.TEST]
    with pytest.raises(ValueError, match="train split"):
        build_training_set(test, _search(svc), engine.count_chat_tokens, engine.n_ctx, Settings())
    held = [replace(q, split=Split.TRAIN) for q in test]
    leaked = build_training_set(held, _search(svc), engine.count_chat_tokens, engine.n_ctx, Settings(),
                                held_out=test)
    assert leaked.examples == []
    assert leaked.held_out > 0

    style = tmp_path / "voice.jsonl"
    style.write_text(
        json.dumps({"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Ahoy!"}]})
        + "\nnot json\n", encoding="utf-8")
    finetune = FineTune(svc.library, svc.models, svc.evaluation)
    report = finetune.training_set(LIBRARY, SAMPLE_SET_NAME, jsonl=[style])
    assert report.style == 1
    assert report.errors == ["voice.jsonl: line 2: not valid JSON (Expecting value)"]
    assert report.examples[-1].kind == STYLE
    assert report.examples[-1].source == "voice.jsonl"
    out = tmp_path / "set.jsonl"
    write_jsonl(report.examples, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(report.examples)
    assert all(set(json.loads(x)) == {"messages"} for x in lines)
    assert report.sha256 == jsonl_sha256(report.examples)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == report.sha256
