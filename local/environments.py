"""Lambda's execution environments, locally: processes of their own, per function.

As on Lambda, each function has its own environments: one invocation at a time in each, its module
state kept between the invocations it serves, a new environment started (a cold start, logged with
its init duration) when every warm one is busy, up to `concurrency` environments (`LOCAL_CONCURRENCY`);
beyond that an invocation waits for one to be free (on AWS, the account allows 1,000). Each
environment runs `local/lambda_runtime.py` on the runtime's Python with the function's code and the
built layer from `.aws-sam/build`, and only the environment Lambda would give it.

    function = Function("HealthFunction", name=..., handler="app.lambda_handler", code_dir=..., layers=[...],
                        environment={...}, memory_size=128, timeout=10, runtime=Runtime(python),
                        concurrency=4, log=print)
    result = function.invoke(event)     # the handler's result, or FunctionError
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RUNTIME_SCRIPT = Path(__file__).resolve().parent / "lambda_runtime.py"
LAMBDA_INIT_LIMIT = 10.0  # seconds Lambda gives the init phase
LOCAL_INIT_TIMEOUT = 60.0  # locally more: many environments may start at once on few cores


class FunctionError(Exception):
    """The function did not answer: init failure, unhandled exception, timeout, or a crash."""


@dataclass(frozen=True)
class Runtime:
    """The Lambda runtime's Python (3.12, with the boto3 the runtime ships)."""

    python: Path


