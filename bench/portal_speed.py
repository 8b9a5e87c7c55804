"""The web portal's weight and speed on the embedded stack, against the bare API calls
behind its pages, measured in the same run.

    .venv/bin/python -m bench.portal_speed                       # 100,000 register lines, 5,000 cases
    .venv/bin/python -m bench.portal_speed --documents 5000 --cases 500 --calls 5

What is measured (docs/benchmarks.md records the figures):

* size: the built portal's JavaScript and CSS (portal/dist/assets), raw and gzipped — what
  a browser downloads on its first visit (nothing else is loaded from anywhere).
* time to interactive of the register page: headless chromium (Debian's, as in the
  tests) opens the portal at #/rejestr with a session already in sessionStorage, cold
  (a new browser context, no cache); the time is the page's own clock from navigation
  start until the register's first row is in the page and the filter form takes input.
* first page of a register of N lines (default 100,000 — a year of a big unit) and of a
  spis spraw of K cases (default 5,000), each reached inside the already loaded portal
  (menu click → rows shown), as a ratio to the bare API call behind it (the same GET with
  the same token, from this process, timed alternately with the page). Goal (issue 7):
  the page adds less than 50 % to the API time (ratio < 1.5).

Register lines and cases are seeded straight into the records table in the layouts the
adapters write (bench/routing_and_queries.py); seeding is not timed. Nothing asserts a time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.measure import bench_stack, percentile
from bench.routing_and_queries import UNIT, boto, seed_cases, seed_registered, say

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "portal" / "dist"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
CLERK, OFFICER = "woiw.sekretariat", "woiw.arkusze"
# Where the page is left to between two timed renders: an address with no page, so that
# no request of another page is still in moto when the timed one is made.
AWAY = "#/poza-portalem"


def asset_sizes() -> dict[str, Any]:
    sizes: dict[str, Any] = {"js": 0, "js_gzip": 0, "css": 0, "css_gzip": 0, "files": {}}
    for path in sorted((DIST / "assets").iterdir()):
        kind = path.suffix.lstrip(".")
        if kind not in ("js", "css"):
            continue
        raw = path.read_bytes()
        packed = len(gzip.compress(raw, compresslevel=9))
        sizes[kind] += len(raw)
        sizes[f"{kind}_gzip"] += packed
        sizes["files"][path.name] = {"bytes": len(raw), "gzip": packed}
    return sizes


def api_ms(url: str, token: str) -> float:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as answer:
        answer.read()
    return (time.perf_counter() - started) * 1000


def page_with_session(browser: Any, base: str, token: str) -> Any:
    context = browser.new_context(locale="pl-PL", timezone_id="Europe/Warsaw", viewport={"width": 1400, "height": 900})
    context.add_init_script(f"sessionStorage.setItem('ezd.token', {json.dumps(token)})")
    return context, context.new_page()


def time_to_interactive(browser: Any, base: str, token: str) -> float:
    context, page = page_with_session(browser, base, token)
    page.goto(f"{base}/#/rejestr", wait_until="commit")
    page.wait_for_selector("table[aria-label^='Rejestr'] tbody tr", timeout=120_000)
    page.get_by_label("Nadawca", exact=True).fill("x")  # the form takes input
    took = page.evaluate("() => performance.now()")
    context.close()
    return took


WATCH = """([rows, hash]) => {
    window.__shown = null;
    window.__started = null;
    performance.clearResourceTimings();
    const seen = new MutationObserver(() => {
        if (document.querySelector(rows)) { window.__shown = performance.now(); seen.disconnect(); }
    });
    seen.observe(document.body, { childList: true, subtree: true });
    if (hash) { window.__started = performance.now(); location.hash = hash; }
    else document.addEventListener("click", () => { window.__started = performance.now(); }, { capture: true, once: true });
}"""


def page_ms(page: Any, rows: str, api_path: str, away: str, *, menu_label: str | None = None,
            hash_: str | None = None) -> tuple[float, float, float, float]:
    """From the menu click (or the change of address) to the mutation that put the first
    row in, on the page's own clock (Playwright's round trips are not counted), and of
    that the API call as the page made it (resource timing), how long after the click the
    call began (the route change and the page's first render) and from its answer to the
    rows. The page is left first, so its data is fetched again; its code is already
    loaded, as in daily use."""
    page.evaluate("(hash) => { location.hash = hash; }", away)
    page.wait_for_selector(rows, state="detached", timeout=120_000)
    page.evaluate(WATCH, [rows, hash_])
    if menu_label:
        page.get_by_role("navigation", name="Menu główne").get_by_role("link", name=menu_label).click()
    page.wait_for_function("() => window.__shown !== null", timeout=120_000)
    return page.evaluate("""(path) => {
        const calls = performance.getEntriesByType("resource").filter((e) => e.name.includes(path));
        const call = calls[calls.length - 1];
        return [window.__shown - window.__started, call ? call.responseEnd - call.startTime : NaN,
                call ? call.startTime - window.__started : NaN, call ? window.__shown - call.responseEnd : NaN];
    }""", api_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=5_000)
    parser.add_argument("--calls", type=int, default=15, help="timed calls of each page and API call")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if not (DIST / "index.html").is_file() or not shutil.which(CHROMIUM):
        raise SystemExit("build the portal (make portal) and install chromium (make system-packages) first")

    results: dict[str, Any] = {"sizes": asset_sizes(), "documents": args.documents, "cases": args.cases}
    s = results["sizes"]
    say(f"portal assets: JS {s['js'] / 1024:.0f} KiB ({s['js_gzip'] / 1024:.0f} KiB gzipped), "
        f"CSS {s['css'] / 1024:.0f} KiB ({s['css_gzip'] / 1024:.0f} KiB gzipped)")
    temp, stack = bench_stack("ezd-bench-portal-")
    try:
        stack.start()
        from ezd.clock import local_date, now_utc
        from ezd.services.auth import issue_token
        from playwright.sync_api import sync_playwright

        year = local_date(now_utc()).year
        ddb = boto("dynamodb", stack.info.moto_url)
        table = stack.info.environment["EZD_TABLE"]
        rng = random.Random(20261204)
        t = time.perf_counter()
        seed_registered(ddb, table, args.documents, year, rng)
        spis = seed_cases(ddb, table, args.cases, year, args.cases, rng)
        say(f"seeded {args.documents} register lines and {args.cases} cases in {time.perf_counter() - t:.0f} s")
        base = stack.info.api_url
        key = Path(stack.info.token_key_file).read_text(encoding="ascii").strip()
        clerk, officer = issue_token(CLERK, key), issue_token(OFFICER, key)
        register_api = f"{base}/units/{UNIT}/registry?limit=20"
        m_cell, m_symbol, m_year = spis["measured_spis"].split("/")
        spis_api = f"{base}/units/{UNIT}/spis?cell={m_cell}&jrwa={m_symbol}&year={m_year}"

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            tti = [time_to_interactive(browser, base, clerk) for _ in range(max(3, args.calls // 3))]
            results["register_tti_ms"] = {"p50": round(percentile(tti, 50), 1), "max": round(max(tti), 1)}
            say(f"register page, time to interactive (cold): p50 {percentile(tti, 50):.0f} ms")

            cell, symbol, spis_year = spis["measured_spis"].split("/")
            spis_query = f"komorka={cell}&jrwa={symbol}&rok={spis_year}"
            for name, token, api_url, api_path, go, rows, away in (
                ("register", clerk, register_api, "/registry", {"menu_label": "Rejestr przesyłek wpływających"},
                 "table[aria-label^='Rejestr'] tbody tr", AWAY),
                ("spis", officer, spis_api, "/spis", {"hash_": f"#/spis-spraw?{spis_query}"},
                 "table[aria-label^='Spis spraw'] tbody tr", AWAY),
            ):
                context, page = page_with_session(browser, base, token)
                page.goto(f"{base}/{away}")
                page.wait_for_selector("nav[aria-label='Menu główne'] a", timeout=60_000)
                page.wait_for_load_state("networkidle")
                api_ms(api_url, token)
                page_times, in_page_api, api_times, before_call, after_call = [], [], [], [], []
                for _ in range(args.calls):
                    api_times.append(api_ms(api_url, token))
                    whole, fetch, before, after = page_ms(page, rows, api_path, away, **go)
                    page_times.append(whole)
                    in_page_api.append(fetch)
                    before_call.append(before)
                    after_call.append(after)
                context.close()
                ratio = percentile(page_times, 50) / percentile(api_times, 50)
                results[name] = {"page_p50_ms": round(percentile(page_times, 50), 1),
                                 "page_p95_ms": round(percentile(page_times, 95), 1),
                                 "api_in_page_p50_ms": round(percentile(in_page_api, 50), 1),
                                 "api_p50_ms": round(percentile(api_times, 50), 1),
                                 "api_p95_ms": round(percentile(api_times, 95), 1), "ratio_p50": round(ratio, 3),
                                 "before_call_p50_ms": round(percentile(before_call, 50), 1),
                                 "answer_to_rows_p50_ms": round(percentile(after_call, 50), 1)}
                say(f"{name}: page {percentile(page_times, 50):.0f} ms (of it the page's API call "
                    f"{percentile(in_page_api, 50):.0f} ms), bare API {percentile(api_times, 50):.0f} ms (p50) "
                    f"→ ratio {ratio:.2f} (goal < 1.5); the call began {percentile(before_call, 50):.0f} ms after the "
                    f"click, the rows came {percentile(after_call, 50):.0f} ms after its answer")
            browser.close()
    finally:
        stack.stop()
        shutil.rmtree(temp, ignore_errors=True)
    out = args.out or ROOT / "bench" / "results" / f"portal-speed-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    say(f"results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
