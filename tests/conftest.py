"""Shared test fixtures: where developer-only data lives, and skipping cleanly without it."""

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
BHMSDS = SHARED / "bhmsds-dev.npz"


@pytest.fixture
def bhmsds() -> Path:
    if not BHMSDS.is_file():
        pytest.skip("bhmsds-dev.npz is not beside the repo (developer-only data)")
    return BHMSDS
