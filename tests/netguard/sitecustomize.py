"""Started by every Python subprocess of the tests (PYTHONPATH): loopback only."""
import loopback_only  # noqa: F401
