"""The web client's budget on a phone, measured through the local stack: `make web-budget`.

For each screen (the landing page `/` and the identity form `/creer-mon-compte` by default), a first
visit in a fresh Chromium context at 360 x 740 px:
- requests and bytes transferred **as the local stack sent them** (Chromium's encoded data length:
  headers + body on the wire; compressed only if the local edge compresses);
- the **brotli size computed here** for each response (quality 11, only for what CloudFront compresses:
  its text content types, 1,000 B to 10 MB; woff2 and png are sent as they are): what a first visit
  weighs behind CloudFront while the local edge does not compress yet. It counts bodies only;
- the cumulative layout shift (CLS) until the screen has rendered and the network is idle, on a
  throttled phone (Lighthouse's mobile figures: 150 ms round trip, 1.6 Mbit/s down, CPU 4x slower), so
  that what arrives late has the time to push what is already painted;
- with `--lighthouse`: Lighthouse 12.2.3 (mobile preset, simulated throttling) on Debian's Chromium,
  performance and accessibility scores. Lighthouse is installed on first use into `.tools/`.

    python -m scripts.web_budget                    # starts a local stack of its own
    python -m scripts.web_budget --base-url http://127.0.0.1:3000 --lighthouse --runs 5
    python -m scripts.web_budget --check            # exit 1 when a budget is exceeded

The budget (issue 13): a first visit at most 160 KB transferred and at most 10 requests, CLS ~0 (we
check <= 0.01), Lighthouse mobile performance >= 95 and accessibility 100.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LIGHTHOUSE_VERSION = "12.2.3"
TOOLS = ROOT / ".tools" / f"lighthouse-{LIGHTHOUSE_VERSION}"
SCREENS = {"accueil": "/", "identite": "/creer-mon-compte"}
BUDGET_BYTES = 160 * 1000  # "160 KB": counted in kilobytes of 1,000 bytes
BUDGET_REQUESTS = 10
BUDGET_CLS = 0.01
BUDGET_PERFORMANCE = 95
BUDGET_ACCESSIBILITY = 100

# The content types CloudFront compresses (its documentation's list, the ones a web client sends).
COMPRESSED_TYPES = (
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "image/svg+xml", "image/x-icon", "image/vnd.microsoft.icon", "text/plain", "application/manifest+json",
    "font/ttf", "font/otf", "application/vnd.ms-fontobject",
)
COMPRESS_MIN, COMPRESS_MAX = 1_000, 10_000_000

# Layout shifts seen by the page, summed as Chromium reports them (no recent input).
CLS_OBSERVER = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({ type: "layout-shift", buffered: true });
"""

BROTLI_SIZES = """
const fs = require("fs"), zlib = require("zlib");
const files = JSON.parse(fs.readFileSync(0, "utf8"));
const q = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } };
process.stdout.write(JSON.stringify(files.map((f) => zlib.brotliCompressSync(fs.readFileSync(f), q).length)));
"""


@dataclass
class Resource:
    url: str
    content_type: str
    status: int
    sent: int  # bytes on the wire (headers + body), as Chromium counted them
    body: int  # decoded body size
    encoding: str
    brotli: int = 0  # computed here (body only)


@dataclass
class Visit:
    name: str
    path: str
    resources: list[Resource] = field(default_factory=list)
    cls: float = 0.0
    lighthouse: dict | None = None

    @property
    def sent(self) -> int:
        return sum(r.sent for r in self.resources)

    @property
    def brotli(self) -> int:
        return sum(r.brotli for r in self.resources)


def _compressible(resource: Resource) -> bool:
    kind = resource.content_type.split(";")[0].strip().lower()
    return kind in COMPRESSED_TYPES and COMPRESS_MIN <= resource.body <= COMPRESS_MAX


