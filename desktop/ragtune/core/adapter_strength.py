"""The strength an adapter was measured best at, kept beside it (issue 20, "The adapter's strength,
chosen by measurement").

After training, the bench tries the new adapter at a few strengths on a validation part of the train
split (``core.finetune.strength``) and writes the choice to ``<adapter>.strength.json``: the
strength, each strength's score with its counts, how many validation questions, and from which set.
``chosen_strength`` reads it back, so the window's adapter list and ``--adapter PATH`` offer the
adapter at that strength (``answer_types.default_strength``). A missing, damaged or nonsensical
file is ignored: the adapter is then offered at full strength, as trained.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

SUFFIX = ".strength.json"


@dataclass(frozen=True)
class StrengthScore:
    """One strength's result on the validation questions (RAG + adapter): correct answers and
    answerable questions declined; the score is their difference."""

    strength: float
    correct: int
    declined: int
    answerable: int

    @property
    def score(self) -> int:
        return self.correct - self.declined


@dataclass(frozen=True)
class StrengthChoice:
    """The strength chosen for an adapter and the figures it was chosen on."""

    strength: float
    scores: list[StrengthScore] = field(default_factory=list)
    set_name: str = ""
    validation: int = 0  # answerable validation questions

    def text(self) -> str:
        """``Strength 50 %, chosen on 6 validation questions of the train split of “Papers”
        (correct minus declined: 25 % 2, 50 % 4, 75 % 3, 100 % 1).``"""
        tried = ", ".join(f"{s.strength:.0%} {s.score}" for s in self.scores)
        return (f"Strength {self.strength:.0%}, chosen on {self.validation} validation questions of the train split "
                f"of \u201c{self.set_name}\u201d (correct \u2212 declined: {tried}).")


def choice_path(adapter: str | Path) -> Path:
    return Path(adapter).with_name(Path(adapter).name + SUFFIX)


def save_choice(adapter: str | Path, choice: StrengthChoice) -> Path:
    """Write ``choice`` beside ``adapter`` (atomically: a crash leaves the old file or the new)."""
    path = choice_path(adapter)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(asdict(choice), indent=2), encoding="utf-8")
    tmp.replace(path)
    return path


def load_choice(adapter: str | Path) -> StrengthChoice | None:
    """The choice stored beside ``adapter``; None when there is none or it cannot be read."""
    try:
        data = json.loads(choice_path(adapter).read_text(encoding="utf-8"))
        strength = float(data["strength"])
        scores = [StrengthScore(float(s["strength"]), int(s["correct"]), int(s["declined"]), int(s["answerable"]))
                  for s in data.get("scores", [])]
        if not math.isfinite(strength) or not 0.0 < strength <= 1.0:
            return None
        return StrengthChoice(strength, scores, str(data.get("set_name", "")), int(data.get("validation", 0)))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def chosen_strength(adapter: str | Path) -> float | None:
    choice = load_choice(adapter)
    return choice.strength if choice is not None else None
