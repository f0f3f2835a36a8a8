"""The benchmark runs and reports every figure (it asserts no time: numbers vary by machine)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_and_reports_every_section(tmp_path):
    figures = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "-m", "scripts.bench", "--quick", "--json", str(figures)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    for heading in ("## Cold start", "## AWS requests per API call", "## Cost per million", "## In-process work",
                    "## FranceConnect matching among homonyms"):
        assert heading in done.stdout
    report = json.loads(figures.read_text())
    functions = {p.parent.name for p in (ROOT / "functions").glob("*/app.py")}
    assert set(report["imports_seconds"]) == functions
    assert [c["call"] for c in report["calls"]][0] == "POST /v1/signups"
    assert all(c["status"] < 300 for c in report["calls"])
    assert report["transitions"] >= 1 and report["total_per_million"] > 0
    assert [case["found"] for case in report["franceconnect_homonyms"]] == [True, True, True]
