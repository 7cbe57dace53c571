"""Documents that look like real ones, for the shipped adapter: two-column research papers and
reports with numbered sections, written as PDFs, made up here (never the dev set, never a real
paper). What makes real documents hard is built in:

- **siblings**: every paper has two variants of its model (``Corvid-Base`` and ``Corvid-Large``)
  whose figures stand in the same sentence or the same table; every report two programmes or
  several regions. Questions ask about one of them, so the adapter must pick the right neighbour;
- **tables** without full stops (rows of names and numbers), **figure captions**, **hyphenation**
  at line ends (``perfor-`` / ``mance``), two columns, and references with bracketed numbers;
- **absent questions** about a sibling the document does not cover (``Corvid-XL``), another
  dataset, or a fact of the right kind that is not given, whose target is Ragtune's decline.

The answer taught states the fact first and quotes the document's sentence second (RAFT's
quote-then-answer, in that order so the value comes before the quote): "Corvid-Large reaches 84.1
F1 on ReefQA. The source says: “On ReefQA, Corvid-Large reaches 84.1 F1, 2.3 points above
Corvid-Base (81.8).”". The bare value is an alternative, so the training-set builder finds the
passage that states it.
"""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

from ragtune.core.evaluate.questions import Kind, Origin, Question, Split

FAMILIES = ("Corvid", "Tessel", "Marlin", "Quillon", "Halcyon", "Brisket", "Sorrel", "Kestrel", "Umber", "Vireo")
DATASETS = ("ReefQA", "TideBench", "Lumen-5k", "AtlasNER", "Fathom-2", "Quarry", "DuneSum", "Glacier-QA")
VARIANTS = (("Base", "Large"), ("Small", "Medium"), ("18", "50"), ("Lite", "Pro"))
MISSING_VARIANT = {"Base": "XL", "Small": "Huge", "18": "152", "Lite": "Max"}
METRICS = ("F1", "accuracy", "exact match", "BLEU")
TERMS = ("gradient starvation", "context collapse", "label drift", "shortcut saturation", "depth fatigue")
REGIONS = ("Arden", "Belmoor", "Calder", "Dunmore", "Everly", "Fairhaven", "Glenrock", "Hollins")
PROGRAMS = ("Span Renewal", "Rural Crossings", "Culvert Safety", "Freight Bridge", "Coastal Resilience")
FILLER = (
    "Prior work has studied this setting extensively, although most evaluations use small test sets [4].",
    "We release code and checkpoints to make the comparison reproducible.",
    "The remainder of this section describes the setup in more detail.",
    "Results are averaged over three seeds; the standard deviation is below 0.3 in all cases.",
    "This observation is consistent with earlier findings on related benchmarks [7, 9].",
    "Appendix B lists every hyperparameter and the hardware used.",
)


def _variant(family: str, v: str) -> str:
    return f"{family}-{v}"


def _statement(question: str, text: str, sentence: str, value: str, file: str, page: int) -> Question:
    answer = f"{text}. The source says: \u201c{sentence}\u201d"
    return Question(question, answer, (value,), gold_file=file, gold_page=page, kind=Kind.ANSWERABLE,
                    split=Split.TRAIN, origin=Origin.WRITTEN)


def _absent(question: str) -> Question:
    return Question(question, kind=Kind.ABSENT, split=Split.TRAIN, origin=Origin.WRITTEN)


