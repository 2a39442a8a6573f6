"""Fixtures of the option tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper module options_synthetic.py beside this file

from options_synthetic import write_synthetic_bundle


@pytest.fixture(scope="session")
def synthetic_bundle(tmp_path_factory):
    return write_synthetic_bundle(tmp_path_factory.mktemp("optbundle") / "bundle")
