from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_REAL = ROOT.parent / "shared" / "corpus" / "real"

# The embedding model must load from the installed package, never from a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture
def real_corpus() -> Path:
    if not SHARED_REAL.is_dir():
        pytest.skip("../shared/corpus/real is not present")
    return SHARED_REAL
