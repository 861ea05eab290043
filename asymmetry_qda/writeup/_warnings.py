"""Warnings the report states in its own words instead of passing them on."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TypeVar

from ..errors import QDAWarning

T = TypeVar("T")


def stated(call: Callable[[], T], about: str) -> T:
    """``call()`` with its :class:`~asymmetry_qda.errors.QDAWarning` whose message holds ``about`` kept back
    (the report says it in a note); every other warning is passed on."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    for warning in caught:
        if not (issubclass(warning.category, QDAWarning) and about in str(warning.message)):
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return result
