"""`python -m local` as a subprocess on a free port, started as a developer starts it, and stopped.

`start_local_stack(**env)` returns a `RunningStack` once `/v1/health` answers and every function has its
first environment (`/_local/info` says `warm`); stop it with `.stop()`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 180.0  # 14 functions start their first environment: slow on a loaded machine


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stack_environment(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOCAL_", "AWS_"))}
    env.pop("CONFIRMATION_LINK_VALIDITY", None)
    env.pop("PENDING_EMAIL_RETENTION", None)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


@dataclass
class RunningStack:
    process: subprocess.Popen
    base_url: str
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log_path.unlink(missing_ok=True)


def start_local_stack(**env: str) -> RunningStack:
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="local-stack-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "local"],
        cwd=ROOT,
        env=stack_environment(LOCAL_PORT=str(port), **env),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stopped as a whole
    )
    stack = RunningStack(process, f"http://127.0.0.1:{port}", Path(log.name))
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the local stack exited with {process.returncode}:\n{stack.output()}")
        try:
            # the first /v1/health may be HealthFunction's cold start: more than a second on a busy machine.
            # The tests start once every function has its first environment (the stack warms them up).
            if requests.get(f"{stack.base_url}/v1/health", timeout=30).status_code == 200 \
                    and requests.get(f"{stack.base_url}/_local/info", timeout=30).json()["warm"]:
                return stack
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    stack.stop()
    raise RuntimeError(f"the local stack was not ready within {READY_TIMEOUT:.0f} s:\n{stack.output()}")
