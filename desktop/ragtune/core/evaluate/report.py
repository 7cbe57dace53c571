"""A run exported: one JSON document (``ragtune eval run --json`` prints it), a CSV of every answer,
and a self-contained HTML report (no scripts, no external files: the chart is inline SVG)."""

from __future__ import annotations

import csv
import html
import io
import json
import time
from pathlib import Path
from typing import Any

from ragtune.core.evaluate.judgements import Agreement, agreement
from ragtune.core.evaluate.run_types import RunRecord
from ragtune.core.evaluate.summary import Count, ModeSummary, RunSummary, summarize
from ragtune.core.evaluate.verdict import verdict
from ragtune.core.user_files import write_export

CSV_COLUMNS = (
    "question_id", "question", "kind", "expected", "gold_file", "gold_page", "mode", "answer",
    "correct", "cites_gold", "declined", "gold_rank", "ttft_s", "tokens_per_s", "total_s", "error",
    "your_judgement", "rule_judgement",
)


def _count(c: Count) -> dict[str, Any]:
    low, high = c.interval
    return {"k": c.k, "n": c.n, "share": round(c.share, 4), "low": round(low, 4), "high": round(high, 4)}


def _mode_json(m: ModeSummary) -> dict[str, Any]:
    return {
        "mode": str(m.mode),
        "correct": _count(m.correct),
        "cited": _count(m.cited),
        "declined_absent": _count(m.declined_absent),
        "hallucinated_absent": _count(m.hallucinated_absent),
        "declined_answerable": _count(m.declined_answerable),
        "evidence_holds": _count(m.evidence_holds),
        "echoes": _count(m.echoes),
        "errors": m.errors,
        "median_ttft_s": m.median_ttft_s,
        "median_total_s": m.median_total_s,
    }


def run_json(record: RunRecord, summary: RunSummary | None = None) -> dict[str, Any]:
    """The run as one JSON object: what ran, the figures per mode, retrieval, verdict, answers."""
    s = summary or summarize(record)
    info = record.info
    questions = {q.id: q for q in record.questions}
    return {
        "run": info.id,
        "library": info.library,
        "set": info.set_name,
        "set_version": info.set_version,
        "split": info.split,
        "modes": [str(m) for m in info.modes],
        "status": info.status,
        "created": info.created,
        "config": info.config,
        "questions": {"answerable": s.answerable, "absent": s.absent},
        "summary": [_mode_json(m) for m in s.modes],
        "retrieval": {
            "recall": {str(k): _count(c) for k, c in s.retrieval.recall.items()},
            "mrr": round(s.retrieval.mrr, 4),
            "n": s.retrieval.n,
        },
        "verdict": verdict(record, s),
        "agreement": _agreement_json(agreement(record)),
        "results": [
            {
                "question_id": r.question_id,
                "question": questions[r.question_id].question if r.question_id in questions else "",
                "mode": str(r.mode),
                "answer": r.answer,
                "correct": r.correct,
                "cites_gold": r.cites_gold,
                "declined": r.declined,
                "gold_rank": r.gold_rank,
                "ttft_s": r.ttft_s,
                "tokens_per_s": r.tokens_per_s,
                "total_s": r.total_s,
                "citations": r.citations,
                "error": r.error,
                "your_judgement": r.person or None,  # the figures follow it where given
                "rule_judgement": r.rule or None,
            }
            for r in record.results
        ],
    }


def _agreement_json(a: Agreement) -> dict[str, Any]:
    return {
        "judged": a.judged, "agree": a.agree, "share": round(a.share, 4),
        "disagreements": [
            {"question": d.question, "mode": str(d.mode), "answer": d.answer, "rule": d.rule, "you": d.person}
            for d in a.disagreements
        ],
    }


