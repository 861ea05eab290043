"""The documentation: docs/ builds with Sphinx with every warning an error, and says what it should.

The build (as ``make docs`` runs it, into a temporary folder) takes about half a minute; the README checks
need nothing built.
"""

from __future__ import annotations

import inspect
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import asymmetry_qda.analysis

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
GENERATOR = ("sphinx", "myst_parser", "numpydoc", "furo")  # the test extra installs them (make test)


#: The private modules of ``asymmetry_qda.analysis`` that publish nothing, so have no reference page.
UNPUBLISHED = {"_deprecated", "_partitions"}


def _analysis_modules() -> list[str]:
    """The topic modules of ``asymmetry_qda.analysis`` (``_counts``, ...): one reference page each."""
    return sorted(m.name for m in pkgutil.iter_modules(asymmetry_qda.analysis.__path__) if m.name not in UNPUBLISHED)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    for name in GENERATOR:
        pytest.importorskip(name, reason=f"{name} is not installed: the docs cannot be built "
                                         "(make test installs it with the test extra)")
    out = tmp_path_factory.mktemp("docs")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                             "-d", str(out / ".doctrees"), str(DOCS), str(out)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"the docs did not build:\n{result.stderr[-6000:]}"
    assert not result.stderr.strip(), f"the docs built with warnings:\n{result.stderr[-6000:]}"
    return out


def _parameters(page: str, object_id: str) -> set[str]:
    """The names in the Parameters field of ``object_id``'s entry on a built reference page."""
    start = page.find(f'id="{object_id}"')
    if start < 0:
        return set()
    end = page.find('<dt class="sig sig-object py"', start + 1)
    entry = page[start:end if end > 0 else len(page)]
    field = entry.find('Parameters<span class="colon">')
    if field < 0:
        return set()
    following = entry.find('<dt class="field-', field)
    names = re.findall(r"<dt><strong>(.*?)</strong>", entry[field:following if following > 0 else len(entry)])
    return {part.strip() for name in names for part in name.split(",")}


def _signature(function) -> set[str]:
    stars = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    return {stars.get(p.kind, "") + name for name, p in inspect.signature(function).parameters.items()}


def test_the_docs_build_without_a_warning(built):
    assert (built / "index.html").is_file()
    assert (built / "guide" / "theme-tables.html").is_file()
    assert (built / "reference" / "analysis" / "cooccurrence.html").is_file()


def test_the_cooccurrence_reference_renders_its_unit_parameter(built):
    page = (built / "reference" / "analysis" / "cooccurrence.html").read_text(encoding="utf-8")
    assert {"codings", "unit", "units", "by", "measure"} <= _parameters(
        page, "asymmetry_qda.analysis.cooccurrence")
    assert "Benjamini" in page  # the module docstring (the formulas) is on the page too


def _topic(module: str) -> str:
    """The topic of a module, named like its reference page: a topic split over several modules (``_figures``,
    ``_figures_network``, ...) has one page, named for the topic."""
    topic = module.removeprefix("_")
    while not (DOCS / "reference" / "analysis" / f"{topic}.rst").is_file() and "_" in topic:
        topic = topic.rpartition("_")[0]
    return topic


@pytest.mark.parametrize("topic", sorted({_topic(m) for m in _analysis_modules()}))
def test_every_public_analysis_function_renders_each_parameter(built, topic):
    assert (DOCS / "reference" / "analysis" / f"{topic}.rst").is_file(), \
        f"asymmetry_qda.analysis._{topic} has no page in docs/reference/analysis/"
    page = (built / "reference" / "analysis" / f"{topic}.html").read_text(encoding="utf-8")
    names = [name for name in asymmetry_qda.analysis.__all__
             if _topic(getattr(asymmetry_qda.analysis, name).__module__.rpartition(".")[2]) == topic]
    assert names, f"asymmetry_qda.analysis._{topic} publishes nothing: list it in UNPUBLISHED"
    for name in names:
        obj = getattr(asymmetry_qda.analysis, name)
        assert f'id="asymmetry_qda.analysis.{name}"' in page, f"{topic}.html does not document {name}"
        if inspect.isfunction(obj):
            missing = _signature(obj) - _parameters(page, f"asymmetry_qda.analysis.{name}")
            assert not missing, f"asymmetry_qda.analysis.{name}: the reference renders no {sorted(missing)}"


def test_the_changelog_is_part_of_the_docs(built):
    assert "Unreleased" in (built / "changelog.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------- the README


def _links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return re.findall(r"\]\(([^)\s]+)\)", text)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {_slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}


def test_the_readme_opens_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert text.startswith("# asymmetry_qda\n\n```sh\nmake demo\nmake test\n```\n")
    assert "(CI runs exactly this)" in text and "make docs" in text


def test_every_readme_link_points_to_a_file_and_heading_that_exist():
    checked = 0
    for link in _links(README):
        if re.match(r"[a-z]+:", link):
            continue
        target, _, anchor = link.partition("#")
        path = ROOT / target if target else README
        assert path.exists(), f"README.md links to {link}, which does not exist"
        if anchor and path.suffix == ".md":
            assert anchor in _anchors(path), f"README.md links to {link}: no such heading in {target or 'README.md'}"
        checked += 1
    assert checked >= 20  # the manual's pages, the screenshots, the changelog


@pytest.mark.parametrize("page", [README, *sorted(DOCS.rglob("*.md"))], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_image_shown_exists(page):
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    for image in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text):
        assert (page.parent / image).is_file(), f"{page.relative_to(ROOT)} shows {image}, which does not exist"
