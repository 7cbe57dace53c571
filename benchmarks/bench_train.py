"""Training speed of Ragtune's trainer against a bare PEFT loop, on the embedded 0.5B model.

    .venv/bin/python benchmarks/bench_train.py [-n 24] [--epochs 1] [--batch 4] [--rank 8]

Both train LoRA (rank r on q,k,v,o,gate,up,down; fp32; AdamW) on the same N short chat examples,
in the same run: first Ragtune's ``train_adapter`` (a child process: model load, tokenization, steps,
checkpoints, GGUF export), then a bare loop in this process (the same token ids and batches, only
forward, backward and the optimizer step). Prints training tokens per second of each and their
ratio (target >= 0.9), the time to an adapter for N examples, peak RSS of the training child and of
this process, the model load time, the GGUF export time and llama.cpp's adapter load time.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "desktop"))

from ragtune.core.embedded import ensure_chat_model
from ragtune.core.finetune import lora_gguf
from ragtune.core.finetune.train_process import train_adapter
from ragtune.core.finetune.train_tokens import load_encoder
from ragtune.core.finetune.train_types import TrainOptions, TrainProgress
from ragtune.core.finetune.trainer import (
    add_lora,
    batch_order,
    batch_tensors,
    load_base,
    pick_device,
)

SUBJECTS = ["the library", "the garden lamp", "sourdough", "the river", "a bicycle", "the moon",
            "tea", "a violin", "the harbour", "winter"]


def examples(n: int) -> list[list[dict[str, str]]]:
    """``n`` short chat examples teaching a fixed voice (a question about a subject, a short reply)."""
    out = []
    for i in range(n):
        subject = SUBJECTS[i % len(SUBJECTS)]
        out.append([
            {"role": "system", "content": "Answer in one short sentence."},
            {"role": "user", "content": f"Tell me one fact about {subject} (note {i})."},
            {"role": "assistant", "content": f"Ahoy! {subject.capitalize()} be worth a song, matey ({i})."},
        ])
    return out


def bare_loop(model_path: Path, data: list[list[dict[str, str]]], options: TrainOptions) -> tuple[float, float, object]:
    """A plain PEFT loop on the same batches: (load seconds, tokens per second, the peft model)."""
    import torch

    t0 = time.perf_counter()
    device = pick_device()
    model, tokenizer, info = load_base(model_path)
    load_s = time.perf_counter() - t0
    encoder = load_encoder(tokenizer, info.metadata)
    encoded = [encoder.encode(m) for m in data]
    model = add_lora(model, options).to(device)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=options.learning_rate, weight_decay=0.0)
    steps = options.epochs * -(-len(encoded) // options.batch_size)
    tokens, spent = 0, 0.0
    for step in range(steps):
        start = time.perf_counter()
        batch = batch_tensors([encoded[i] for i in batch_order(len(encoded), options.batch_size,
                                                                options.seed, step)], 0, device)
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        spent += time.perf_counter() - start
        tokens += int(batch["attention_mask"].sum())
    return load_s, tokens / spent, model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=24, help="examples")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--rank", type=int, default=8)
    args = parser.parse_args()
    model_path = ensure_chat_model()
    data = examples(args.n)
    options = TrainOptions(epochs=args.epochs, rank=args.rank,
                           learning_rate=2e-3, batch_size=args.batch, checkpoint_minutes=5)
    with tempfile.TemporaryDirectory(prefix="ragtune-bench-train-") as tmp:
        out = Path(tmp) / "bench.gguf"
        last: list[TrainProgress] = []
        t0 = time.perf_counter()
        result = train_adapter(model_path, data, out, options, Path(tmp) / "work", last.append)
        wall = time.perf_counter() - t0
        child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        load_s, bare_tps, peft_model = bare_loop(model_path, data, options)
        from peft import get_peft_model_state_dict

        t1 = time.perf_counter()
        lora_gguf.write_lora_gguf(Path(tmp) / "bare.gguf",
                                  lora_gguf.gguf_tensors(get_peft_model_state_dict(peft_model)),
                                  architecture="qwen2", alpha=options.alpha, rank=options.rank)
        export_s = time.perf_counter() - t1
        from ragtune.core.answer_types import AdapterSpec
        from ragtune.core.generation.engine import Engine

        with Engine(model_path, n_ctx=512) as engine:
            t2 = time.perf_counter()
            engine.set_adapters([AdapterSpec(str(out), 1.0)])
            adapter_load_s = time.perf_counter() - t2
        size_mb = out.stat().st_size / 1e6
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"examples {args.n}, epochs {args.epochs}, batch {args.batch}, rank {args.rank}, "
          f"device {result.device}, steps {result.steps}, final loss {result.final_loss:.3f}")
    print(f"Ragtune trainer      {result.tokens_per_s:8.1f} training tokens/s")
    print(f"bare PEFT loop       {bare_tps:8.1f} training tokens/s")
    print(f"ratio                {result.tokens_per_s / bare_tps:8.2f}  (target >= 0.9)")
    print(f"time to an adapter   {wall:8.1f} s  for {args.n} examples (load, train, export; child {result.seconds:.1f} s)")
    print(f"model load (GGUF)    {load_s:8.1f} s")
    print(f"peak RSS             {child_rss:8.0f} MB training child, {self_rss:.0f} MB bare loop process")
    print(f"GGUF export          {export_s:8.2f} s  ({size_mb:.1f} MB)")
    print(f"llama.cpp load       {adapter_load_s:8.2f} s  (validate + llama_adapter_lora_init + apply)")


if __name__ == "__main__":
    main()
