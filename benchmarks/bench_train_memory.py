"""Peak memory and speed of LoRA training with float32 against bfloat16 base weights, side by side.

    .venv/bin/python benchmarks/bench_train_memory.py [--steps 3] [--tokens 256] [--cases 0.5b-gguf,1.5b]

Each case runs in a fresh child process (its own peak RSS): load the base weights, add LoRA (rank 8,
the trainer's ``add_lora``), then train ``--steps`` steps of 4 examples of ``--tokens`` tokens
(the last quarter of each is the answer) with the trainer's own ``backward_step`` and AdamW.

- ``0.5b-gguf``: the embedded Qwen2.5 0.5B GGUF, loaded as the trainer loads it (transformers
  dequantizes the GGUF; ``load_base``).
- ``1.5b``: a Qwen2.5-1.5B-shaped model with random weights (its real config: 28 layers, 1536 wide,
  151,936 tokens), for a model whose GGUF cannot be downloaded here. It skips the GGUF step, whose
  cost the 0.5B case shows.

Prints, per case and format: peak RSS after loading and after training, tokens/s, and the bfloat16 /
float32 ratios. Peak training memory is what decides whether a model can be trained on a laptop.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "desktop"))

QWEN25_15B: dict[str, Any] = dict(
    hidden_size=1536, intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12,
    num_key_value_heads=2, vocab_size=151936, max_position_embeddings=32768, tie_word_embeddings=True,
    rms_norm_eps=1e-6, rope_theta=1_000_000.0,
)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(case: str, precision: str, steps: int, tokens: int) -> dict[str, float | str]:
    import random

    import torch

    from ragtune.core.finetune.train_precision import (
        FLOAT32,
        Precision,
        choose_precision,
        torch_dtype,
    )
    from ragtune.core.finetune.train_tokens import IGNORE
    from ragtune.core.finetune.train_types import TrainOptions
    from ragtune.core.finetune.trainer import (
        add_lora,
        backward_step,
        load_base,
        pick_device,
        release_memory,
    )

    device = pick_device()
    chosen = choose_precision(precision, device) if precision != FLOAT32 else Precision(FLOAT32, "")
    t0 = time.perf_counter()
    if case == "0.5b-gguf":
        from ragtune.core.embedded import ensure_chat_model

        model, _tok, _info = load_base(ensure_chat_model(), chosen)
    else:
        from transformers import AutoModelForCausalLM, Qwen2Config

        torch.manual_seed(0)
        model = AutoModelForCausalLM.from_config(Qwen2Config(**QWEN25_15B), dtype=torch_dtype(chosen))
    release_memory()
    load_s = time.perf_counter() - t0
    params = sum(p.numel() for p in model.parameters())
    after_load = _rss_mb()
    model = add_lora(model, TrainOptions(rank=8, precision=chosen.name))
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=2e-4)
    rng = random.Random(0)
    vocab = model.config.vocab_size
    answer = tokens // 4
    losses, seen, train_s = [], 0, 0.0
    for step in range(steps):
        items = []
        for _ in range(4):
            ids = [rng.randrange(100, vocab - 100) for _ in range(tokens)]
            items.append((ids, [IGNORE] * (tokens - answer) + ids[tokens - answer:]))
        t = time.perf_counter()
        loss = backward_step(model, items, device, None)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if step > 0:  # the first step warms the allocator and oneDNN's kernels
            train_s += time.perf_counter() - t
            seen += 4 * tokens
        losses.append(float(loss or 0.0))
    return {
        "case": case, "precision": chosen.name, "params_m": params / 1e6, "load_s": load_s,
        "rss_after_load_mb": after_load, "peak_rss_mb": _rss_mb(),
        "tokens_per_s": seen / train_s if train_s else 0.0, "losses": json.dumps([round(x, 3) for x in losses]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--cases", default="0.5b-gguf,1.5b")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "PRECISION"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child[0], args.child[1], args.steps, args.tokens)))
        return
    from ragtune.core.finetune.train_precision import cpu_has_bfloat16

    print(f"CPU computes in bfloat16 natively: {cpu_has_bfloat16()}; {args.steps} steps of 4 x {args.tokens} tokens")
    results: dict[tuple[str, str], dict[str, float | str]] = {}
    for case in args.cases.split(","):
        for precision in ("float32", "bfloat16"):
            out = subprocess.run(
                [sys.executable, __file__, "--steps", str(args.steps), "--tokens", str(args.tokens),
                 "--child", case, precision],
                capture_output=True, text=True, check=True,
            )
            row = json.loads(out.stdout.strip().splitlines()[-1])
            results[(case, precision)] = row
            print(f"{case:10} {precision:9} {row['params_m']:7.0f} M params  load {row['load_s']:5.1f} s  "
                  f"RSS after load {row['rss_after_load_mb']:6.0f} MB  peak {row['peak_rss_mb']:6.0f} MB  "
                  f"{row['tokens_per_s']:6.0f} tokens/s  losses {row['losses']}")
    for case in args.cases.split(","):
        f32, b16 = results[(case, "float32")], results[(case, "bfloat16")]
        print(f"{case:10} bfloat16 / float32: peak memory {float(b16['peak_rss_mb']) / float(f32['peak_rss_mb']):.2f}, "
              f"speed {float(b16['tokens_per_s']) / max(float(f32['tokens_per_s']), 1e-9):.2f}")


if __name__ == "__main__":
    main()
