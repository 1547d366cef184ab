"""Who is signed in (placeholder until sign-in lands)."""
from __future__ import annotations


def current_identity():
    return None
