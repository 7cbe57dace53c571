"""``ragtune models [list | add PATH | catalogue | download NAME]``: the chat models on this machine,
where they run (CPU or which GPU), the catalogue with what fits this machine, and downloads.

A download is the only network use Ragtune makes, and only on this command (or the window's
Download button); Ctrl+C stops it and the same command resumes it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from ragtune.cli_progress import ProgressBar, cancel_on_ctrl_c
from ragtune.core.machine import GPU_BUILD_HINT, Machine
from ragtune.core.terminal_text import for_terminal, one_line
from ragtune.core.units import format_size
from ragtune.errors import Cancelled

if TYPE_CHECKING:
    from ragtune.core.services import Ragtune


def device_lines(machine: Machine, gpu_layers: int) -> list[str]:
    """Where models run on this machine, in plain words (a machine without a GPU says so)."""
    lines = [f"Memory: {format_size(machine.ram_bytes)}, {machine.cpu_threads} CPU threads"]
    if not machine.gpus:
        lines.append("GPU: none found: models run on the CPU.")
        lines.append(GPU_BUILD_HINT)
        return lines
    for gpu in machine.gpus:
        lines.append(
            f"GPU: {one_line(gpu.description)} ({one_line(gpu.name)}), {format_size(gpu.free_bytes)} free of "
            f"{format_size(gpu.total_bytes)}"
        )
    setting = {-1: "automatic (all layers that fit)", 0: "off (CPU only)"}.get(gpu_layers, f"{gpu_layers} layers")
    lines.append(f"GPU offload: {setting}")
    return lines


def cmd_models(svc: Ragtune, args: argparse.Namespace) -> int:
    if args.action == "add":
        if not args.name:
            raise SystemExit("usage: ragtune models add PATH")
        info = svc.models.add_model(args.name)
        print(f"Added {one_line(info.name)}: {one_line(info.architecture)}, {one_line(info.quantization)}, "
              f"context {info.context_length}")
        return 0
    if args.action == "catalogue":
        return _catalogue(svc, args)
    if args.action == "download":
        if not args.name:
            raise SystemExit('usage: ragtune models download NAME (see `ragtune models catalogue`)')
        return _download(svc, args.name)
    current = svc.settings.chat_model
    for m in svc.models.list_models():
        mark = " (embedded default)" if m.embedded else ""
        chosen = "* " if (m.embedded and not current) or current in (m.name, m.path) else "  "
        print(
            f"{chosen}{one_line(m.name)}{mark}\n    {one_line(m.path)}\n    {format_size(m.size)}, "
            f"{one_line(m.architecture)}, context {m.context_length}, {one_line(m.quantization)}"
        )
    print()
    for line in device_lines(svc.models.machine(), svc.settings.gpu_layers):
        print(line)
    return 0


def _catalogue(svc: Ragtune, args: argparse.Namespace) -> int:
    fits = svc.models.catalogue()
    installed = {m.name.lower() for m in svc.models.list_models()}
    if args.json:
        print(json.dumps([
            {
                "name": f.entry.name, "repo": f.entry.repo, "file": f.entry.file, "size": f.entry.size,
                "memory_gb": f.entry.memory_gb, "license": f.entry.license,
                "context_length": f.entry.context_length, "embedded": f.entry.embedded,
                "installed": f.entry.embedded or f.entry.name.lower() in installed,
                "fits": f.fits, "recommended": f.recommended, "on_gpu": f.on_gpu, "reason": f.reason,
                "trainable": f.trainable,
            }
            for f in fits
        ], indent=1))
        return 0
    for f in fits:
        e = f.entry
        state = "embedded" if e.embedded else ("installed" if e.name.lower() in installed else "download")
        star = "★ " if f.recommended else "  "
        print(f"{star}{e.name}  [{state}]\n    {format_size(e.size)} · needs {e.memory_gb:g} GB · "
              f"context {e.context_length:,} · {e.license}\n    {f.reason}. {e.notes}"
              + (f"\n    {f.adapters_text[:1].upper() + f.adapters_text[1:]}." if f.adapters_text else ""))
    print("\nDownload one with: ragtune models download NAME (the only network use Ragtune makes).")
    print("\nEmbedding models (SciFact nDCG@10: measured here for the embedded one, else published):")
    for e in svc.models.embedding_catalogue():
        quality = f"nDCG@10 {e.scifact_ndcg10:.3f}" if e.scifact_ndcg10 else "no SciFact figure"
        speed = f", {e.chunks_per_s:g} chunks/s on 2 cores" if e.chunks_per_s else ""
        print(f"  {e.name}{' [embedded]' if e.embedded else ''}: {quality}{speed} · {e.languages} · {e.license}")
    print("A library's embedding model: ragtune embedder list --library NAME")
    return 0


def _download(svc: Ragtune, name: str) -> int:
    bar = ProgressBar()
    with cancel_on_ctrl_c() as cancel:
        try:
            info = svc.models.download_model(name, progress=bar, cancel=cancel)
        except Cancelled as exc:
            bar.close()
            print(for_terminal(str(exc)), file=sys.stderr)
            return 130
        finally:
            bar.close()
    print(f"{one_line(info.name)} is ready: {one_line(info.path)}\nUse it with: ragtune ask --model {json.dumps(info.name)} QUESTION")
    return 0


def add_models_command(sub: Any) -> None:
    p = sub.add_parser(
        "models", help="list chat models and where they run; the catalogue; download or add a model"
    )
    p.add_argument("action", nargs="?", choices=["list", "add", "catalogue", "download"], default="list")
    p.add_argument("name", nargs="?", metavar="PATH|NAME", help="add: a GGUF file; download: a catalogue name")
    p.add_argument("--json", action="store_true", help="catalogue: as JSON")
    p.set_defaults(func=cmd_models)
