"""Benchmark: wall time and peak memory of every chapter, and of the book build from cache.

Executes each chapter notebook of `_toc.yml` (`tools.chapters`) in its own `jupyter nbconvert`
process, in the profile given (`quick` or `full`), and prints a table of seconds and peak
resident memory (the largest of the process and its kernel, from `wait4`). With `--inplace` the
executed notebooks replace the committed ones, without a provenance record (`make notebooks`
is the way to refresh the book's outputs); otherwise they are written to a temporary folder
and discarded. `--build` also times
`jupyter-book build .` twice: the second run reads every notebook from the cache.

Run:  python benchmarks/bench_chapters.py --profile quick [--inplace] [--build] [NAME ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seqlib import results  # noqa: E402
from tools.chapters import chapters  # noqa: E402

BIN = Path(sys.executable).parent


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Run `command`; return its wall seconds, peak RSS in GB (itself or a reaped child) and exit status."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.stderr.write(process.stderr.read().decode(errors="replace")[-3000:])
    return time.perf_counter() - start, usage.ru_maxrss / 1e6, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=("quick", "full"), default="quick")
    parser.add_argument("--inplace", action="store_true", help="replace the committed notebooks")
    parser.add_argument("--build", action="store_true", help="also time the book build, cold then from cache")
    parser.add_argument("chapters", nargs="*", help="chapter paths as in _toc.yml (default: all)")
    args = parser.parse_args()
    env = {**os.environ, "SEQLIB_PROFILE": args.profile, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}
    print(f"machine: {results.describe_environment()}; profile {args.profile}\n")
    print(f"{'chapter':32s}{'seconds':>9s}{'peak RSS':>10s}")
    total, failed = 0.0, []
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.chapters or [chapter.name for chapter in chapters(ROOT) if chapter.notebook.is_file()]:
            notebook = ROOT / f"{name}.ipynb"
            output = ["--inplace"] if args.inplace else ["--output-dir", scratch]
            seconds, peak, status = run_measured(
                [str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                 "--ExecutePreprocessor.timeout=3600", *output, str(notebook)], env)
            total += seconds
            print(f"{name:32s}{seconds:8.0f}s{peak:8.2f} GB" + ("  FAILED" if status else ""), flush=True)
            if status:
                failed.append(name)
    print(f"{'all chapters':32s}{total:8.0f}s")
    if args.build:
        for label in ("book build (cold cache)", "book build (from cache)"):
            if label.endswith("(cold cache)"):
                subprocess.run(["rm", "-rf", str(ROOT / "_build" / ".jupyter_cache")], check=True)
            seconds, peak, status = run_measured([str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "-q"], env)
            print(f"{label:32s}{seconds:8.0f}s{peak:8.2f} GB" + ("  FAILED" if status else ""), flush=True)
            if status:
                failed.append(label)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
