"""The embedded local stack: the project's handlers, template and state machine on moto, one process.

`python -m local` (or `make run`) serves the API, the web client, the mailbox and the docs on
http://127.0.0.1:3000; see `local/README.md`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_LAYER = ROOT / "layers" / "shared"


def put_layer_on_path() -> None:
    """The shared layer is importable as `ameli`, as it is under /opt/python in Lambda."""
    if str(SHARED_LAYER) not in sys.path:
        sys.path.insert(0, str(SHARED_LAYER))


put_layer_on_path()
