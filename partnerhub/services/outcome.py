"""What an action of the application layer returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """message: what to tell the person who acted (translated); changed: how
    many rows the action changed (0 when it had nothing to do); value: what
    the action made or found, for the caller to show (a tag, a trial, a
    secret shown once)."""

    message: str
    changed: int = 0
    value: T | None = None
