"""The public API of ``asymmetry_qda.analysis`` (issue 21): a notebook needs one import.

Every name in the package's ``__all__`` is importable from it and is the object its private module defines; every
public function and class in a private module's ``__all__`` is exported, or listed below with the reason it is not;
the figure functions are imported on first use, so importing the package loads no matplotlib; the module paths of
earlier releases still import, with a DeprecationWarning.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import asymmetry_qda.analysis as analysis
from asymmetry_qda.analysis import _deprecated

ROOT = Path(__file__).resolve().parents[1]

#: Public in a private module's ``__all__`` (``_module``), deliberately not exported by the package
#: (``module.name``: why).
NOT_EXPORTED = {
    "agreement.coder_decisions": "the coders x units arrays agreement computes its statistics from",
    "agreement_statistics.nominal_alpha": "a statistic of a bare array; agreement gives it per code",
    "counts.status_label": "the status label every table carries; the tables call it",
    "figures_common.group_label": "how a figure labels a group key; the figures call it",
    "frame_codes.code_order": "a helper of the tables (codebook order of codes)",
    "frame_coverage.coverage_of": "a helper of the tables (reads the Coverage from a frame's attrs)",
    "frame_codes.implication_note": "a helper of the tables (the note on implied codes)",
    "frame_codes.rolled_up": "a helper of the tables (roll_up=True calls it)",
    "frame_coverage.with_coverage": "a helper of the tables (writes the Coverage into a frame's attrs)",
    "frame_codes.with_implied": "a helper of the tables (implied=True calls it)",
    "partitions.check_backend_options": "the Dask backend's plumbing",
    "partitions.on_dask": "the Dask backend's plumbing",
    "partitions.only": "the Dask backend's plumbing",
    "quotes.project_quotes": "Project.quotes calls it; with the frames, quotes(data.codings, ...) does the same",
    "quotes_writeup.styled": "styling.styled with default columns (all but the quotes' id columns): the package "
                             "exports the general styled, which shows a quotes frame the same with columns=",
    "styling.cell_text": "the writers' cell formatting",
    "styling.format_number": "the writers' number formatting; styled(digits=) rounds a table",
}

#: The modules whose import the package defers (PEP 562 ``__getattr__``): they import matplotlib.
LAZY = {"_figures", "_figures_balance", "_figures_common", "_figures_heatmap", "_figures_layout", "_figures_network",
        "_figures_output", "_figures_thematic_map"}


def _modules() -> list[str]:
    """The topic modules, without their underscore (``counts`` for ``_counts``)."""
    return sorted(m.name.removeprefix("_") for m in pkgutil.iter_modules(analysis.__path__)
                  if m.name != "_deprecated")


def _public(module: str) -> list[str]:
    """The functions and classes in ``_module``'s ``__all__`` that it defines (not what it imports)."""
    imported = importlib.import_module(f"asymmetry_qda.analysis._{module}")
    return [name for name in getattr(imported, "__all__", [])
            if (inspect.isfunction(obj := getattr(imported, name)) or inspect.isclass(obj))
            and obj.__module__ == imported.__name__]


def test_all_is_sorted_and_unique():
    assert analysis.__all__ == sorted(set(analysis.__all__))


@pytest.mark.parametrize("name", analysis.__all__)
def test_every_exported_name_is_importable_and_is_its_modules_object(name):
    namespace: dict = {}
    exec(f"from asymmetry_qda.analysis import {name}", namespace)
    obj = namespace[name]
    assert inspect.isfunction(obj) or inspect.isclass(obj), f"{name} is {obj!r}"
    module = importlib.import_module(obj.__module__)
    assert module.__name__.startswith("asymmetry_qda.analysis._")
    assert getattr(module, name) is obj
    assert name in getattr(module, "__all__", []), f"{name} is not in {module.__name__}.__all__"
    assert name in dir(analysis)


@pytest.mark.parametrize("module", _modules())
def test_every_public_function_of_a_module_is_exported_or_listed(module):
    missing = [name for name in _public(module)
               if name not in analysis.__all__ and f"{module}.{name}" not in NOT_EXPORTED]
    assert not missing, (f"asymmetry_qda.analysis._{module} makes {missing} public: export them from "
                         "asymmetry_qda/analysis/__init__.py, or list them in NOT_EXPORTED with the reason")
    for name in _public(module):
        if f"{module}.{name}" not in NOT_EXPORTED:
            assert getattr(analysis, name) is getattr(importlib.import_module(f"asymmetry_qda.analysis._{module}"),
                                                      name), f"analysis.{name} is not _{module}.{name}"


def test_the_list_of_names_not_exported_is_current():
    public = {f"{module}.{name}" for module in _modules() for name in _public(module)}
    assert set(NOT_EXPORTED) <= public, f"no longer public: {sorted(set(NOT_EXPORTED) - public)}"
    exported = {key for key in NOT_EXPORTED if key.rpartition(".")[2] in analysis.__all__
                and getattr(analysis, key.rpartition(".")[2]).__module__.endswith("._" + key.partition(".")[0])}
    assert not exported, f"exported after all: {sorted(exported)}"


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'not_a_table'"):
        analysis.not_a_table  # noqa: B018
    with pytest.raises(ImportError):
        exec("from asymmetry_qda.analysis import not_a_table", {})


