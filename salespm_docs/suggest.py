"""Suggestions for misspelt names: ``did_you_mean('teams', keys)`` → ``；是否想写「team」？``."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A Chinese hint naming the closest candidate, or an empty string."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in candidates}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return f"；是否想写「{matches[0]}」？" if matches else ""
