"""Measures the local stack's budgets (local/README.md): time to ready, and memory with every function warm.

    .venv/bin/python -m local.budgets              # after `make build lambda-runtime`
    .venv/bin/python -m local.budgets --make-run   # the same through `make run` (its checks, a build if needed)

Starts `python -m local` with LOCAL_CONCURRENCY=2 on a free port, times it until it prints "Local stack ready",
until `/v1/health` answers and until every function has its first environment (started in the background
after ready), makes two environments of every API function warm (two requests at once to each route: any answer will do, a
refusal runs the function too), then adds up the memory of the whole process tree (PSS: shared pages
counted once, shared out between the processes that map them).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from local.config import ROOT
from local.template import api_routes, load_template


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(p for child in children for p in _tree(int(child)))]


def _pss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU of these processes and of their children that have exited."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def main() -> int:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LOCAL_PORT": str(port), "LOCAL_CONCURRENCY": "2", "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    command = ["make", "--no-print-directory", "run"] if "--make-run" in sys.argv else [sys.executable, "-m", "local"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, start_new_session=True, text=True)
    try:
        for line in process.stdout:  # what a user waits for: the URLs
            if line.startswith("Local stack ready"):
                break
        else:
            print("the stack did not start (python -m local to see why)")
            return 1
        ready, ready_cpu = time.monotonic() - started, _cpu_seconds(_tree(process.pid))
        threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # keep draining
        requests.get(f"{base}/v1/health", timeout=120).raise_for_status()  # HealthFunction's cold start
        first_answer = time.monotonic() - started
        while not requests.get(f"{base}/_local/info", timeout=30).json()["warm"]:
            time.sleep(0.1)
        warm = time.monotonic() - started
        routes = api_routes(load_template(ROOT / ".aws-sam" / "build" / "template.yaml"))
        with ThreadPoolExecutor(max_workers=2) as pool:
            for route in routes:
                path = route.path.replace("{signup_id}", "00000000-0000-4000-8000-000000000000")
                method = "GET" if route.method == "ANY" else route.method
                list(pool.map(lambda _, m=method, p=path: requests.request(m, base + p, json={}, timeout=60), range(2)))
        memory = sum(_pss_mb(pid) for pid in _tree(process.pid))
        processes = len(_tree(process.pid))
        print(f"{'make run' if '--make-run' in sys.argv else 'python -m local'}: ready in {ready:.1f} s "
              f"({ready_cpu:.1f} s of CPU), first /v1/health answered at {first_answer:.1f} s, every function warm at "
              f"{warm:.1f} s; "
              f"{processes} processes, "
              f"{memory:.0f} MB (PSS) with every API function warm at concurrency 2; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        return 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
