"""Fixtures of the browser tests: one chromium per test process, a fresh context per test."""

from __future__ import annotations

import os
import shutil

import pytest

from portal_kit import CHROMIUM, CHROMIUM_ARGS, ROOT
from testkit import real_clock


@pytest.fixture(scope="session")
def browser():
    if not (ROOT / "portal" / "dist" / "index.html").is_file():
        pytest.fail("the portal is not built: `make portal` (npm ci && npm run build in portal/)")
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no {CHROMIUM}: `make system-packages` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # The browser runs on the machine's clock even when the tests run under faketime
        # (libfaketime would also fake the clocks chromium's timers run on).
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                             env=real_clock(dict(os.environ)))
        yield browser
        browser.close()


@pytest.fixture
def page(browser, stack):
    # The browser's own zone is not Poland's: the portal shows Warsaw time all the same.
    context = browser.new_context(locale="pl-PL", timezone_id="America/New_York", reduced_motion="reduce",
                                  viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(stack.info.api_url + "/")
    yield page
    context.close()
