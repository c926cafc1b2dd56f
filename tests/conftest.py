"""Shared fixtures. Sockets to anything but loopback are refused, in the test
process and in every Python process it starts, so no test can reach the real
site or any other host by accident."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = FIXTURES / "seed"  # the seed article's page text, as given in shared/seed

NETGUARD = Path(__file__).resolve().parent / "netguard"
sys.path.insert(0, str(NETGUARD))
import loopback_only  # noqa: E402,F401  (this process)

# ... and every Python process the tests start, the CLI subprocesses included.
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(NETGUARD), os.environ.get("PYTHONPATH")) if p)


@pytest.fixture
def python():
    return sys.executable
