"""Does every function load from the built artefact? What each one's first cold start would tell, for all of
them at once and at a fraction of the cost, so that `make run` refuses to start with a function that does not
load (a file left out of its code, a package missing from the layer, a wrong handler path).

Run by `local.server` on the Lambda runtime's Python, standard library only (like `lambda_runtime.py`). It
imports the first function's handler (which brings the built layer's packages into memory), then forks one
child per function: the child takes that function's environment and `sys.path` (its code folder, then the
layers), forgets the modules of the first function's folder, and imports its handler. The environments that
serve requests stay fresh processes of their own (`local.environments`), started on first use, as on AWS.

stdin: `[{"name", "code_dir", "layers": [...], "handler", "environment": {...}}, ...]`
stdout, last line: `{"<name>": null or "ErrorType: message", ...}`; the functions' init logs go to stderr.
"""

import importlib
import json
import os
import sys
import traceback

RUNTIME_PATH = list(sys.path)  # the runtime's own (with its boto3): after the function's code and layers


def _load(function, first_code_dir=None):
    os.environ.clear()
    os.environ.update(function["environment"])
    os.chdir(function["code_dir"])  # Lambda's working directory: the function's code
    if first_code_dir is not None:  # the first function's own modules are not this one's
        for name, module in list(sys.modules.items()):
            if (getattr(module, "__file__", None) or "").startswith(first_code_dir + os.sep):
                del sys.modules[name]
    sys.path[:] = [function["code_dir"], *(os.path.join(layer, "python") for layer in function["layers"]),
                   *RUNTIME_PATH]
    module_name, _, attribute = function["handler"].rpartition(".")
    getattr(importlib.import_module(module_name), attribute)


def _error(exc):
    traceback.print_exc()
    return f"{type(exc).__name__}: {exc}"


def main():
    functions = json.load(sys.stdin)
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # what the inits print goes to stderr: stdout carries the answer only
    results = {}
    first = functions[0]
    try:
        _load(first)
        results[first["name"]] = None
    except Exception as exc:  # noqa: BLE001 - any init failure is the answer
        results[first["name"]] = _error(exc)
    for function in functions[1:]:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: this function's environment, then its handler
            os.close(read)
            try:
                _load(function, first_code_dir=first["code_dir"])
                message = None
            except BaseException as exc:  # noqa: BLE001
                message = _error(exc)
            os.write(write, json.dumps(message).encode())
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            answer = pipe.read()
        _, status = os.waitpid(pid, 0)
        results[function["name"]] = json.loads(answer) if answer else f"the check exited with status {status}"
    answers.write(json.dumps(results) + "\n")
    answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
