"""What the browser tests of the portal share: Debian's chromium driven by Playwright, the
demo password, logging in, and screenshots for people to review (portal/test-results/,
not committed). The fixtures `browser` and `page` are in tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "portal" / "test-results"
PASSWORD = "ezd-demo-2026"


def expect():
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=20_000)
    return playwright_expect


def shot(page, name: str, *, accessible: bool = True) -> None:
    """A screenshot of a main screen for people to review, and the accessibility check
    of the same screen (``accessible=False`` only for a state that is not a screen)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    if accessible:
        check_accessibility(page, name)


def log_in(page, login: str, password: str = PASSWORD) -> None:
    page.get_by_label("Login", exact=True).fill(login)
    page.get_by_label("Hasło", exact=True).fill(password)
    page.get_by_role("button", name="Zaloguj", exact=True).click()


def log_out(page) -> None:
    page.get_by_role("button", name="Wyloguj").click()
    expect()(page.get_by_role("button", name="Zaloguj", exact=True)).to_be_visible()


AXE = ROOT / "portal" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def accessibility_problems(page) -> list[str]:
    """axe-core's WCAG 2.1 AA check of the page as it is now: the serious and critical
    violations, one line each (rule, impact, the first offending elements). axe is the
    portal's own devDependency (node_modules, installed from the lockfile); it is run
    through the debugging protocol, so the page's Content-Security-Policy stays as served."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(
            " ".join(n["target"]) + f" [{(n.get('any') or n.get('all') or [{}])[0].get('message', '')}]"
            for n in v["nodes"][:3])
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


def check_accessibility(page, screen: str) -> None:
    problems = accessibility_problems(page)
    assert not problems, f"WCAG 2.1 AA problems on {screen}:\n" + "\n".join(problems)


# --- keyboard only: what a user without a mouse does ----------------------------------


def is_focused(locator) -> bool:
    return bool(locator.evaluate("(el) => el === document.activeElement || el.contains(document.activeElement)"))


def tab_to(page, locator, limit: int = 150) -> None:
    """Presses Tab until ``locator`` has the focus (fails if the keyboard cannot reach it)."""
    locator.wait_for(state="visible")
    for _ in range(limit):
        if is_focused(locator):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} cannot be reached with the Tab key")


def type_into(page, locator, text: str) -> None:
    """Tabs to a field and types, as a person at the keyboard would."""
    tab_to(page, locator)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def keyboard_log_in(page, login: str, password: str = PASSWORD) -> None:
    type_into(page, page.get_by_label("Login", exact=True), login)
    type_into(page, page.get_by_label("Hasło", exact=True), password)
    page.keyboard.press("Enter")
    expect()(page.get_by_role("button", name="Wyloguj")).to_be_visible()


def keyboard_log_out(page) -> None:
    tab_to(page, page.get_by_role("button", name="Wyloguj"))
    page.keyboard.press("Enter")
    expect()(page.get_by_role("button", name="Zaloguj", exact=True)).to_be_visible()


def keyboard_open_menu(page, name: str) -> None:
    """The main menu's link, reached with Tab and opened with Enter; the new page puts the
    focus at the start of its content (as a full page load would), and the next Tab goes on
    from there."""
    tab_to(page, page.get_by_role("navigation", name="Menu główne").get_by_role("link", name=name))
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'tresc'")