@pytest.mark.parametrize("module", _deprecated.OLD_MODULES)
def test_the_old_module_paths_still_import_and_warn(module):
    private = importlib.import_module(f"asymmetry_qda.analysis._{module}")
    for name in private.__all__:
        namespace: dict = {}
        instead = f"from asymmetry_qda.analysis import {name}" if name in analysis.__all__ else "the package"
        with pytest.warns(DeprecationWarning, match=f"asymmetry_qda.analysis.{module} is deprecated.*{instead}"):
            exec(f"from asymmetry_qda.analysis.{module} import {name}", namespace)
        assert namespace[name] is getattr(private, name)
    assert set(dir(importlib.import_module(f"asymmetry_qda.analysis.{module}"))) >= set(private.__all__)


def test_the_old_module_paths_do_not_hide_the_functions_named_like_them():
    for name in ("agreement", "cooccurrence", "quotes", "review_effort", "validity"):
        importlib.import_module(f"asymmetry_qda.analysis.{name}")
        assert inspect.isfunction(getattr(analysis, name)), f"analysis.{name} is {getattr(analysis, name)!r}"


def _fresh(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_importing_the_package_does_not_import_matplotlib():
    assert _fresh("import sys, asymmetry_qda.analysis; "
                  "print([m for m in ('matplotlib', 'seaborn', 'networkx') if m in sys.modules])") == "[]"


def test_a_figure_function_is_imported_on_first_use():
    shown = _fresh("import sys, asymmetry_qda.analysis as a\n"
                   "before = 'matplotlib' in sys.modules\n"
                   "from asymmetry_qda.analysis import balance_plot\n"
                   "from asymmetry_qda.analysis._figures import balance_plot as defined\n"
                   "print(before, 'matplotlib' in sys.modules, balance_plot is defined, 'save_figure' in dir(a))")
    assert shown == "False True True True"


def test_the_lazy_names_are_the_figures_modules_public_ones():
    from asymmetry_qda.analysis import _FIGURES

    assert set(_FIGURES) <= set(analysis.__all__)
    assert {name for name in analysis.__all__ if getattr(analysis, name).__module__.rpartition(".")[2] in LAZY} \
        == set(_FIGURES)



# ---------------------------------------------------------------------------------------------- the docstrings

#: The words a table's "Unit of analysis:" sentence names its unit with (issue 21: every number says what it counts).
UNIT_WORDS = ("character", "sentence", "turn", "window", "document", "participant", "coding", "coded unit",
              "cluster", "decision", "example", "label", "quote", "pair", "coder", "passage", "table")


def _sections(name: str) -> dict[str, str]:
    """The sections of the exported ``name``'s docstring, as text: numpydoc's parser (the one the Sphinx build
    uses) when it is installed, else the numpydoc section headers (a title underlined with dashes)."""
    doc = inspect.getdoc(getattr(analysis, name)) or ""
    try:
        from numpydoc.docscrape import NumpyDocString
    except ImportError:
        parts = re.split(r"^(\w[\w ]*)\n-{3,}\n", doc, flags=re.M)
        return {title: text for title, text in zip(parts[1::2], parts[2::2], strict=True)}
    parsed = NumpyDocString(doc)
    return {"Notes": "\n".join(parsed["Notes"]),
            "Parameters": "\n".join(f"{p.name} : {p.type}" for p in parsed["Parameters"]),
            "Returns": "\n".join(f"{p.name} : {p.type}" for p in parsed["Returns"])}


def _returns_a_table(name: str) -> bool:
    """Whether ``name`` is a function whose Returns section names a DataFrame (a table) among what it returns."""
    return inspect.isfunction(getattr(analysis, name)) and "DataFrame" in _sections(name).get("Returns", "")


@pytest.mark.parametrize("name", analysis.__all__)
def test_every_exported_name_documents_its_numbers_in_a_notes_section(name):
    sections = _sections(name)
    assert sections.get("Notes", "").strip(), f"asymmetry_qda.analysis.{name} has no Notes section"
    if inspect.isfunction(getattr(analysis, name)):
        assert sections.get("Parameters", "").strip(), f"asymmetry_qda.analysis.{name} has no Parameters section"
        assert sections.get("Returns", "").strip(), f"asymmetry_qda.analysis.{name} has no Returns section"


@pytest.mark.parametrize("name", [name for name in analysis.__all__ if _returns_a_table(name)])
def test_every_table_names_its_unit_of_analysis_in_its_notes(name):
    notes = " ".join(_sections(name)["Notes"].split())
    said = re.search(r"Unit of analysis: (.*?)(?:\.\s|\.$|;)", notes)
    assert said, f"asymmetry_qda.analysis.{name}'s Notes have no 'Unit of analysis: ...' sentence"
    assert any(word in said.group(1).lower() for word in UNIT_WORDS), \
        f"asymmetry_qda.analysis.{name}: 'Unit of analysis: {said.group(1)}' names none of {UNIT_WORDS}"
