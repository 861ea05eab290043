"""Renamed keyword arguments: the old name keeps working for one release, with a :class:`DeprecationWarning`.

Examples
--------
>>> import warnings
>>> @renamed(model="pipeline")
... def build(*, pipeline="auto"):
...     return pipeline
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     build(model="blank")
'blank'
>>> print(caught[0].message)
build(model=...) is deprecated and will be removed in the next release; use pipeline=...
>>> build(model="blank", pipeline="auto")
Traceback (most recent call last):
...
asymmetry_qda.errors.ArgumentError: build() takes pipeline=...; model=... is its old name: pass only pipeline=...
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable
from typing import TypeVar

from .errors import ArgumentError

F = TypeVar("F", bound=Callable)


def outside(package: str = "asymmetry_qda") -> int:
    """The ``stacklevel`` that makes a warning point at the first caller outside ``package``.

    Call it in the argument list of :func:`warnings.warn`: the count starts at the function that warns, so a
    deprecated keyword or backend is reported where the user wrote it, however deep in the package it is read.
    """
    frame = sys._getframe(1)
    level = 1
    while frame is not None and (frame.f_globals.get("__name__") or "").partition(".")[0] == package:
        frame = frame.f_back
        level += 1
    return level


def renamed(**old_to_new: str) -> Callable[[F], F]:
    """A decorator: each keyword ``old`` given to the function is passed on as ``new``, with a warning.

    Parameters
    ----------
    **old_to_new : str
        The old keyword's name to the new one, e.g. ``model="pipeline"``.

    Returns
    -------
    callable
        The decorator. The wrapped function keeps its signature (``inspect.signature`` shows the new
        names only); giving both the old and the new name raises :class:`~asymmetry_qda.errors.ArgumentError`.
    """
    def decorate(function: F) -> F:
        name = function.__qualname__

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise ArgumentError(f"{name}() takes {new}=...; {old}=... is its old name: pass only "
                                            f"{new}=...")
                    warnings.warn(f"{name}({old}=...) is deprecated and will be removed in the next release; "
                                  f"use {new}=...", DeprecationWarning, stacklevel=outside())
                    kwargs[new] = kwargs.pop(old)
            return function(*args, **kwargs)

        for cached in ("cache_clear", "cache_info"):  # a functools.lru_cache underneath keeps its handles
            if hasattr(function, cached):
                setattr(wrapper, cached, getattr(function, cached))
        return wrapper  # type: ignore[return-value]

    return decorate