def run_csv(record: RunRecord) -> str:
    """One row per answer."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    questions = {q.id: q for q in record.questions}
    for r in record.results:
        q = questions.get(r.question_id)
        writer.writerow([
            r.question_id, q.question if q else "", q.kind.value if q else "",
            " | ".join(q.expected) if q else "", q.gold_file if q else "", q.gold_page if q else "",
            str(r.mode), r.answer, r.correct, r.cites_gold, r.declined, r.gold_rank,
            f"{r.ttft_s:.3f}", f"{r.tokens_per_s:.2f}", f"{r.total_s:.3f}", r.error, r.person, r.rule,
        ])
    return out.getvalue()


def chart_svg(summary: RunSummary, width: int = 640) -> str:
    """Bars per mode: correct (answerable) and declined (absent), with the 95 % intervals as whiskers."""
    series = [("Correct", "correct", "#2f6fb2"), ("Cited", "cited", "#6aa84f"), ("Declined absent", "declined_absent", "#b45f06")]
    row_h, bar_h, left = 54, 14, 120
    height = 30 + row_h * len(summary.modes)
    scale = width - left - 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             'aria-label="Share of questions per mode" font-family="sans-serif" font-size="12">']
    for i, (name, _, color) in enumerate(series):
        parts.append(f'<rect x="{left + i * 150}" y="4" width="10" height="10" fill="{color}"/>'
                     f'<text x="{left + i * 150 + 14}" y="13">{name}</text>')
    for row, m in enumerate(summary.modes):
        y = 24 + row * row_h
        parts.append(f'<text x="4" y="{y + 24}">{html.escape(m.mode.label)}</text>')
        for i, (_, attr, color) in enumerate(series):
            c: Count = getattr(m, attr)
            if c.n == 0:
                continue
            by = y + i * (bar_h + 2)
            low, high = c.interval
            parts.append(f'<rect x="{left}" y="{by}" width="{scale * c.share:.1f}" height="{bar_h}" fill="{color}"/>')
            parts.append(f'<line x1="{left + scale * low:.1f}" x2="{left + scale * high:.1f}" y1="{by + bar_h / 2}" '
                         f'y2="{by + bar_h / 2}" stroke="#222" stroke-width="1.5"/>')
            parts.append(f'<text x="{left + scale * max(c.share, high) + 4:.1f}" y="{by + 11}">{c}</text>')
    parts.append("</svg>")
    return "".join(parts)


def run_html(record: RunRecord) -> str:
    """The report: verdict, chart, figures per mode with intervals, retrieval, every answer."""
    s = summarize(record)
    info = record.info
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(m.mode.label)}</td><td>{m.correct.describe()}</td><td>{m.cited.describe()}</td>"
        f"<td>{m.declined_absent.describe()}</td><td>{m.hallucinated_absent.describe()}</td>"
        f"<td>{'' if m.median_ttft_s is None else f'{m.median_ttft_s:.2f} s'}</td></tr>"
        for m in s.modes
    )
    questions = {q.id: q for q in record.questions}
    answers = "".join(
        f"<tr><td>{esc(questions[r.question_id].question if r.question_id in questions else '')}</td>"
        f"<td>{esc(r.mode.label)}</td><td>{esc(r.answer or r.error)}</td>"
        f"<td>{'' if r.correct is None else ('yes' if r.correct else 'no')}</td>"
        f"<td>{'declined' if r.declined else ''}</td></tr>"
        for r in record.results
    )
    recall = ", ".join(f"recall@{k} {c.describe()}" for k, c in s.retrieval.recall.items())
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.created))
    model = info.config.get("model", {})
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ragtune evaluation {info.id}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:4px;vertical-align:top;text-align:left}}</style>
</head><body>
<h1>Evaluation {info.id}: {esc(info.library)} / {esc(info.set_name)}</h1>
<p>{esc(when)} &middot; {esc(info.split)} split &middot; model {esc(str(model.get("name", "")))}
&middot; status {esc(info.status)}</p>
<p><strong>{esc(verdict(record, s))}</strong></p>
{chart_svg(s)}
<h2>Figures (95 % intervals)</h2>
<table><tr><th>Mode</th><th>Correct</th><th>Cited right source</th><th>Declined absent</th>
<th>Made up (absent)</th><th>Median first token</th></tr>{rows}</table>
<p>Retrieval over {s.retrieval.n} questions with a gold source: {recall}; MRR {s.retrieval.mrr:.2f}.</p>
<h2>Answers</h2>
<table><tr><th>Question</th><th>Mode</th><th>Answer</th><th>Correct</th><th></th></tr>{answers}</table>
</body></html>
"""


def write_run(record: RunRecord, path: Path, kind: str) -> None:
    """Write ``record`` to ``path`` as an HTML report, CSV or JSON (``kind``: html, csv, json), as
    an export (``user_files.write_export``: a CSV opens in Excel with its accents); OSError as raised."""
    if kind == "html":
        text = run_html(record)
    elif kind == "csv":
        text = run_csv(record)
    else:
        text = json.dumps(run_json(record), indent=2, ensure_ascii=False)
    write_export(path, text, as_csv=kind == "csv")
