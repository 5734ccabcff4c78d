"""Checks of option values at parse time; every error names the option."""

from __future__ import annotations

import math
from numbers import Integral, Real

from .errors import AMError


def check_int(key: str, value, minimum: int) -> None:
    """Raise :class:`AMError` unless ``value`` is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise AMError(f"{key} must be an integer >= {minimum}, got {value!r}")


def check_number(key: str, value, positive: bool = False) -> None:
    """Raise :class:`AMError` unless ``value`` is a finite real number (and > 0 when ``positive``)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise AMError(f"{key} must be a finite number, got {value!r}")
    if positive and not value > 0:
        raise AMError(f"{key} must be > 0, got {value!r}")


def check_choice(key: str, value, known) -> None:
    """Raise :class:`AMError` unless ``value`` is one of the names ``known``."""
    if not isinstance(value, str) or value not in known:
        raise AMError(f"unknown {key} {value!r}; known: {sorted(known)}")
