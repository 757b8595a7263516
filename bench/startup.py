"""Start-up time of the portal: from `govcat up` to the first 200 from status_show.

    .venv/bin/python bench/startup.py [--runs N] [--workers N]

cold: an empty data directory (initdb, every migration, sysadmin), dependencies installed;
warm: the same data directory again (PostgreSQL and Redis restart, migrations are no-ops).
Each run stops the portal (SIGINT, as Ctrl-C) before the next. Targets on a 2-core machine:
cold < 30 s, warm < 10 s. Prints the median of the runs, and every run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

GOVCAT = str(Path(sys.executable).with_name("govcat"))
TARGETS = {"cold": 30.0, "warm": 10.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_up(data_dir: Path, port: int, workers: int) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CKAN_")}
    url = f"http://127.0.0.1:{port}/api/3/action/status_show"
    started = time.monotonic()
    proc = subprocess.Popen([GOVCAT, "up", "--data-dir", str(data_dir), "--port", str(port),
                             "--workers", str(workers)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"govcat up exited with {proc.returncode}; see {data_dir}/logs")
            try:
                with urllib.request.urlopen(url, timeout=2) as reply:
                    if reply.status == 200:
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="govcat-bench-"))
    root.chmod(0o755)  # PostgreSQL runs as `nobody` when we are root
    times: dict[str, list[float]] = {"cold": [], "warm": []}
    try:
        for run in range(args.runs):
            data_dir = root / f"run{run}"
            times["cold"].append(time_up(data_dir, free_port(), args.workers))
            times["warm"].append(time_up(data_dir, free_port(), args.workers))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"govcat up -> status_show 200   ({os.cpu_count()} cores, {args.workers} web workers, "
          f"{args.runs} runs)")
    for kind, values in times.items():
        median = statistics.median(values)
        verdict = "ok" if median < TARGETS[kind] else "OVER TARGET"
        runs = ", ".join(f"{v:.1f}" for v in values)
        print(f"  {kind:<5} median {median:5.1f} s   target < {TARGETS[kind]:.0f} s   {verdict}"
              f"   (runs: {runs})")


if __name__ == "__main__":
    main()
