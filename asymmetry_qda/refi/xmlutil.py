"""Small helpers for reading QDA-XML leniently (any namespace, any case of file names)."""

from __future__ import annotations

import xml.etree.ElementTree as ET


def local(tag: str) -> str:
    """The tag without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]


def children(element: ET.Element, name: str) -> list[ET.Element]:
    """Direct children called ``name`` in any namespace."""
    return [c for c in element if local(c.tag) == name]


def child(element: ET.Element, name: str) -> ET.Element | None:
    found = children(element, name)
    return found[0] if found else None


def find_first(element: ET.Element, name: str) -> ET.Element | None:
    """The first element called ``name`` anywhere below (or at) ``element``, in any namespace."""
    for candidate in element.iter():
        if local(candidate.tag) == name:
            return candidate
    return None


def text_of(element: ET.Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text
