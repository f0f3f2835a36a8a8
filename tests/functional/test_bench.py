"""The benchmark runs and reports every figure (it asserts no time: numbers vary by machine).

It imports the handlers from the SAM build output and drives the web client in Chromium: without
`make build` it is skipped, unless `make test` runs it (REQUIRE_SAM_CLI=1), which builds first."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# With the browser tests on one worker: each drives a Chromium (2 cores shared by everyone).
pytestmark = pytest.mark.xdist_group("browser")


def test_benchmark_runs_and_reports_every_section(tmp_path):
    if not (ROOT / ".aws-sam" / "build" / "SharedLayer").is_dir() and os.environ.get("REQUIRE_SAM_CLI") != "1":
        pytest.skip("no .aws-sam/build: `make build` first (`make test` does)")
    figures = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "-m", "scripts.bench", "--quick", "--json", str(figures)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    for heading in ("## Cold start", "## AWS requests per API call", "## The web client's journey",
                    "## Cost per million", "## In-process work", "## FranceConnect matching among homonyms"):
        assert heading in done.stdout
    report = json.loads(figures.read_text())
    functions = {p.parent.name for p in (ROOT / "functions").glob("*/app.py")}
    assert set(report["imports_seconds"]) == functions
    assert all(figures["layer_modules"] > 0 for figures in report["imports"].values())
    assert [c["call"] for c in report["calls"]][0] == "POST /v1/signups"
    assert all(c["status"] < 300 for c in report["calls"])
    assert report["transitions"] >= 1 and report["total_per_million"] > 0
    assert set(report["visits"]) == {"signup", "activation"}
    assert report["cost_details"]["web_requests"] > 0 and report["cost_details"]["delivered_bytes"] > 0
    assert any(r["path"] == "/v1/signups" for r in report["visits"]["signup"])
    assert [case["found"] for case in report["franceconnect_homonyms"]] == [True, True, True]