def measure(browser, base_url: str, name: str, path: str) -> Visit:
    context = browser.new_context(
        base_url=base_url, locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 360, "height": 740},
        device_scale_factor=2, is_mobile=True, has_touch=True,
    )
    page = context.new_page()
    page.add_init_script(CLS_OBSERVER)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 0.75e6 / 8})
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    seen: dict[str, dict] = {}
    cdp.on("Network.responseReceived", lambda e: seen.setdefault(e["requestId"], {}).update(
        url=e["response"]["url"], status=e["response"]["status"],
        headers={k.lower(): v for k, v in e["response"]["headers"].items()}))
    cdp.on("Network.loadingFinished", lambda e: seen.setdefault(e["requestId"], {}).update(
        sent=int(e["encodedDataLength"])))
    bodies: dict[str, bytes] = {}

    def keep_body(response):
        with contextlib.suppress(Exception):  # a redirect or an aborted load has no body
            bodies[response.url] = response.body()

    page.on("response", keep_body)
    page.goto(path, wait_until="networkidle", timeout=60_000)
    page.locator("#app:not([aria-busy])").wait_for()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # late shifts (fonts, the DSFR's scripts) would show within this
    visit = Visit(name, path, cls=float(page.evaluate("window.__cls")))
    for entry in seen.values():
        if "url" not in entry or entry["url"].startswith("data:"):
            continue
        body = bodies.get(entry["url"])
        if body is None:  # Chromium kept no body (as for the favicon when it was a file): count what was sent
            body = b"\0" * max(0, entry.get("sent", 0) - 300)
        visit.resources.append(Resource(
            url=entry["url"].removeprefix(base_url), content_type=entry["headers"].get("content-type", ""),
            status=entry["status"], sent=entry.get("sent", 0), body=len(body),
            encoding=entry["headers"].get("content-encoding", "-")))
        visit.resources[-1].raw = body  # type: ignore[attr-defined]
    context.close()
    _add_brotli_sizes(visit)
    return visit


def _add_brotli_sizes(visit: Visit) -> None:
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for index, resource in enumerate(visit.resources):
            target = Path(folder) / str(index)
            target.write_bytes(resource.raw)  # type: ignore[attr-defined]
            files.append(str(target))
        sizes = json.loads(subprocess.run(["node", "-e", BROTLI_SIZES], input=json.dumps(files), text=True,
                                          capture_output=True, check=True).stdout)
    for resource, size in zip(visit.resources, sizes, strict=True):
        resource.brotli = size if _compressible(resource) else resource.body


