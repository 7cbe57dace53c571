"""What this machine has: memory, free disk, and the devices llama.cpp can run a model on.

Devices come from ggml's own backend registry (``ggml_backend_dev_*`` in the ``libggml`` that
llama-cpp-python ships, read through ctypes: llama-cpp-python does not bind them), so what is shown
is what llama.cpp will use: a CPU-only build lists the CPU alone, a CUDA / Metal / Vulkan build
lists its GPUs with their free and total memory.

``offload_layers`` decides how many of a model's layers go to the GPU: all when the weights and
their cache fit in the free GPU memory, else as many as fit, none without a GPU. The setting
``gpu_layers`` overrides it (-1 automatic, 0 CPU only, N exactly N layers).
"""

from __future__ import annotations

import ctypes
import logging
import shutil
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

#: ggml_backend_dev_type: GGML_BACKEND_DEVICE_TYPE_CPU, _GPU, _IGPU, _ACCEL
_DEVICE_TYPES = {0: "cpu", 1: "gpu", 2: "integrated gpu", 3: "accelerator"}
#: GPU memory kept free for llama.cpp's compute buffers and the desktop
GPU_RESERVE_BYTES = 768 << 20
GPU_BUILD_HINT = (
    "This llama.cpp build runs on the CPU only. For a GPU, reinstall llama-cpp-python with its "
    'backend: CMAKE_ARGS="-DGGML_CUDA=on" (NVIDIA), "-DGGML_METAL=on" (Apple, the default on macOS) '
    'or "-DGGML_VULKAN=on" (AMD, Intel), then: pip install --force-reinstall --no-cache-dir '
    "llama-cpp-python==0.3.36"
)


@dataclass(frozen=True)
class Device:
    """One device llama.cpp can compute on."""

    name: str  # "CUDA0", "Metal", "CPU"
    description: str  # "NVIDIA H200", "Apple M3"
    kind: str  # "cpu", "gpu", "integrated gpu", "accelerator"
    free_bytes: int
    total_bytes: int


@dataclass(frozen=True)
class Machine:
    """This machine, as far as choosing a model goes."""

    ram_bytes: int
    cpu_threads: int
    devices: tuple[Device, ...] = field(default_factory=tuple)

    @property
    def gpus(self) -> list[Device]:
        return [d for d in self.devices if d.kind in ("gpu", "integrated gpu")]

    @property
    def gpu_name(self) -> str:
        return self.gpus[0].description if self.gpus else ""

    @property
    def gpu_free_bytes(self) -> int:
        return self.gpus[0].free_bytes if self.gpus else 0

    def runs_on(self, gpu_layers: int) -> str:
        """Plain words for where a model loaded with ``gpu_layers`` runs."""
        if not self.gpus or gpu_layers == 0:
            return "CPU" + ("" if self.gpus else " (no GPU found)")
        return f"GPU: {self.gpu_name}" if gpu_layers < 0 else f"GPU: {self.gpu_name}, {gpu_layers} layers"


def _ggml_libraries() -> tuple[ctypes.CDLL, ctypes.CDLL] | None:
    import llama_cpp

    folder = Path(llama_cpp.__file__).resolve().parent / "lib"
    names = {"ggml": ("libggml.so", "libggml.dylib", "ggml.dll"),
             "base": ("libggml-base.so", "libggml-base.dylib", "ggml-base.dll")}
    found: dict[str, ctypes.CDLL] = {}
    for key, candidates in names.items():
        for candidate in candidates:
            if (folder / candidate).exists():
                found[key] = ctypes.CDLL(str(folder / candidate))
                break
    if len(found) < 2:
        return None
    return found["ggml"], found["base"]


@cache
def _registry() -> tuple[ctypes.CDLL, list[tuple[int, str, str, str]]] | None:
    """ggml's devices, read once: (the base library, [(handle, name, description, kind)])."""
    try:
        libs = _ggml_libraries()
    except (ImportError, OSError) as exc:
        log.info("llama.cpp devices not readable: %s", exc)
        return None
    if libs is None:
        return None
    ggml, base = libs
    try:
        ggml.ggml_backend_dev_count.restype = ctypes.c_size_t
        ggml.ggml_backend_dev_get.restype = ctypes.c_void_p
        ggml.ggml_backend_dev_get.argtypes = [ctypes.c_size_t]
        for fn in (base.ggml_backend_dev_name, base.ggml_backend_dev_description):
            fn.restype = ctypes.c_char_p
            fn.argtypes = [ctypes.c_void_p]
        base.ggml_backend_dev_type.restype = ctypes.c_int
        base.ggml_backend_dev_type.argtypes = [ctypes.c_void_p]
        size_p = ctypes.POINTER(ctypes.c_size_t)
        base.ggml_backend_dev_memory.argtypes = [ctypes.c_void_p, size_p, size_p]
    except AttributeError as exc:  # an older or different ggml
        log.info("llama.cpp devices not readable: %s", exc)
        return None
    devices = []
    for index in range(int(ggml.ggml_backend_dev_count())):
        dev = ggml.ggml_backend_dev_get(index)
        devices.append((
            int(dev),
            (base.ggml_backend_dev_name(dev) or b"").decode("utf-8", "replace"),
            (base.ggml_backend_dev_description(dev) or b"").decode("utf-8", "replace").strip(),
            _DEVICE_TYPES.get(int(base.ggml_backend_dev_type(dev)), "accelerator"),
        ))
    return base, devices


def llama_devices() -> tuple[Device, ...]:
    """The devices of llama.cpp's backend registry with their free memory now (empty when the
    registry cannot be read)."""
    registry = _registry()
    if registry is None:
        return ()
    base, handles = registry
    found = []
    for dev, name, description, kind in handles:
        free, total = ctypes.c_size_t(0), ctypes.c_size_t(0)
        base.ggml_backend_dev_memory(ctypes.c_void_p(dev), ctypes.byref(free), ctypes.byref(total))
        found.append(Device(name, description, kind, int(free.value), int(total.value)))
    return tuple(found)


def usable_cores() -> int:
    """The CPU threads this process may run on: its affinity where the system has one (Linux),
    else every logical CPU (macOS and Windows have no ``os.sched_getaffinity``)."""
    import os

    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def this_machine() -> Machine:
    import psutil

    return Machine(ram_bytes=int(psutil.virtual_memory().total), cpu_threads=usable_cores(), devices=llama_devices())


def free_disk_bytes(folder: Path) -> int:
    return int(shutil.disk_usage(folder).free)


def offload_layers(setting: int, model_bytes: int, block_count: int, machine: Machine) -> int:
    """Layers to put on the GPU for a model of ``model_bytes`` with ``block_count`` layers:
    ``setting`` when it is not -1 (automatic); automatic gives 0 without a GPU, -1 (all) when the
    model fits in the GPU's free memory, else the share of layers that fits."""
    if setting >= 0:
        return setting
    if not machine.gpus:
        return 0
    room = machine.gpu_free_bytes - GPU_RESERVE_BYTES
    if room >= model_bytes * 1.2:
        return -1
    if room <= 0 or block_count <= 0:
        return 0
    return max(0, int(block_count * room / (model_bytes * 1.2)))
