"""The performance pages' generated blocks: the benchmark records (benchmarks/records/, written by the
scripts in benchmarks/) and the paper-scale plan derived from them, params.yaml and the default run's
job records (results/benchmarks.csv)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml
from torch import nn

from tdvae_am.config import apply_preset
from tdvae_am.experiments.registry import all_runs, load_registry, registry_models
from tdvae_am.files import load_json
from tdvae_am.machine import RECORD_DIR
from tdvae_am.markdown import table
from tdvae_am.models import TDVAE, ChainVAE

#: The ratio of the measured training step to its dense-matmul bound that the throughput benchmark targets.
THROUGHPUT_TARGET = 0.90
#: Assumptions of the paper-scale plan (docs/cluster.md): an H100's FP32 peak (no TF32), the fraction of
#: it that products of one training batch sustain, kernels launched per training step and the eager-mode
#: cost of one launch, how much faster a GPU synthesizes a texture than a CPU core, and the start-up of a
#: GPU job (CUDA context and imports) and the work of one AM job on it.
GPU_PEAK_FLOPS = 67e12
GPU_EFFICIENCY = 0.30
KERNELS_PER_STEP = 200
LAUNCH_S = (5e-6, 10e-6)
GPU_SYNTHESIS_SPEEDUP = 10
GPU_JOB_START_S = 60
AM_JOB_S = (60, 180)


def _record(root: Path, name: str) -> dict:
    return load_json(root / RECORD_DIR / f"{name}.json")


def _machine(m: dict) -> str:
    threads = f"{m['threads']} torch thread{'s' * (m['threads'] > 1)}, " if m.get("threads") else ""
    return (f"{m['cores']} CPU cores ({m['cpu']}, {'with' if m['native_bf16'] else 'without'} native bf16), "
            f"{threads}torch {m['torch']}, {m['date']}")


def throughput_block(root: Path) -> str:
    """The training-throughput record (fp32): rate, its ratio to the matmul bound against the target, and
    the ceiling the optimizer step leaves."""
    rec = _record(root, "train_throughput_fp32")
    t, m = rec["measured"], rec["machine"]
    verdict = "meets" if t["ratio"] >= THROUGHPUT_TARGET else "misses"
    return (f"Measured on {_machine(m)}, batch {t['batch']}: training runs at {t['samples_per_s']:,.0f} samples/s, "
            f"{t['ratio']:.3f} of the dense-matmul bound of the same step ({t['bound_samples_per_s']:,.0f} samples/s, "
            f"{t['gflop_per_s']:.0f} GFLOP/s, {t['mflop_per_sample']:.0f} MFLOP per sample), which {verdict} the "
            f"target of {THROUGHPUT_TARGET:.2f}. The fused Adam step alone takes {t['optimizer_ms']:.1f} ms, "
            f"{t['optimizer_ms'] / t['bound_ms']:.3f} of the bound's {t['bound_ms']:.1f} ms: with the matmuls "
            f"exactly at the bound and no other work, the ratio could not exceed {t['ceiling']:.3f}. The measured "
            f"step reaches {t['reached']:.3f} of that ceiling; the rest is element-wise work, sampling and logging.")


def precision_block(root: Path) -> str:
    """The bf16 training-throughput record against the fp32 one."""
    fp32, bf16 = (_record(root, f"train_throughput_{p}") for p in ("fp32", "bf16"))
    a, b, m = fp32["measured"], bf16["measured"], bf16["machine"]
    return (f"With bf16 autocast on {_machine(m)}, batch {b['batch']}: {b['samples_per_s']:,.0f} samples/s, "
            f"{b['samples_per_s'] / a['samples_per_s']:.2f}x the fp32 rate; the step's matrix products alone "
            f"run {b['bound_ms'] / b['bf16_bound_ms']:.2f}x faster in bf16 than in fp32.")


def am_batching_block(root: Path) -> str:
    """The AM batching record: one batch of every unit and restart against one chain at a time."""
    rec = _record(root, "am_batching")
    t = rec["measured"]
    return (f"Pixel AM of {t['units']} units x {t['restarts']} restarts x {t['steps']} steps on the TDVAE encoder "
            f"takes {t['batched_s']:.1f} s as one batch and {t['loop_s']:.0f} s one chain at a time "
            f"({t['speedup']:.0f}x), on {_machine(rec['machine'])}.")


NO_SEED_RUN = "No seed run measured yet (`python benchmarks/seed_runs_time.py` after `confirm` or `seeds`)."


def seed_runs_block(root: Path) -> str:
    """Job time per phase and wall clock of each seed run (benchmarks/records/seed_runs.json,
    benchmarks/seed_runs_time.py)."""
    if not (root / RECORD_DIR / "seed_runs.json").is_file():
        return NO_SEED_RUN
    runs = _record(root, "seed_runs")["measured"]
    phases = list(dict.fromkeys(p["phase"] for run in runs.values() for p in run["phases"]))
    rows = []
    for seed, run in runs.items():
        minutes = {p["phase"]: p["s"] / 60 for p in run["phases"]}
        rows.append([seed, *(f"{minutes[p]:.1f}" if p in minutes else "-" for p in phases),
                     f"{sum(minutes.values()) / 60:.1f}", f"{run['wall_s'] / 3600:.1f}"])
    machines = {}  # machine -> the seeds run on it
    for seed, run in runs.items():
        machines.setdefault(_machine(run["machine"]), []).append(seed)
    where = "; ".join(f"seed{'s' * (len(seeds) > 1)} {', '.join(seeds)} on {m}" for m, seeds in machines.items())
    return (table(["seed", *(f"{p} (min)" for p in phases), "job time (h)", "wall clock (h)"], rows)
            + f"\n\nJob time summed over each run's finished jobs; wall clock while at least one of them ran "
            f"(pauses between working sessions excluded); {where}.")


def seed_runs_total_block(root: Path) -> str:
    """The seed runs' wall clock in one line: the run that went through the AM battery (`confirm`) and
    those that stopped after the units (`seeds`)."""
    if not (root / RECORD_DIR / "seed_runs.json").is_file():
        return NO_SEED_RUN
    runs = _record(root, "seed_runs")["measured"]
    whole = {s: r for s, r in runs.items() if any(p["phase"] == "am" for p in r["phases"])}
    parts = [f"seed {s}, the whole workflow (`confirm`): {_h(r['wall_s'])}" for s, r in whole.items()]
    if rest := {s: r for s, r in runs.items() if s not in whole}:
        parts.append(f"seed{'s' * (len(rest) > 1)} {', '.join(rest)}, training and units (`seeds`): "
                     + ", ".join(_h(r["wall_s"]) for r in rest.values()))
    return ("Wall clock of the seed runs while a job ran (pauses between working sessions excluded): "
            + "; ".join(parts) + ".")


def _linear_weights(model: nn.Module) -> int:
    return sum(m.weight.numel() for m in model.modules() if isinstance(m, nn.Linear))


def _h(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:,.0f} h" if hours >= 100 else f"{hours:.1f} h"


def paper_plan(root: Path) -> dict:
    """GPU hours of the paper-scale run per GPU rule, from the paper preset of params.yaml, the fp32
    throughput record, the default run's synthesis jobs and the assumptions above; (low, high) in seconds."""
    with open(root / "params.yaml") as f:
        params = yaml.safe_load(f)
    paper, default = (apply_preset({**params, "scale": s}) for s in ("paper", "default"))
    t = _record(root, "train_throughput_fp32")["measured"]
    steps, batch = paper["train"]["steps"], paper["train"]["batch_size"]
    flop_per_sample = t["mflop_per_sample"] * 1e6
    compute = steps * batch * flop_per_sample / (GPU_PEAK_FLOPS * GPU_EFFICIENCY)
    launch = [steps * KERNELS_PER_STEP * s for s in LAUNCH_S]
    tdvae = (max(compute, launch[0]), max(compute, launch[1]))
    chain_ratio = _linear_weights(ChainVAE()) / _linear_weights(TDVAE())
    ev = paper["evaluation"]
    iwae = ev["iwae_samples"] * ev["n_test"] * flop_per_sample / 3 / (GPU_PEAK_FLOPS * GPU_EFFICIENCY)

    jobs = pd.read_csv(root / "results/benchmarks.csv")
    synth_s = jobs.loc[jobs["rule"] == "synthesize_texture", "s"].median()
    tex_paper, tex_default = paper["textures"], default["textures"]
    synth_cpu = synth_s * (tex_paper["image_size"] / tex_default["image_size"]) ** 2 * (
        tex_paper["iterations"] / tex_default["iterations"])
    n_synth = tex_paper["n_images"] * len(paper["textures"]["seeds"])
    registry = load_registry(root / paper["am"]["experiments"])
    n_am = sum(len(all_runs(registry, m)) + 1 for m in registry_models(registry))  # + one reference per model
    synth_job = synth_cpu / GPU_SYNTHESIS_SPEEDUP + GPU_JOB_START_S
    return {
        "train_tdvae": (1, tdvae), "train_chain": (1, tuple(chain_ratio * s for s in tdvae)),
        "evaluate": (2, (iwae + GPU_JOB_START_S,) * 2), "synthesize": (n_synth, (synth_job,) * 2),
        "am": (n_am, AM_JOB_S),
        "cpu_training_s": steps * batch / t["samples_per_s"], "compute_step_s": compute / steps,
        "launch_step_s": tuple(x / steps for x in launch), "chain_ratio": chain_ratio, "steps": steps, "batch": batch,
        "flop": steps * batch * flop_per_sample, "iwae_s": iwae, "synth_cpu_s": synth_cpu, "synth_default_s": synth_s,
        "checkpoint_every": paper["train"]["checkpoint_every"],
    }  # fmt: skip