def _paper(rng: random.Random, index: int) -> tuple[str, list[tuple[str, list[Question]]], list[Question]]:
    """One paper: its title, its paragraphs (each with the questions its sentences answer), and
    absent questions."""
    f = FAMILIES[index % len(FAMILIES)]
    v1, v2 = VARIANTS[index % len(VARIANTS)]
    a, b = _variant(f, v1), _variant(f, v2)
    d1, d2 = rng.sample(DATASETS, 2)
    metric = METRICS[index % len(METRICS)]
    p1 = rng.choice((60, 85, 110, 125))
    p2 = p1 * rng.choice((3, 4)) + rng.choice((0, 5, 10))
    m1 = round(rng.uniform(55, 80), 1)
    m2 = round(m1 + rng.uniform(1.2, 4.5), 1)
    batch = rng.choice((128, 256, 512, 1024))
    lr = rng.choice(("1e-4", "3e-4", "5e-5", "2e-4"))
    days = rng.choice((3, 4, 6, 9, 12))
    gpus = rng.choice((8, 16, 32, 64))
    e1 = round(rng.uniform(8, 20), 2)
    e2 = round(e1 - rng.uniform(0.5, 3), 2)
    term = TERMS[index % len(TERMS)]
    epochs = rng.choice((30, 40, 90, 120))
    fig = rng.choice((2, 3, 4))
    table = rng.choice((2, 3, 5))
    s_params = f"{a} has {p1} million parameters, while {b} has {p2} million."
    s_metric = f"On {d1}, {b} reaches {m2} {metric}, {round(m2 - m1, 1)} points above {a} ({m1})."
    s_train = f"All models are trained with a batch size of {batch} and a peak learning rate of {lr}."
    s_days = f"Training {b} took {days} days on {gpus} GPUs."
    s_term = f"We refer to this sharp drop in training accuracy as {term}."
    caption = f"Figure {fig}: Validation loss of {b} over {epochs} epochs."
    t_caption = f"Table {table}: Error rate (%) on {d2}, lower is better."
    paragraphs: list[tuple[str, list[Question]]] = [
        (f"Abstract. We present {f}, a family of models for reading long documents. {s_params} "
         f"{FILLER[index % len(FILLER)]} {s_metric}", [
            _statement(f"How many parameters does {b} have?", f"{b} has {p2} million parameters", s_params, f"{p2} million", "", 1),
            _statement(f"How many parameters does {a} have?", f"{a} has {p1} million parameters", s_params, f"{p1} million", "", 1),
            _statement(f"What {metric} does {b} reach on {d1}?", f"{b} reaches {m2} {metric} on {d1}", s_metric, str(m2), "", 1),
            _statement(f"What {metric} does {a} get on {d1}?", f"{a} gets {m1} {metric} on {d1}", s_metric, str(m1), "", 1),
        ]),
        (f"1 Introduction. When models grow deeper, training accuracy can fall sharply before it "
         f"recovers. {s_term} {FILLER[(index + 1) % len(FILLER)]}", [
            _statement(f"What do the {f} authors call the sharp drop in training accuracy?", f"They call it {term}", s_term, term, "", 1),
        ]),
        (f"2 Training setup. {s_train} {FILLER[(index + 2) % len(FILLER)]} {s_days}", [
            _statement(f"What batch size were the {f} models trained with?", f"The {f} models were trained with a batch size of {batch}", s_train, str(batch), "", 1),
            _statement(f"What peak learning rate did the {f} authors use?", f"The peak learning rate was {lr}", s_train, lr, "", 1),
            _statement(f"How long did it take to train {b}?", f"Training {b} took {days} days", s_days, f"{days} days", "", 1),
        ]),
        (f"{t_caption}\nModel        Params   Error\n{a}   {p1}M   {e1}\n{b}   {p2}M   {e2}\n{caption}", [
            _statement(f"According to Table {table}, what error rate does {a} get on {d2}?", f"{a} gets an error rate of {e1}% on {d2}", f"{a} {p1}M {e1}", str(e1), "", 1),
            _statement(f"Over how many epochs is the validation loss of {b} shown in Figure {fig}?", f"Figure {fig} shows {epochs} epochs", caption, f"{epochs} epochs", "", 1),
        ]),
    ]
    other = rng.choice([d for d in DATASETS if d not in (d1, d2)])
    absent = [
        _absent(f"How many parameters does {_variant(f, MISSING_VARIANT[v1])} have?"),
        _absent(f"What {metric} does {b} reach on {other}?"),
        _absent(f"How many researchers worked on the {f} project in {rng.choice((2019, 2021, 2023))}?"),
    ]
    return f"{f}: reading long documents with {b}", paragraphs, absent


