"""Sphinx configuration for the asymmetry_qda manual and API reference.

Build with ``make docs`` (``python -m sphinx -W --keep-going -b html docs build/docs``): every
warning is an error, so a broken link, anchor, image or docstring fails the build
(``tests/test_docs.py`` builds it the same way).
"""

from __future__ import annotations

import sys
from pathlib import Path

# the package of this checkout, whatever is installed
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asymmetry_qda  # noqa: E402

project = "asymmetry_qda"
author = "asymmetry_qda developers"
copyright = "asymmetry_qda developers, MIT licence"
release = asymmetry_qda.__version__
version = release

extensions = [
    "myst_parser",            # the guide pages are Markdown
    "sphinx.ext.autodoc",     # the reference pages are the docstrings
    "numpydoc",               # read as numpydoc (Parameters, Returns, Examples)
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# -- Markdown (MyST) -----------------------------------------------------------------------------
# Headings get anchors like GitHub's, so "page.md#a-heading" links in the guide are checked.
myst_heading_anchors = 4

# -- autodoc and numpydoc ------------------------------------------------------------------------
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
numpydoc_show_class_members = False   # autodoc lists members; numpydoc's autosummary tables would duplicate them
numpydoc_xref_param_type = False
# Every public function of asymmetry_qda.analysis documents each of its parameters (and no others)
# in a Parameters section: numpydoc checks it during the build, so a missing one fails `make docs`.
numpydoc_validation_checks = {"PR01", "PR02"}
numpydoc_validation_exclude = {
    r"^(?!asymmetry_qda\.analysis\.)",
    r"\.QDAFigure$",  # a matplotlib Figure: its parameters are matplotlib's
}
# a record (AnalysisData, Coverage, Table) documents its fields in an Attributes section instead
numpydoc_validation_overrides = {"PR01": [r"\n\s*Attributes\n\s*-{10}"]}


# -- HTML ----------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"asymmetry_qda {release}"
html_static_path: list[str] = []
html_show_sourcelink = False


def _skip_foreign_members(app, what, name, obj, skip, options):
    """Leave out class members written by another library (matplotlib generates ``QDAFigure.set``)."""
    module = getattr(obj, "__module__", None)
    if what == "class" and callable(obj) and module and not module.startswith("asymmetry_qda"):
        return True
    return None


def setup(app):
    from pygments.lexers.special import TextLexer

    app.connect("autodoc-skip-member", _skip_foreign_members)
    app.add_lexer("csv", TextLexer)  # the guide's CSV examples (Pygments has no CSV lexer)