def paper_plan_block(root: Path) -> str:
    """The paper-scale plan's table of GPU hours per rule and how each estimate is derived."""
    p = paper_plan(root)
    names = {"train_tdvae": "`train_model` tdvae", "train_chain": "`train_model` chain",
             "evaluate": "`evaluate_model`", "synthesize": "`synthesize_texture`", "am": "`am_reference`, `am_run`"}
    rows, total = [], [0.0, 0.0]
    for key, name in names.items():
        n, (lo, hi) = p[key]
        total = [total[0] + n * lo, total[1] + n * hi]
        per_job = f"{lo / 60:.1f} min" if lo < 3600 else _h(lo)
        per_job += "" if hi == lo else f" - {hi / 60:.1f} min" if hi < 3600 else f" - {_h(hi)}"
        rows.append([name, n, per_job, f"{n * lo / 3600:.1f}" + ("" if hi == lo else f" - {n * hi / 3600:.1f}")])
    rows.append(["total", "", "", f"{total[0] / 3600:.0f} - {total[1] / 3600:.0f}"])
    two_gpus = max(p["train_tdvae"][1][1], p["train_chain"][1][1])
    lo_launch, hi_launch = (1e3 * s for s in p["launch_step_s"])
    flop = f"{p['flop']:.1e}".replace("e+", "e")
    return table(["rule", "jobs", "per job", "GPU hours"], rows) + (
        f"\n\nWith two GPUs the two trainings run side by side, so the wall time is about {_h(two_gpus)}.\n\n"
        f"- Training: {p['steps']:,} steps of batch {p['batch']}, {flop} FLOP for the TDVAE at the measured "
        f"MFLOP per sample ([performance.md](performance.md#benchmarks)); at the measured CPU rate that would be "
        f"{_h(p['cpu_training_s'])}. On a GPU sustaining {GPU_EFFICIENCY:.0%} of an FP32 peak of "
        f"{GPU_PEAK_FLOPS / 1e12:.0f} TFLOP/s (products of one batch cannot fill it) a step computes in "
        f"{1e3 * p['compute_step_s']:.2f} ms; about {KERNELS_PER_STEP} kernel launches of "
        f"{LAUNCH_S[0] * 1e6:.0f}-{LAUNCH_S[1] * 1e6:.0f} us each in eager mode take {lo_launch:.1f}-{hi_launch:.1f} "
        f"ms, so launch overhead can bound the step as well. The chain VAE has {p['chain_ratio']:.2f}x the "
        f"TDVAE's matrix weights. The profile's `runtime` covers one training; where the partition limit is "
        f"shorter, the retries continue from the checkpoints, written every {p['checkpoint_every']:,} steps.\n"
        f"- IWAE evaluation: {p['iwae_s']:.0f} s of compute at the same GPU rate, plus the job's start-up.\n"
        f"- Texture synthesis: a default-scale synthesis job took {p['synth_default_s']:.0f} s (median of the "
        f"default run's jobs); the paper's image size and iterations scale that to {p['synth_cpu_s'] / 60:.0f} "
        f"min on a CPU core, {p['synth_cpu_s'] * p['synthesize'][0] / 3600:.0f} core-hours for all "
        f"{p['synthesize'][0]} syntheses on CPU nodes; a GPU is assumed {GPU_SYNTHESIS_SPEEDUP}x faster, plus "
        f"{GPU_JOB_START_S} s of start-up per job.\n"
        f"- AM: one job per AM run and one reference per model, each seconds of work on a GPU, so "
        f"{AM_JOB_S[0] // 60}-{AM_JOB_S[1] // 60} min per job, mostly start-up, is assumed.")
