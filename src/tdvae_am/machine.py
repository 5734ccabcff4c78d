"""The machine a measurement ran on, and the benchmark records that carry it (benchmarks/records/)."""

from __future__ import annotations

import json
import os
import platform
import re
import time
from pathlib import Path

import torch

from tdvae_am.train.config import NATIVE_BF16_CPU

#: Where the benchmark scripts write their records, which docs/performance.md renders.
RECORD_DIR = Path("benchmarks/records")


def native_bf16_cpu() -> bool:
    """Whether this CPU has native bf16 arithmetic (AVX-512 BF16, AMX or Arm BF16), as `train.precision:
    auto` decides it."""
    caps = torch.cpu.get_capabilities()
    return any(caps.get(k, False) for k in NATIVE_BF16_CPU)


def cpu_name() -> str:
    """The CPU's model name (/proc/cpuinfo where there is one)."""
    info = Path("/proc/cpuinfo")
    name = re.search(r"^model name\s*:\s*(.*)$", info.read_text(), re.M) if info.exists() else None
    return name[1] if name else platform.processor()


def machine(threads: int | None = None) -> dict:
    """The CPU, its cores, the torch threads a benchmark used (if it sets them), native bf16, the versions
    and the date."""
    return {"cpu": cpu_name(), "cores": os.cpu_count(), "threads": threads, "native_bf16": native_bf16_cpu(),
            "torch": torch.__version__, "python": platform.python_version(), "date": time.strftime("%Y-%m-%d")}


def write_record(path: str | Path, measured: dict, threads: int | None = None) -> None:
    """Write a benchmark's ``measured`` values with the machine they were measured on to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"measured": measured, "machine": machine(threads)}, indent=1) + "\n")
