"""Build the front-end assets: compile styles/app.scss, copy GOV.UK Frontend's JS and assets and
MiniSearch's ES module.

Run as `python -m broker.assets` from a checkout (the Makefile does, after `npm ci`): a build
step, not part of the running application. Output goes to broker/static/build/, package data that
Flask serves at /assets/build/, so build it before building a wheel (`make wheel` does). Needs the
checkout's node_modules (npm's `sass`) and styles/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
#: The source checkout: the build's inputs (npm's packages, the Sass) live there, not in a wheel.
ROOT = PACKAGE.parent
NODE_MODULES = ROOT / "node_modules"
SASS = NODE_MODULES / ".bin" / "sass"
GOVUK_DIST = NODE_MODULES / "govuk-frontend" / "dist" / "govuk"
#: MiniSearch's ES module (the offline copy's search, broker/static/js/offline.js).
MINISEARCH = NODE_MODULES / "minisearch" / "dist" / "es" / "index.js"
STYLES = ROOT / "styles" / "app.scss"
BUILD = PACKAGE / "static" / "build"
#: The URL the build folder is served at (the Sass sets $govuk-assets-path to match).
BUILD_URL = "/assets/build/"

_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


class AssetError(RuntimeError):
    """The assets cannot be built (a missing tool or a broken reference)."""


def compile_css(source: Path = STYLES, target: Path | None = None) -> Path:
    """Compile the Sass entry point to compressed CSS and return the CSS file's path."""
    if not SASS.exists():
        raise AssetError(f"{SASS} is missing: run `npm ci` first (or `make install`).")
    target = target or BUILD / "app.css"
    target.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            str(SASS),
            f"--load-path={NODE_MODULES}",
            "--style=compressed",
            "--no-source-map",
            "--fatal-deprecation=import",
            str(source),
            str(target),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssetError(f"Sass failed:\n{result.stderr or result.stdout}")
    return target


def referenced_assets(css: str) -> list[str]:
    """Return the paths under the build URL that a stylesheet refers to, relative to it."""
    found = []
    for url in _CSS_URL.findall(css):
        if url.startswith("data:"):
            continue
        if not url.startswith(BUILD_URL):
            raise AssetError(f"The CSS refers to {url}, outside {BUILD_URL}")
        found.append(url.removeprefix(BUILD_URL).split("?")[0].split("#")[0])
    return sorted(set(found))


def copy_assets(css_file: Path, build: Path = BUILD) -> list[Path]:
    """Copy govuk-frontend's JS and every asset the CSS refers to; return the copied files."""
    copied = []
    for name in ("govuk-frontend.min.js", "govuk-frontend.min.js.map"):
        copied.append(Path(shutil.copy2(GOVUK_DIST / name, build / name)))
    for relative in referenced_assets(css_file.read_text(encoding="utf-8")):
        source = GOVUK_DIST / "assets" / relative
        if not source.is_file():
            raise AssetError(f"The CSS refers to {BUILD_URL}{relative}, not in govuk-frontend")
        target = build / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        copied.append(Path(shutil.copy2(source, target)))
    return copied


def copy_minisearch(build: Path = BUILD) -> Path:
    """Copy MiniSearch's ES module to build/minisearch.js (without its source-map comment)."""
    if not MINISEARCH.is_file():
        raise AssetError(f"{MINISEARCH} is missing: run `npm ci` first (or `make install`).")
    text = MINISEARCH.read_text(encoding="utf-8")
    text = re.sub(r"^//# sourceMappingURL=.*$", "", text, flags=re.MULTILINE)
    target = build / "minisearch.js"
    target.write_text(
        "// MiniSearch (MIT licence), from npm: node_modules/minisearch\n" + text, "utf-8"
    )
    return target


def build() -> list[Path]:
    """Build everything into broker/static/build/ and return the files written."""
    css = compile_css()
    return [css, *copy_assets(css), copy_minisearch()]


def main() -> int:
    try:
        files = build()
    except AssetError as exc:
        print(f"broker.assets: {exc}", file=sys.stderr)
        return 1
    for path in files:
        print(f"built {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
