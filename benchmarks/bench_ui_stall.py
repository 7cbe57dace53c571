"""How long the window's UI thread is ever busy while indexing and while answering (offscreen).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_ui_stall.py [--files 40]

A 10 ms timer runs on the UI thread; the longest gap between two ticks, less the interval, is the
longest time the window could not repaint or react. Measured while a folder of text files and PDFs
is dropped and indexed, then while a RAG answer streams.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="ragtune-bench-") as tmp:
        os.environ["RAGTUNE_HOME"] = str(Path(tmp) / "home")
        os.environ.setdefault("RAGTUNE_MODELS_DIR", str(Path(tempfile.gettempdir()) / "ragtune-bench-models"))
        from PySide6.QtWidgets import QApplication

        from ragtune.core.services import Ragtune
        from ragtune.gui.main_window import MainWindow
        from window_support import (
            StallMeter,
            drop_paths,
            make_documents,
            make_many_texts,
            wait_until,
        )

        app = QApplication([])
        folder = make_documents(Path(tmp) / "docs")
        make_many_texts(folder / "records", args.files)
        with Ragtune() as svc:
            svc.models.ensure_models()
            window = MainWindow(svc)
            window.show()
            app.processEvents()
            done: list[object] = []
            window.indexer.finished.connect(lambda _lib, report: done.append(report))
            meter = StallMeter().start()
            started = time.perf_counter()
            drop_paths(window, [folder])
            wait_until(lambda: bool(done), 900)
            index_s = time.perf_counter() - started
            index_stall = meter.stop()

            answers: list[object] = []
            window.chat_view.answer_finished.connect(answers.append)
            meter = StallMeter().start()
            started = time.perf_counter()
            window.chat_view.ask("What is the keeper's cat called?")
            wait_until(lambda: bool(answers), 600)
            answer_s = time.perf_counter() - started
            answer_stall = meter.stop()
            window.close()
            window.deleteLater()
            app.processEvents()
            del window
    print(f"indexing {args.files + 4} files took {index_s:.1f} s; longest UI-thread stall {index_stall:.0f} ms")
    print(f"answering (first load of the model included) took {answer_s:.1f} s; longest stall {answer_stall:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
