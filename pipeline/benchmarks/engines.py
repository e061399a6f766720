"""Engine benchmark: `lintas run --workers N` against `lintas run --engine ray --workers N`
on the same corpus (the sample articles repeated), as whole commands.

For each engine, in turn over ``repeats`` rounds: wall time, words/s, and the CPU seconds
the whole machine spent during the run (from /proc/stat, so that Ray's own daemons, which
are not children of the command, are counted too; the machine should be otherwise idle).
The outputs of the two engines are compared byte for byte. Run it with
``lintas benchmark engines``; needs lintas[ray].
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.lexicon.lexicons import models_dir

SEEDS = models_dir().parent / "seeds"


def _machine_cpu_seconds() -> float:
    """User + system CPU seconds of every process since boot (Linux /proc/stat)."""
    with open("/proc/stat", encoding="ascii") as fh:
        fields = fh.readline().split()[1:]
    user, nice, system = (int(x) for x in fields[:3])
    return (user + nice + system) / os.sysconf("SC_CLK_TCK")


def _corpus(folder: Path, documents: int) -> int:
    """``documents`` files made of the sample articles in turn; returns their words."""
    seeds = sorted(SEEDS.glob("*.txt"))
    words = 0
    for k in range(documents):
        text = seeds[k % len(seeds)].read_text(encoding="utf-8")
        (folder / f"{k:05d}.txt").write_text(text, encoding="utf-8")
        words += len(text.split())
    return words


def _time(cmd: list[str]) -> tuple[float, float]:
    cpu, start = _machine_cpu_seconds(), time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, _machine_cpu_seconds() - cpu


def main(documents: int = 300, workers: int = 2, repeats: int = 3) -> None:
    """Print one table row per engine: median wall time, words/s and machine CPU seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        words = _corpus(folder, documents)
        base = [sys.executable, "-m", "cli", "run", str(folder), "--workers", str(workers),
                "--no-progress"]
        cmds = {"local": base + ["-o", f"{tmp}/local.jsonl"],
                "ray": base + ["--engine", "ray", "-o", f"{tmp}/ray.jsonl"]}
        runs: dict[str, list[tuple[float, float]]] = {k: [] for k in cmds}
        for _ in range(repeats):
            for name, cmd in cmds.items():
                runs[name].append(_time(cmd))
        same = Path(f"{tmp}/local.jsonl").read_bytes() == Path(f"{tmp}/ray.jsonl").read_bytes()
    print(f"{documents} documents, {words} words, {workers} workers, median of {repeats} "
          f"(min-max); outputs identical: {same}")
    print("| engine | wall s | words/s | machine CPU s |")
    print("|---|---|---|---|")
    for name, rows in runs.items():
        walls = [w for w, _ in rows]
        cpus = [c for _, c in rows]
        print(f"| {name} | {statistics.median(walls):.1f} ({min(walls):.1f}-{max(walls):.1f}) "
              f"| {words / statistics.median(walls):,.0f} "
              f"| {statistics.median(cpus):.1f} ({min(cpus):.1f}-{max(cpus):.1f}) |")