def _lighthouse_bin() -> Path:
    binary = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        TOOLS.mkdir(parents=True, exist_ok=True)
        print(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {TOOLS.relative_to(ROOT)} ...", file=sys.stderr)
        subprocess.run(["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", "--ignore-scripts",
                        f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True, stdout=subprocess.DEVNULL)
    return binary


def lighthouse(base_url: str, path: str, runs: int = 3) -> dict:
    """The run of median performance score among `runs` (the machine is shared: one run can be unlucky)."""
    results = sorted((_lighthouse_once(base_url, path) for _ in range(runs)), key=lambda r: r["performance"])
    median = dict(results[len(results) // 2])
    median["runs"] = [r["performance"] for r in results]
    return median


def _lighthouse_once(base_url: str, path: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run([
            str(_lighthouse_bin()), base_url + path, "--quiet", "--output=json", f"--output-path={report}",
            "--only-categories=performance,accessibility", "--form-factor=mobile", "--throttling-method=simulate",
            f"--chrome-path={CHROMIUM}", "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            "--locale=fr",
        ], check=True, env={"CHROME_PATH": CHROMIUM, "PATH": "/usr/bin:/bin:/usr/local/bin"}, stdout=subprocess.DEVNULL)
        data = json.loads(report.read_text(encoding="utf-8"))
    audits = data["audits"]
    return {
        "performance": round(data["categories"]["performance"]["score"] * 100),
        "accessibility": round(data["categories"]["accessibility"]["score"] * 100),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
    }


def report(visits: list[Visit]) -> list[str]:
    """Prints each visit; returns the budgets exceeded."""
    exceeded = []
    for visit in visits:
        print(f"\n== {visit.name} ({visit.path}): first visit, 360 x 740 px, cache empty, throttled phone")
        print(f"{'sent (wire)':>12} {'brotli (computed)':>18} {'body':>9}  {'enc':<5} {'type':<24} url")
        for r in sorted(visit.resources, key=lambda r: -r.brotli):
            kind = r.content_type.split(";")[0]
            print(f"{r.sent:>12,} {r.brotli:>18,} {r.body:>9,}  {r.encoding:<5} {kind:<24} {r.url}")
        print(f"{visit.sent:>12,} {visit.brotli:>18,} {'':>9}  total, {len(visit.resources)} requests")
        print(f"requests: {len(visit.resources)} (budget {BUDGET_REQUESTS})")
        print(f"transferred as sent by the local stack: {visit.sent / 1000:.1f} KB")
        print(f"brotli size computed here (bodies, what CloudFront would send): {visit.brotli / 1000:.1f} KB "
              f"(budget {BUDGET_BYTES / 1000:.0f} KB)")
        print(f"CLS (Chromium's layout-shift entries, throttled phone): {visit.cls:.3f} (budget {BUDGET_CLS})")
        if len(visit.resources) > BUDGET_REQUESTS:
            exceeded.append(f"{visit.name}: {len(visit.resources)} requests")
        if visit.brotli > BUDGET_BYTES:
            exceeded.append(f"{visit.name}: {visit.brotli / 1000:.1f} KB brotli")
        if visit.cls > BUDGET_CLS:
            exceeded.append(f"{visit.name}: CLS {visit.cls:.3f}")
        if visit.lighthouse:
            lh = visit.lighthouse
            print(f"Lighthouse {LIGHTHOUSE_VERSION} mobile (median of {len(lh['runs'])} runs, scores {lh['runs']}): "
                  f"performance {lh['performance']}, accessibility {lh['accessibility']} (FCP {lh['fcp_ms']} ms, "
                  f"LCP {lh['lcp_ms']} ms, TBT {lh['tbt_ms']} ms, CLS {lh['cls']})")
            if lh["performance"] < BUDGET_PERFORMANCE:
                exceeded.append(f"{visit.name}: Lighthouse performance {lh['performance']}")
            if lh["accessibility"] < BUDGET_ACCESSIBILITY:
                exceeded.append(f"{visit.name}: Lighthouse accessibility {lh['accessibility']}")
    return exceeded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", help="a running local stack (default: start one)")
    parser.add_argument("--lighthouse", action="store_true", help="also run Lighthouse (mobile)")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per screen (the median is kept)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a budget is exceeded")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    stack = None
    base_url = args.base_url
    if not base_url:
        from tests.e2e.localstack import start_local_stack

        stack = start_local_stack()
        base_url = stack.base_url
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            visits = [measure(browser, base_url, name, path) for name, path in SCREENS.items()]
            browser.close()
        if args.lighthouse:
            for visit in visits:
                visit.lighthouse = lighthouse(base_url, visit.path, args.runs)
    finally:
        if stack:
            stack.stop()
    exceeded = report(visits)
    # Lighthouse's simulation scales the CPU time it observed: on a busy machine its scores drop.
    print("\nmachine load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg())
          + f" on {os.cpu_count()} CPUs")
    if args.json:
        args.json.write_text(json.dumps([{
            "screen": v.name, "path": v.path, "requests": len(v.resources), "sent_bytes": v.sent,
            "brotli_bytes": v.brotli, "cls": v.cls, "lighthouse": v.lighthouse,
        } for v in visits], indent=2), encoding="utf-8")
    if exceeded:
        print("\nOver budget: " + "; ".join(exceeded))
    else:
        print("\nWithin budget.")
    return 1 if (args.check and exceeded) else 0


if __name__ == "__main__":
    sys.exit(main())
