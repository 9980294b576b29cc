"""How a long command reports its progress: the CLI passes a rich progress bar, tests a recorder."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def stage(self, description: str, total: int | None) -> None: ...

    def advance(self, count: int) -> None: ...
