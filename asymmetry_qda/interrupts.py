"""Holding Ctrl-C (SIGINT) and SIGTERM back across a step that must not be cut in two.

A ``COMMIT``, or a key file written just before the commit that depends on it,
must either happen whole or not at all. Python raises ``KeyboardInterrupt``
between bytecodes, so a signal arriving during such a step could leave the
project committed while the code around it believes it failed. Inside
:func:`deferred_interrupts` the signal is only noted; it is delivered (as
``KeyboardInterrupt``, or ``SystemExit(143)`` for SIGTERM) as soon as the
block ends, whether the block succeeded or raised.

Only the main thread can install signal handlers; elsewhere the block runs
unprotected, as before.

Examples
--------
>>> with deferred_interrupts():
...     done = 1 + 1
>>> done
2
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["deferred_interrupts"]

_DEFERRED = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Run the block with SIGINT and SIGTERM held back; deliver them when it ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {}

    def note(signum, frame):  # noqa: ARG001 - the signal module's signature
        received.append(signum)

    for signum in _DEFERRED:
        previous[signum] = signal.getsignal(signum)
        if previous[signum] in (signal.SIG_IGN, None):
            continue
        signal.signal(signum, note)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            if handler not in (signal.SIG_IGN, None):
                signal.signal(signum, handler)
        if received:
            _deliver(received[0], previous[received[0]])


def _deliver(signum: int, handler) -> None:
    """Act as the handler in force before the block would have acted on ``signum``."""
    if callable(handler):
        handler(signum, None)
    elif signum == signal.SIGINT:
        raise KeyboardInterrupt
    else:  # SIG_DFL for SIGTERM: end the process as a terminated one would
        raise SystemExit(128 + signum)
