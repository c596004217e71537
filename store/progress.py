"""How long store jobs report progress: a callback the caller passes in (the store never draws)."""

from __future__ import annotations

from collections.abc import Callable

# progress(stage, done, total): `done` items of `total` (0 when unknown) in the named stage.
Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """The default reporter: says nothing."""