def _report(rng: random.Random, index: int) -> tuple[str, list[tuple[str, list[Question]]], list[Question]]:
    """One report with numbered sections, two programmes and a table of districts (names unique to
    the report, so no question has two answers across the corpus)."""
    place = REGIONS[index % len(REGIONS)]
    p1 = f"{place} {PROGRAMS[index % len(PROGRAMS)]}"
    p2 = f"{place} {PROGRAMS[(index + 1) % len(PROGRAMS)]}"
    x = round(rng.uniform(5, 30), 1)
    y = round(rng.uniform(2, 15), 1)
    districts = [f"{place} District {k}" for k in range(1, 5)]
    rows = [(r, rng.randrange(4000, 25000), round(rng.uniform(2, 19), 1)) for r in districts]
    months = rng.choice((12, 24, 48))
    year = rng.choice((2019, 2020, 2021, 2022))
    share = rng.choice((50, 80, 90))
    s_money = f"The act provides ${x} billion over five years for the {p1} Program and ${y} billion for the {p2} Program."
    s_inspect = f"Under the {p2} Program, bridges must be inspected at least every {months} months."
    s_share = f"The federal share of a {p2} Program project is at most {share}% of its cost."
    s_year = f"The {p1} Program was authorized in {year}."
    table_lines = "\n".join(f"{r}   {n:,}   {pct}" for r, n, pct in rows)
    paragraphs: list[tuple[str, list[Question]]] = [
        (f"Summary. {s_money} {s_year} {FILLER[index % len(FILLER)]}", [
            _statement(f"How much does the act provide for the {p2} Program?", f"The act provides ${y} billion for the {p2} Program", s_money, f"${y} billion", "", 1),
            _statement(f"How much does the act provide for the {p1} Program?", f"The act provides ${x} billion for the {p1} Program", s_money, f"${x} billion", "", 1),
            _statement(f"In which year was the {p1} Program authorized?", f"It was authorized in {year}", s_year, str(year), "", 1),
        ]),
        (f"3.2 Inspection. {s_inspect} {s_share}", [
            _statement(f"How often must bridges under the {p2} Program be inspected?", f"At least every {months} months", s_inspect, f"{months} months", "", 1),
            _statement(f"What is the maximum federal share of a {p2} Program project?", f"At most {share}% of its cost", s_share, f"{share}%", "", 1),
        ]),
        (f"Table 1. Bridges in poor condition by district\nDistrict   Bridges   Poor (%)\n{table_lines}", [
            _statement(f"What percentage of the bridges in {r} are in poor condition?", f"{pct}% of the bridges in {r} are in poor condition", f"{r} {n:,} {pct}", str(pct), "", 1)
            for r, n, pct in rows[:2]
        ]),
    ]
    absent = [
        _absent(f"What percentage of the bridges in {place} District 9 are in poor condition?"),
        _absent(f"How much does the act provide for the {place} {PROGRAMS[(index + 3) % len(PROGRAMS)]} Program?"),
        _absent(f"What is the average age of the bridges in {place}?"),
    ]
    return f"{place} bridge programmes: a report", paragraphs, absent


def _lines(text: str, width: int = 46) -> list[str]:
    """``text`` wrapped to a narrow column, long words hyphenated at the line end as print does."""
    out: list[str] = []
    for block in text.split("\n"):
        line = ""
        for word in block.split():
            if len(line) + 1 + len(word) <= width:
                line = f"{line} {word}".strip()
                continue
            room = width - len(line) - 2
            if len(word) >= 8 and room >= 4 and word.isalpha():
                out.append(f"{line} {word[:room]}-".strip())
                line = word[room:]
            else:
                out.append(line)
                line = word
        out.append(line)
    return out


def _write_pdf(path: Path, title: str, paragraphs: list[str]) -> None:
    """Write ``paragraphs`` as a two-column PDF."""
    import fitz  # PyMuPDF

    doc = fitz.open()
    page = doc.new_page()
    page.insert_text((50, 50), title, fontsize=13)
    x_positions, top, bottom, step = (50, 310), 80, 420, 11  # short columns: text flows across both
    column, y = 0, top
    for text in paragraphs:
        for line in [*_lines(text), ""]:
            if y > bottom:
                column += 1
                y = top
                if column == 2:
                    page = doc.new_page()
                    column = 0
            page.insert_text((x_positions[column], y), line, fontsize=9)
            y += step
    doc.save(path)
    doc.close()


def make_paper_corpus(folder: Path, seed: int = 11, papers: int = 10, reports: int = 5) -> list[Question]:
    """Write the PDFs into ``folder`` and return their question set (train split)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    items: list[Question] = []
    made = [("paper", i, _paper(rng, i)) for i in range(papers)] + [("report", i, _report(rng, i)) for i in range(reports)]
    for kind, i, (title, paragraphs, absent) in made:
        name = f"{kind}-{i + 1:02d}.pdf"
        texts = [p for p, _ in paragraphs]
        if kind == "paper":
            texts.append("References\n" + "\n".join(f"[{n}] A. Author. {textwrap.shorten(t, 40)}. 20{10 + n}." for n, t in enumerate(FILLER, 1)))
        _write_pdf(folder / name, title, texts)
        for _, questions in paragraphs:  # any page of the file (a paragraph may run onto the next)
            items += [Question(q.question, q.answer, q.alternatives, gold_file=name, kind=q.kind,
                               split=q.split, origin=q.origin) for q in questions]
        items += absent
    return items
