"""The build backend: setuptools, refusing to build a wheel without the built front-end assets
or the sentence model.

The compiled CSS and GOV.UK Frontend's JS (broker/static/build/) are package data made by
`make assets` (npm + Sass), and the sentence model's files (index/model/) package data fetched
by tools/fetch_model.py; neither is in git. Without them a wheel would install and serve
unstyled pages, or search by words alone, so building one fails instead, saying what to run.
Editable installs and sdists are setuptools' own (`make install` installs editably before it
builds the assets).
"""

from __future__ import annotations

from pathlib import Path

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403  (every hook not overridden below is setuptools')

#: Files a wheel cannot serve the pages without (written by `python -m broker.assets`), nor
#: search by meaning (the sentence model's, written by tools/fetch_model.py).
REQUIRED = (
    "broker/static/build/app.css",
    "broker/static/build/govuk-frontend.min.js",
    "index/model/model.safetensors",
    "index/model/config.json",
    "index/model/tokenizer.json",
)


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, str | list[str]] | None = None,
    metadata_directory: str | None = None,
) -> str:
    """Build the wheel once the built assets are there (they are package data)."""
    missing = [name for name in REQUIRED if not Path(name).is_file()]
    if missing:
        raise SystemExit(
            f"Cannot build a wheel without the built front-end assets and the sentence model "
            f"({', '.join(missing)} missing): run `make install` (or `make wheel`) first."
        )
    return build_meta.build_wheel(wheel_directory, config_settings, metadata_directory)