class ExecutionEnvironment:
    """One process running the function's runtime loop."""

    def __init__(self, function: Function, number: int) -> None:
        self.function = function
        self.number = number
        read_fd, write_fd = os.pipe()
        environment = {**function.process_environment(), "LOCAL_RUNTIME_FD": str(write_fd)}
        try:
            self.process = subprocess.Popen(
                # -P: the runtime script's folder (local/) is not put on sys.path
                [str(function.runtime.python), "-P", str(RUNTIME_SCRIPT)],
                stdin=subprocess.PIPE,
                env=environment,
                cwd=function.code_dir,
                pass_fds=(write_fd,),
                text=True,
            )
        finally:
            os.close(write_fd)
        self.answers = os.fdopen(read_fd, "r", encoding="utf-8")
        self.started = time.monotonic()

    def _read(self, timeout: float) -> dict[str, Any] | None:
        """The next answer, or None after `timeout` seconds."""
        ready, _, _ = select.select([self.answers], [], [], timeout)
        if not ready:
            return None
        line = self.answers.readline()
        if not line:
            code = self.process.wait(timeout=5)
            raise FunctionError(f"the environment exited with status {code}")
        return json.loads(line)

    def wait_ready(self) -> float:
        """The init duration in ms. Raises FunctionError (init error, crash, timeout)."""
        answer = self._read(LOCAL_INIT_TIMEOUT)
        if answer is None:
            self.stop()
            raise FunctionError(f"init took more than {LOCAL_INIT_TIMEOUT:.0f} s")
        if "init_error" in answer:
            self.stop()
            error = answer["init_error"]
            raise FunctionError(f"Runtime.ImportModuleError: {error['errorType']}: {error['errorMessage']}")
        return answer["ready"]

    def invoke(self, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
        try:
            self.process.stdin.write(json.dumps(payload) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise FunctionError(f"the environment is gone ({error})") from None
        answer = self._read(timeout)
        if answer is None:  # Lambda stops the environment of a function that times out
            self.stop()
            raise FunctionError(f"Task timed out after {timeout:.2f} seconds")
        return answer

    def peak_memory_mb(self) -> int | None:
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
        return None

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.answers.close()


class Function:
    """A function's pool of execution environments."""

    def __init__(
        self,
        logical_id: str,
        *,
        name: str,
        handler: str,
        code_dir: Path,
        layers: list[Path],
        environment: dict[str, str],
        memory_size: int,
        timeout: int,
        runtime: Runtime,
        concurrency: int,
        log: Callable[[str], None],
        faults: Callable[[], dict[str, float]] = dict,
        on_calls: Callable[[str, list[dict[str, Any]]], None] | None = None,
        access_key: str = "ASIALOCALFUNCTION000",
    ) -> None:
        self.logical_id = logical_id
        self.name = name
        self.arn = f"arn:aws:lambda:{environment.get('AWS_REGION', 'eu-west-3')}:123456789012:function:{name}"
        self.handler = handler
        self.code_dir = code_dir
        self.layers = layers  # built layer folders: their `python/` is Lambda's /opt/python
        self.environment = environment
        self.memory_size = memory_size
        self.timeout = timeout
        self.runtime = runtime
        self.concurrency = concurrency
        self.log = log
        self.faults = faults
        self.on_calls = on_calls
        self.access_key = access_key
        self._idle: list[ExecutionEnvironment] = []
        self._all: list[ExecutionEnvironment] = []
        self._starting = 0
        self._numbers = 0
        self._available = threading.Condition()
        self._stopped = False

    def process_environment(self) -> dict[str, str]:
        """What Lambda sets for a python3.12 function, then the function's own variables."""
        path = ":".join([str(self.code_dir), *(str(layer / "python") for layer in self.layers)])
        return {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "PYTHONPATH": path,
            "PYTHONUNBUFFERED": "1",  # logs reach the console as they are written, as CloudWatch gets them
            "PYTHONDONTWRITEBYTECODE": "1",  # /var/task is read-only on Lambda
            "LAMBDA_TASK_ROOT": str(self.code_dir),
            "_HANDLER": self.handler,
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{self.name}",
            "AWS_ACCESS_KEY_ID": self.access_key,  # the function's role, recognised by the IAM check
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_SESSION_TOKEN": "local",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            **self.environment,
        }

    # -- environments
    def _new_environment(self) -> ExecutionEnvironment:
        with self._available:
            self._numbers += 1
            number = self._numbers
        environment = ExecutionEnvironment(self, number)
        try:
            init_ms = environment.wait_ready()
        except FunctionError as error:
            self.log(f"{self.logical_id}: environment {number} failed its init: {error}")
            raise
        note = f" (more than the {LAMBDA_INIT_LIMIT:.0f} s Lambda allows)" if init_ms > LAMBDA_INIT_LIMIT * 1000 else ""
        self.log(f"{self.logical_id}: cold start, environment {number}, init {init_ms:.0f} ms{note}")
        return environment

    def start_environment(self) -> None:
        """Starts one environment now and keeps it warm, unless the function has one already (or one
        starting). Raises FunctionError when the init fails."""
        with self._available:
            if self._all or self._starting or self._stopped:
                return
            self._starting += 1
        try:
            environment = self._new_environment()
        finally:
            with self._available:
                self._starting -= 1
        with self._available:
            if self._stopped:  # the stack stopped while it started
                environment.stop()
                return
            self._all.append(environment)
            self._idle.append(environment)
            self._available.notify()

    def _acquire(self) -> ExecutionEnvironment:
        with self._available:
            while not self._idle and len(self._all) + self._starting >= self.concurrency:
                self._available.wait()
            if self._idle:
                return self._idle.pop()  # the most recently used: warm
            self._starting += 1
        try:
            environment = self._new_environment()
        except BaseException:
            with self._available:
                self._starting -= 1
                self._available.notify()
            raise
        with self._available:
            self._starting -= 1
            self._all.append(environment)
        return environment

    def _release(self, environment: ExecutionEnvironment) -> None:
        with self._available:
            if environment.alive():
                self._idle.append(environment)
            else:
                self._all.remove(environment)
            self._available.notify()

    def context(self) -> dict[str, Any]:
        return {
            "function_name": self.name,
            "invoked_function_arn": self.arn,
            "memory_limit_in_mb": str(self.memory_size),
            "aws_request_id": str(uuid.uuid4()),
            "log_group_name": f"/aws/lambda/{self.name}",
            "log_stream_name": f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]local",
            "timeout": self.timeout,
        }

    def invoke(self, event: dict[str, Any]) -> Any:
        """The handler's result. Raises FunctionError when the function fails or times out."""
        environment = self._acquire()
        try:
            answer = environment.invoke({"event": event, "context": self.context(), "faults": self.faults()},
                                        self.timeout)
        finally:
            self._release(environment)
        if self.on_calls is not None:
            self.on_calls(self.logical_id, answer.get("calls", []))
        peak = environment.peak_memory_mb()
        if peak is not None and peak > self.memory_size:
            self.log(f"{self.logical_id}: environment {environment.number} used {peak} MB, more than its "
                     f"MemorySize of {self.memory_size} MB (Lambda would stop it)")
        if "error" in answer:
            error = answer["error"]
            raise FunctionError(f"{error['errorType']}: {error['errorMessage']}")
        return answer["result"]

    def environments(self) -> int:
        with self._available:
            return len(self._all)

    def stop(self) -> None:
        with self._available:
            self._stopped = True
            environments, self._all, self._idle = list(self._all), [], []
        for environment in environments:
            environment.stop()


class InProcessFunction:
    """A function imported from its source folder into this process, for the functional tests (which
    test the source in-process on moto): one invocation at a time across every such function, since
    they share one process, one `ameli` container and one logger. `python -m local` never uses it."""

    _one_at_a_time = threading.Lock()

    def __init__(self, logical_id: str, *, name: str, handler: str, code_dir: Path, timeout: int, memory_size: int,
                 **_: Any) -> None:
        import importlib.util
        import sys

        self.logical_id = logical_id
        self.name = name
        self.timeout = timeout
        self.memory_size = memory_size
        self.arn = f"arn:aws:lambda:eu-west-3:123456789012:function:{name}"
        module_path, _, attribute = handler.rpartition(".")
        file = code_dir / (module_path.replace(".", "/") + ".py")
        module_name = f"functions.{code_dir.name}.{module_path}"
        spec = importlib.util.spec_from_file_location(module_name, file)
        if spec is None or spec.loader is None or not file.is_file():
            raise FunctionError(f"no handler module at {file}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        self.handler = getattr(module, attribute)

    context = Function.context

    def invoke(self, event: dict[str, Any]) -> Any:
        import traceback
        from types import SimpleNamespace

        fields = self.context()
        context = SimpleNamespace(**fields, function_version="$LATEST", identity=None, client_context=None,
                                  get_remaining_time_in_millis=lambda: self.timeout * 1000)
        with self._one_at_a_time:
            try:
                return self.handler(event, context)
            except Exception as error:
                traceback.print_exc()
                raise FunctionError(f"{type(error).__name__}: {error}") from None

    def stop(self) -> None:
        pass
