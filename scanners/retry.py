"""One retry policy for the daemon: exponential backoff with a cap, computed by tenacity.

The daemon never sleeps in a retry loop (files wait in its schedule instead), so it asks the
policy two questions: how long until the next try, and whether the tries are used up.
"""

from __future__ import annotations

from dataclasses import dataclass

import tenacity


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff of `first * 2**(attempt-1)` seconds (at most `cap`) for at most `attempts` tries."""

    first: float
    attempts: int
    cap: float = 300.0

    def _state(self, attempt: int) -> tenacity.RetryCallState:
        state = tenacity.RetryCallState(None, None, (), {})  # type: ignore[arg-type]
        state.attempt_number = max(1, attempt)
        return state

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed try number `attempt` (1-based)."""
        wait = tenacity.wait_exponential(multiplier=self.first, max=self.cap)
        return float(wait(self._state(attempt)))

    def exhausted(self, attempt: int) -> bool:
        """True when try number `attempt` was the last one allowed."""
        return bool(tenacity.stop_after_attempt(self.attempts)(self._state(attempt)))


def validate_policy(quiet_seconds: float, max_attempts: int) -> RetryPolicy:
    """A file that does not open yet: first look again after twice the quiet period."""
    return RetryPolicy(2 * max(0.2, quiet_seconds), max_attempts)


def transient_policy(quiet_seconds: float, max_attempts: int) -> RetryPolicy:
    """A busy disk or database: the same backoff, with a four times longer budget."""
    return RetryPolicy(2 * max(0.5, quiet_seconds), max_attempts * 4)
