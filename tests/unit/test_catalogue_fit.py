"""The catalogue and "recommended for this machine": real catalogue entries judged against machines
of known memory (the machine is the input here), and GPU offload decisions."""

from __future__ import annotations

from dataclasses import replace

from ragtune.core.catalogue import assess, chat_models, find_entry
from ragtune.core.machine import Device, Machine, offload_layers, this_machine

GB = 1_000_000_000


def _machine(ram_gb: float, gpu_gb: float = 0.0) -> Machine:
    devices = [Device("CPU", "a CPU", "cpu", int(ram_gb * GB), int(ram_gb * GB))]
    if gpu_gb:
        devices.append(Device("CUDA0", "NVIDIA Test", "gpu", int(gpu_gb * GB), int(gpu_gb * GB)))
    return Machine(ram_bytes=int(ram_gb * GB), cpu_threads=4, devices=tuple(devices))


def _recommended(machine: Machine) -> str:
    chosen = [f.entry.name for f in assess(chat_models(), machine) if f.recommended]
    assert len(chosen) == 1
    return chosen[0]


def test_the_catalogue_lists_small_to_large_models_with_what_they_need() -> None:
    models = chat_models()
    assert models[0].embedded
    assert models[0].sha256
    downloadable = [m for m in models if m.downloadable]
    assert len(downloadable) >= 5
    for m in downloadable:
        assert m.repo.count("/") == 1
        assert m.file.endswith(".gguf")
        assert m.size > 0
        assert m.memory_gb > 0
        assert m.license
        assert m.context_length >= 4096
        assert 0.5 <= m.parameters_b <= 9
        assert m.released[:2] == "20"
        assert len(m.released) == 7
        assert m.quantization == "Q4_K_M"
    assert find_entry("qwen3 8b").memory_gb == max(m.memory_gb for m in models)


def test_a_small_laptop_gets_a_small_model() -> None:
    assert _recommended(_machine(4)) == "Qwen3.5 2B"  # newer than Qwen3 1.7B, which needs more
    fits = {f.entry.name: f for f in assess(chat_models(), _machine(4))}
    assert not fits["Qwen3 8B"].fits
    assert "needs 6.2 GB" in fits["Qwen3 8B"].reason


def test_without_a_gpu_the_advice_stays_at_a_model_the_cpu_answers_quickly() -> None:
    big = assess(chat_models(), _machine(64))
    # of the 4B models that fit CPU_MAX_GB (Gemma 3, Phi-4 mini at 3.8B, Qwen3.5), the newest
    assert _recommended(_machine(64)) == "Qwen3.5 4B"
    assert _recommended(_machine(16)) == "Qwen3.5 4B"
    assert all(f.fits for f in big)
    assert "slow on the CPU alone" in next(f for f in big if f.entry.name == "Qwen3 8B").reason


def test_of_one_size_the_newer_release_is_recommended() -> None:
    older = replace(find_entry("gemma 3 4b"), name="Older 4B", released="2024-01")
    newer = replace(older, name="Newer 4B", released="2026-01")
    smaller = replace(older, name="Newest 3B", parameters_b=3.2, released="2026-11")
    for entries in ([older, newer, smaller], [newer, older, smaller]):
        chosen = [f.entry.name for f in assess(entries, _machine(16)) if f.recommended]
        assert chosen == ["Newer 4B"]


def test_a_gpu_with_room_gets_the_largest_model_on_the_gpu() -> None:
    fits = assess(chat_models(), _machine(16, gpu_gb=24))
    best = next(f for f in fits if f.recommended)
    assert best.entry.name == "Qwen3 8B"
    assert best.on_gpu
    assert "fits the GPU" in best.reason


def test_offload_all_some_or_none() -> None:
    model = 4 * GB
    assert offload_layers(-1, model, 28, _machine(16)) == 0  # no GPU
    assert offload_layers(-1, model, 28, _machine(16, gpu_gb=24)) == -1  # all fit
    some = offload_layers(-1, model, 28, _machine(16, gpu_gb=3))
    assert 0 < some < 28
    assert offload_layers(7, model, 28, _machine(16)) == 7  # the setting wins
    assert offload_layers(0, model, 28, _machine(16, gpu_gb=24)) == 0


def test_this_machine_is_read_from_llama_cpp() -> None:
    machine = this_machine()
    assert machine.ram_bytes > GB
    assert machine.cpu_threads >= 1
    assert machine.devices
    assert machine.devices[0].kind == "cpu"
    if not machine.gpus:
        assert machine.runs_on(-1) == "CPU (no GPU found)"


def test_only_gpus_count_as_gpus() -> None:
    blas = Device("BLAS", "OpenBLAS", "accelerator", 0, 0)
    machine = Machine(ram_bytes=8 * GB, cpu_threads=4, devices=(blas,))
    assert machine.gpus == []
    assert offload_layers(-1, GB, 28, machine) == 0


def test_each_model_says_whether_the_trainer_can_make_adapters_for_it() -> None:
    from ragtune.core.finetune.train_fit import trainable_architectures

    known = trainable_architectures()
    assert known is not None
    fits = {f.entry.name: f for f in assess(chat_models(), _machine(16), known)}
    assert fits["Qwen3 1.7B"].trainable is True
    assert "can make adapters" in fits["Qwen3 1.7B"].adapters_text
    assert fits["Qwen3.5 4B"].trainable is False  # transformers reads no qwen35 GGUF
    assert "cannot load qwen35 models" in fits["Qwen3.5 4B"].adapters_text
    unknown = assess(chat_models(), _machine(16))[0]  # without the training extra: nothing claimed
    assert unknown.trainable is None
    assert unknown.adapters_text == ""
