"""The report as one HTML page, from a Jinja2 template shipped with the package; every value is escaped."""

from __future__ import annotations

from functools import cache

import jinja2

from .._version import __version__
from .model import Report

__all__ = ["render_html"]

#: The template, in ``asymmetry_qda/writeup/templates/``.
TEMPLATE = "report.html.j2"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("asymmetry_qda.writeup", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=False)


def render_html(report: Report) -> str:
    """``report`` as a standalone HTML5 page (UTF-8; styles inline; no script)."""
    return _environment().get_template(TEMPLATE).render(report=report, version=__version__)
