"""What the browser tests of the portal share: Debian's chromium driven by Playwright, the
demo password, logging in, and screenshots for people to review (portal/test-results/,
not committed). The fixtures `browser` and `page` are in this folder's conftest.py."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "portal" / "test-results"
PASSWORD = "ezd-demo-2026"


def expect():
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=20_000)
    return playwright_expect


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, login: str, password: str = PASSWORD) -> None:
    page.get_by_label("Login", exact=True).fill(login)
    page.get_by_label("Hasło", exact=True).fill(password)
    page.get_by_role("button", name="Zaloguj", exact=True).click()


def log_out(page) -> None:
    page.get_by_role("button", name="Wyloguj").click()
    expect()(page.get_by_role("button", name="Zaloguj", exact=True)).to_be_visible()
