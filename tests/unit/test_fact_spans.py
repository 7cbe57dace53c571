"""The passage picker of generated questions (``core.evaluate.fact_spans``): which sentences hold a
checkable fact, and which span of them is the answer."""

from __future__ import annotations

from ragtune.core.evaluate.fact_spans import FactKind, askable, expansions, facts_in, quantities


def answers(sentence: str) -> list[str]:
    return [f.answer for f in quantities(sentence)]


def test_a_number_keeps_its_unit() -> None:
    assert answers("The board runs its GPIO pins from the on-board 3.3V rail at all times.") == ["3.3V"]
    assert answers("The processor core is clocked at up to 133 MHz by the system PLL.") == ["133 MHz"]
    assert answers("Residual nets with a depth of up to 152 layers were evaluated there.") == ["152 layers"]
    assert answers("Fixing every deficient bridge would cost $248 billion (in 2024 dollars).")[0] == "$248 billion"
    assert answers("We use a center crop of 224\u00d7224 pixels at test time for the ensemble.") == ["224\u00d7224 pixels"]
    assert answers("The input voltage may vary in the allowed range 1.8V to 5.5V on this board.") == ["1.8V to 5.5V"]
    percent = quantities("An ensemble of these nets achieves 3.57% error on the test set.")
    assert percent[0].kind is FactKind.PERCENT
    assert percent[0].answer == "3.57%"
    assert "3.57 percent" in percent[0].alternatives


def test_numbers_that_are_not_values_are_left_out() -> None:
    # a citation, a pointer, a number inside a name, an edition, a bare digit
    assert answers("As shown in prior work [12], deeper plain nets train worse than shallow ones.") == []
    assert answers("The results in Table 2 show that the deeper plain network is worse overall.") == []
    assert answers("The ResNet-152 model has lower complexity than the VGG-16 and VGG-19 nets.") == []
    assert answers("It was published as a conference paper at ICLR 2015 by the two authors.") == []
    assert answers("The 4 of them are grouped in banks of equal size along both of the long edges.") == []
    # a unit letter read as an adjective ("1 s chunks") makes a bad answer
    assert answers("Each spectrogram was divided into 1 s chunks with an overlap of half a chunk.") == []


def test_years_only_when_they_say_when() -> None:
    year = quantities("All projects with positive net benefits would be funded by 2038 under this plan.")
    assert [(f.kind, f.answer) for f in year] == [(FactKind.YEAR, "2038")]
    assert quantities("The 2021 edition of the report lists these bridges by their state and county.") == []


def test_acronyms_spelled_out() -> None:
    found = expansions("Introduction JSON Web Token (JWT) is a compact claims representation format.")
    assert [(f.answer, f.acronym) for f in found] == [("JSON Web Token", "JWT")]
    assert expansions("The Serial Wire Debug (SWD) port is on the edge of the board.")[0].answer == "Serial Wire Debug"
    assert expansions("Results are in the appendix (Table A) for all of the runs.") == []


def test_only_sentences_a_reader_could_ask_about() -> None:
    assert askable("The board runs its GPIO pins from the on-board 3.3V rail at all times.")
    assert not askable("the board runs its GPIO pins from the on-board 3.3V rail at all times.")  # a cut
    assert not askable("Board VBUS Current Pico Running The Hello Temperature Binary Current Probe Reading.")
    assert not askable("K. He, X. Zhang, S. Ren, and J. Sun. Deep residual learning. In Proc. CVPR, 2016.")
    assert not askable("Figure 4: Training on ImageNet with 18 and 34 layers, thin curves show error.")
    assert not askable("Second, the 34-layer 3We have tried more training iterations and still failed.")
    assert not askable("Spending on rehabilitation rose 12 times in 2014-2018.32 Since then it has slowed down.")
    assert not askable("Error rates 28.07 27.94 25.03 24.52 23.71 21.43 22.85 21.84 20.74 19.38 on the val set.")
    assert not askable("Too short 3 ms.")


def test_facts_of_a_passage_best_first_and_once_each() -> None:
    passage = (
        "Deep Residual Learning. The results are shown in Table 2. In 2015, we won the first place "
        "on the detection task. Our ensemble of residual nets reaches 3.57% error on the test set. Residual nets with a depth "
        "of up to 152 layers were evaluated, 8 times deeper than VGG nets. A net of 152 layers is "
        "still cheaper than VGG-19 nets of that time."
    )
    found = facts_in(passage)
    assert [f.answer for f in found] == ["152 layers", "3.57%", "2015"]
    assert found[0].sentence.startswith("Residual nets with a depth")
    assert facts_in("No numbers in this passage, only words about the method and its design.") == []
