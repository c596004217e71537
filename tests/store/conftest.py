"""Fixtures shared by the store tests (the loans archive lives with its builders)."""

from tests.store.test_loans_setup import arch  # noqa: F401  (pytest fixture)
