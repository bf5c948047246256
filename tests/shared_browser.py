"""One Playwright and one Chromium for the whole test run, whoever asks for them.

Kept in its own module because tests/browser/conftest.py is loaded twice (as a conftest and by
test modules importing its fixtures), while Playwright's sync API allows one instance per thread.
"""

from __future__ import annotations

import atexit
from typing import Any

_shared: dict[str, Any] = {}


def _stop() -> None:
    browser, playwright = _shared.pop("browser", None), _shared.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()


def browser(executable: str, args: list[str]) -> Any:
    """Return the shared headless Chromium, launching it on first use (raises playwright's Error)."""
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            _shared["browser"] = playwright.chromium.launch(
                executable_path=executable, headless=True, args=args
            )
        except Exception:
            playwright.stop()
            raise
        _shared["playwright"] = playwright
        atexit.register(_stop)
    return _shared["browser"]
