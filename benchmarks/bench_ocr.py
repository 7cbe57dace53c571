"""OCR speed and character accuracy on image-only PDF pages made from known text.

    .venv/bin/python benchmarks/bench_ocr.py [--dpi 100 150 200] [--repeat 1]

Pages are typeset with PyMuPDF, rendered to a 150 dpi PNG (a typical scan) and placed on an
image-only page (tests/scan_factory.py): one column at 11 pt and at 8 pt, 8 pt scanned at only
96 dpi, two columns at 10 pt, a page with /Rotate and one whose image is turned sideways. Each is OCR'd by Ragtune's OCR
(``ragtune.core.ingest.parsers.ocr``) at each render resolution. Prints per resolution and per
kind of page: pages per second and character accuracy (1 - edit distance / length of the known
text, whitespace collapsed), with speed as a ratio against Ragtune's default resolution.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from scan_factory import ScanSpec, add_scanned_page

PROSE = (
    "Ragtune reads scanned pages with an offline engine. The glacier survey of 2023 measured a "
    "retreat of 11.4 metres at the northern front, twice the figure recorded in 2019; the team "
    "used a theodolite, two GPS receivers and a drone. Costs came to 48,250 euros, of which the "
    "county paid 60 percent. "
)
LEFT = "Apples ripen in the western orchard before the pears are picked in late September. " * 6
RIGHT = "Submarines surfaced near the eastern pier after the winter storms had passed. " * 6

#: name, page, its text, resolution of its scanned image
PAGES: list[tuple[str, ScanSpec, str, int]] = [
    ("11 pt", ScanSpec(PROSE * 4), PROSE * 4, 150),
    ("8 pt", ScanSpec(PROSE * 6, fontsize=8), PROSE * 6, 150),
    ("8 pt, 96 dpi", ScanSpec(PROSE * 6, fontsize=8), PROSE * 6, 96),
    ("two columns", ScanSpec(LEFT, RIGHT, fontsize=10), LEFT + RIGHT, 150),
    ("/Rotate 90", ScanSpec(PROSE * 2, kind="rotate"), PROSE * 2, 150),
    ("sideways", ScanSpec(PROSE * 2, kind="sideways"), PROSE * 2, 150),
]


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def accuracy(got: str, want: str) -> float:
    got, want = " ".join(got.split()), " ".join(want.split())
    return max(0.0, 1 - levenshtein(got, want) / max(1, len(want)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, nargs="+", default=[100, 150, 200])
    parser.add_argument("--repeat", type=int, default=1, help="times each page is OCR'd per resolution")
    args = parser.parse_args()

    import pymupdf

    from ragtune.core.ingest.parsers.ocr import OCR_DPI, engine, ocr_page

    started = time.perf_counter()
    engine()
    print(f"engine loaded in {time.perf_counter() - started:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        doc = pymupdf.open()
        for _name, spec, _text, scan_dpi in PAGES:
            add_scanned_page(doc, spec, scan_dpi)
        doc.save(Path(tmp) / "bench.pdf")  # image-only pages, as a file would hold them
        doc.close()
        doc = pymupdf.open(Path(tmp) / "bench.pdf")
        rates: dict[int, float] = {}
        print(f"{'dpi':>4}  {'page':<12} {'s/page':>7}  {'accuracy':>8}")
        for dpi in args.dpi:
            total_s, scores = 0.0, []
            for index, (name, _spec, want, _scan_dpi) in enumerate(PAGES):
                t0 = time.perf_counter()
                for _ in range(args.repeat):
                    text = ocr_page(doc[index], dpi).text
                seconds = (time.perf_counter() - t0) / args.repeat
                total_s += seconds
                scores.append(accuracy(text, want))
                print(f"{dpi:>4}  {name:<12} {seconds:7.2f}  {scores[-1]:8.2%}")
            rates[dpi] = len(PAGES) / total_s
            print(f"{dpi:>4}  {'all':<12} {rates[dpi]:.2f} pages/s, mean accuracy {sum(scores) / len(scores):.2%}")
        doc.close()
    if OCR_DPI in rates:
        print(f"speed against Ragtune's default {OCR_DPI} dpi:")
        for dpi, rate in rates.items():
            print(f"  {dpi} dpi: x{rate / rates[OCR_DPI]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
