"""The web app's overhead and memory: figures printed, nothing asserted.

1. Time from *Run* to the first result and to the last of N baseline replications through the app's engine (its run
   queue on its shared process pool, results arriving chunk by chunk — what the page polls), against
   ``sim run scenarios/baseline.yaml -n N`` on the same machine; the app's overhead in percent.
2. The memory (resident set) of a ``sim app`` process with five browser sessions open on the Explore page
   (headless Chromium, as in the browser tests), and of its worker processes.

Usage::

    python benchmarks/app_overhead.py                 # 100 replications of the baseline year
    python benchmarks/app_overhead.py -n 20 --horizon-days 90   # quicker

The machine's load matters (other processes share the cores): run it on a quiet machine for figures to quote.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def time_cli(replications: int, overrides: list[str], results: Path) -> float:
    """Wall time of ``sim run`` in a fresh process (start-up and imports included, as a student sees it)."""
    words = [sys.executable, "-m", "sim", "run", str(BASELINE), "-n", str(replications), "--no-report"]
    for override in overrides:
        words += ["--set", override]
    start = time.perf_counter()
    subprocess.run([*words, "--out", str(results)], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def time_app(replications: int, overrides: list[str], results: Path) -> list[tuple[float, float]]:
    """(Run → first result s, Run → all results s) through the app's run queue: the first run (the pool's workers
    start) and a second one with another seed (the pool is warm, as for every later run of a session)."""
    from sim import api
    from sim.app.jobs import Job, RunQueue, job_key

    scenario = api.load_scenario(BASELINE, overrides)
    queue = RunQueue(results)
    timings = []
    try:
        for seed in (1, 2):
            job = Job(
                job_key([scenario], overrides, replications, seed), [scenario.name], [scenario], replications, seed
            )
            started = time.monotonic()
            queue.submit(job)
            while not job.finished:
                time.sleep(0.01)
            if job.state != "done":
                raise RuntimeError(f"the app's run ended {job.state}: {job.error}")
            timings.append((job.first_result_s - started, job.finished_s - started))
    finally:
        queue.close()
    return timings


def app_memory(sessions: int, results: Path) -> tuple[float, float] | None:
    """(app process MiB, its worker processes MiB) with ``sessions`` browser sessions open; None without a browser."""
    import psutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "app", "--out", str(results)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        match = re.search(r"open (http://\S+)", process.stdout.readline())
        if match is None:
            raise RuntimeError("sim app did not print its URL")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            pages = []
            for _ in range(sessions):
                page = browser.new_context().new_page()
                page.goto(match.group(1))
                page.wait_for_selector("#lever_groups", timeout=120_000)
                pages.append(page)
            time.sleep(2)
            app = psutil.Process(process.pid)
            own = app.memory_info().rss / 2**20
            children = sum(child.memory_info().rss for child in app.children(recursive=True)) / 2**20
            browser.close()
        return own, children
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--replications", type=int, default=100)
    parser.add_argument("--horizon-days", type=int, default=None, help="shorten the baseline (default: its year)")
    parser.add_argument("--sessions", type=int, default=5)
    arguments = parser.parse_args()
    overrides = [f"horizon_days={arguments.horizon_days}"] if arguments.horizon_days else []
    with tempfile.TemporaryDirectory(prefix="sim-app-bench-") as folder:
        results = Path(folder)
        time_cli(2, overrides, results / "warm")  # compile the kernel once (numba caches it) before timing
        cli_s = time_cli(arguments.replications, overrides, results / "cli")
        (cold_first_s, cold_s), (warm_first_s, warm_s) = time_app(arguments.replications, overrides, results / "app")
        memory = app_memory(arguments.sessions, results / "memory")
    n = arguments.replications
    print(f"baseline{' ' + overrides[0] if overrides else ''}, {n} replications, {os.cpu_count()} cores")
    print(f"  sim run -n {n} (a fresh process: start-up, imports, run)  : {cli_s:8.1f} s")
    print(f"  app, first run (its pool's workers start): Run → first result : {cold_first_s:8.2f} s")
    print(f"                                              Run → all results  : {cold_s:8.1f} s")
    print(f"  app, later runs (pool warm):              Run → first result : {warm_first_s:8.2f} s")
    print(f"                                              Run → all results  : {warm_s:8.1f} s")
    print(
        f"  app overhead vs sim run: first run {100 * (cold_s - cli_s) / cli_s:+.1f} %, "
        f"later runs {100 * (warm_s - cli_s) / cli_s:+.1f} %"
    )
    if memory is None:
        print("  memory: skipped (needs playwright and a chromium binary)")
    else:
        own, children = memory
        print(f"  app process with {arguments.sessions} sessions open     : {own:8.0f} MiB resident")
        print(f"  its worker processes (none before a run)  : {children:8.0f} MiB resident")


if __name__ == "__main__":
    main()
