"""Parsing speed of plain text: a 50 MB log file without blank lines, on this machine, one run.

    .venv/bin/python benchmarks/bench_parse_text.py [--mb 50] [--repeat 1]

The log is written to a temp dir (timestamped lines, one with a non-ASCII character every few
hundred lines, no blank line anywhere), then parsed through ``parse_file`` in this process: read,
decode, normalize, cut into sections. Prints MB/s (target: at least 20 MB/s); a parse that is not
linear in the size of the file drops far below that (and timed out at 120 s before issue 7's fix).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

LEVELS = ("INFO", "DEBUG", "WARN", "INFO", "ERROR")


def write_log(path: Path, size_mb: float) -> int:
    """A log of about ``size_mb`` MB: one line per event, no blank lines. Returns its size in bytes."""
    target = int(size_mb * 1_000_000)
    lines: list[str] = []
    size = i = 0
    while size < target:
        user = "zoë" if i % 300 == 0 else f"user{i % 97}"
        line = (
            f"2024-05-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}.{i % 1000:03d}Z "
            f"{LEVELS[i % len(LEVELS)]} [worker-{i % 8}] request {i} for {user} handled in {i % 250} ms\n"
        )
        lines.append(line)
        size += len(line.encode("utf-8"))
        i += 1
    path.write_text("".join(lines), encoding="utf-8")
    return path.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    from ragtune.core.ingest.parsers import parse_file

    with tempfile.TemporaryDirectory(prefix="ragtune-bench-") as tmp:
        path = Path(tmp) / "service.log.txt"
        size = write_log(path, args.mb)
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            doc = parse_file(path)
            best = min(best, time.perf_counter() - start)
        chars = sum(len(p.text) for p in doc.pages)
        print(f"file: {size / 1e6:.1f} MB, {len(doc.pages)} sections, {chars / 1e6:.1f} M characters")
        print(f"parse: {best:.2f} s, {size / 1e6 / best:.1f} MB/s (target >= 20 MB/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
