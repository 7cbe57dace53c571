"""A library whose text is mostly not English gets the multilingual embedding model recommended;
an English one keeps the embedded model. Real files, real index, the real language detector."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ragtune.core.languages import language_mix
from ragtune.core.services import Ragtune
from ragtune.settings import Settings

GERMAN = [
    "Der Vertrag tritt am ersten Januar in Kraft und gilt für die Dauer von drei Jahren, sofern er "
    "nicht vorher schriftlich gekündigt wird.",
    "Die Mieterin verpflichtet sich, die Wohnung in einem ordnungsgemäßen Zustand zu halten und "
    "Schäden unverzüglich dem Vermieter zu melden.",
    "Alle Streitigkeiten aus diesem Vertrag werden vor dem zuständigen Gericht in München verhandelt.",
]
ENGLISH = [
    "The agreement takes effect on the first of January and runs for three years unless it is "
    "terminated earlier in writing.",
    "The tenant agrees to keep the flat in good order and to report any damage to the landlord "
    "without delay.",
]


def test_language_mix_weighs_passages_by_length() -> None:
    mix = language_mix(GERMAN + ENGLISH[:1] + ["ok"])  # too short to count
    assert mix.passages == 4
    assert mix.shares[0][0] == "de"
    assert mix.mostly_not_english
    assert mix.describe().startswith("German")
    assert not language_mix(ENGLISH).mostly_not_english
    assert language_mix([]).passages == 0
    assert not language_mix([]).mostly_not_english


def test_a_german_library_gets_the_multilingual_model_recommended(tmp_path: Path, embedder: Any) -> None:
    (tmp_path / "de").mkdir()
    (tmp_path / "en").mkdir()
    for i, text in enumerate(GERMAN):
        (tmp_path / "de" / f"vertrag{i}.txt").write_text(text + "\n", encoding="utf-8")
    for i, text in enumerate(ENGLISH):
        (tmp_path / "en" / f"lease{i}.txt").write_text(text + "\n", encoding="utf-8")
    with Ragtune(db_path=tmp_path / "lib.db", settings=Settings(), embedder=embedder) as svc:
        svc.library.index("verträge", [tmp_path / "de"])
        svc.library.index("leases", [tmp_path / "en"])
        german = {o.name: o for o in svc.library.embedders.options("verträge")}
        recommended = [o for o in german.values() if o.recommended]
        assert len(recommended) == 1
        assert recommended[0].entry is not None
        assert recommended[0].entry.multilingual
        assert [o.name for o in german.values() if o.current] == ["all-MiniLM-L6-v2 (int8 ONNX)"]
        english = [o for o in svc.library.embedders.options("leases") if o.recommended]
        assert len(english) == 1
        assert english[0].entry is not None
        assert english[0].entry.embedded
