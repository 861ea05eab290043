"""Installed from a wheel, the package carries its sample study and `reproduce` works in an empty folder.

The sdist is built from a copy of the repository's files (so nothing is written into the checkout), the wheel is
built from that sdist, both with this environment's setuptools and no network (no build isolation), and the wheel
is installed without dependencies into a new virtual environment. That environment gets this one's installed
packages through a ``.pth`` line naming its site-packages folder: a plain folder added that way is not a site
folder, so its ``.pth`` files, among them the editable install's finder that maps ``asymmetry_qda`` to the
checkout, are not run, and ``asymmetry_qda`` is imported from the wheel. The test checks that it is.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import venv
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from .conftest import REPO, requires_model

pytestmark = pytest.mark.slow

SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "asymmetry_qda", "data_samples",
           "codebooks")
BIN = "Scripts" if os.name == "nt" else "bin"
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _run(command: list, **options) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, check=False, **options)
    assert result.returncode == 0, f"{command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


def _build(hook: str, source: Path, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    done = _run([sys.executable, "-c", f"import sys; from setuptools import build_meta; "
                 f"print(build_meta.{hook}(sys.argv[1]))", into], cwd=source)
    return into / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from the sdist, built from a copy of the checkout."""
    major = int(version("setuptools").split(".")[0])
    if major < 77:
        pytest.skip(f"setuptools {version('setuptools')} cannot build this project offline (it needs >= 77 for the "
                    "SPDX license field). Fix: pip install -e '.[test]', which brings it")
    root = tmp_path_factory.mktemp("build")
    copy = root / "checkout"
    copy.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.py[cod]", "_data")
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=ignore)
        else:
            shutil.copy2(source, copy / name)
    sdist = _build("build_sdist", copy, root / "sdist")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.11.4
        archive.extractall(root / "unpacked", **safe)
    top = names[0].split("/")[0]
    assert {f"{top}/setup.py", f"{top}/data_samples/participants.csv", f"{top}/codebooks/asymmetries.yaml"} <= set(names)
    return _build("build_wheel", root / "unpacked" / top, root / "wheel")


def test_the_wheel_carries_the_sample_and_the_codebook_inside_the_package(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    samples = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "data_samples").rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts)
    assert {f"asymmetry_qda/_data/{name}" for name in samples} <= names
    assert "asymmetry_qda/_data/codebooks/asymmetries.yaml" in names
    assert not [n for n in names if n.startswith(("data_samples/", "codebooks/"))], "nothing outside the package"


def test_the_wheel_carries_the_anonymisation_word_lists(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    folder = REPO / "asymmetry_qda" / "anonymise" / "data"
    word_lists = {p.relative_to(REPO).as_posix() for p in folder.glob("*.txt")}
    assert {"asymmetry_qda/anonymise/data/vocabulary.txt", "asymmetry_qda/anonymise/data/ranks.txt",
            "asymmetry_qda/anonymise/data/stopwords.txt"} <= word_lists <= names



def test_the_wheel_carries_the_report_template(wheel):
    with zipfile.ZipFile(wheel) as archive:
        assert "asymmetry_qda/writeup/templates/report.html.j2" in archive.namelist()

@pytest.fixture(scope="module")
def clean_venv(wheel, tmp_path_factory) -> Path:
    """A new virtual environment with the wheel installed, and this environment's packages visible."""
    env = tmp_path_factory.mktemp("venv") / "clean"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / BIN / ("python.exe" if os.name == "nt" else "python")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel])
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return env


def _clean_environment(env: Path, tmp: Path) -> dict:
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    environment["PATH"] = os.pathsep.join([str(env / BIN), environment.get("PATH", "")])
    environment["TMPDIR"] = str(tmp)
    environment.pop("ASYMMETRY_QDA_WORK", None)
    return environment


@requires_model
def test_reproduce_runs_from_the_installed_wheel_in_an_empty_folder(clean_venv, tmp_path):
    empty, tmp = tmp_path / "empty", tmp_path / "tmp"
    empty.mkdir()
    tmp.mkdir()
    environment = _clean_environment(clean_venv, tmp)
    python = clean_venv / BIN / ("python.exe" if os.name == "nt" else "python")
    where = json.loads(_run([python, "-c", "import json, asymmetry_qda, asymmetry_qda.datasets as d; print(json.dumps("
                             "[asymmetry_qda.__file__, str(d.sample_path()), str(d.study_codebook_path())]))"],
                            cwd=empty, env=environment).stdout)
    for path in where:
        assert Path(path).resolve().is_relative_to(clean_venv.resolve()), f"{path} is not the wheel's copy"

    started = time.monotonic()
    # the checkout's own reproduction, to compare with, runs alongside (no figures: only the tables' manifest differs)
    reference = subprocess.Popen([sys.executable, "-m", "asymmetry_qda", "reproduce", "--out", tmp_path / "reference",
                                  "--no-figures", "--quiet"], cwd=REPO, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
    installed = _run([clean_venv / BIN / "asymmetry-qda", "reproduce", "--out", "reproduction"], cwd=empty,
                     env=environment)
    out, err = reference.communicate(timeout=600)
    assert reference.returncode == 0, err
    print(f"reproduce from the wheel and from the checkout: {time.monotonic() - started:.0f} s")

    assert "reproduced the analysis in reproduction: " in installed.stdout
    assert sorted(p.name for p in empty.iterdir()) == ["reproduction"], "it writes only where it is told"
    assert list(tmp.iterdir()) == [], "no scratch folder is left behind"
    written = {p.relative_to(empty / "reproduction").as_posix() for p in (empty / "reproduction").rglob("*")
               if p.is_file()}
    assert {"anonymisation.csv", "codings.csv", "tables/manifest.json", "tables/balance.png",
            "reliability/agreement.csv", "reliability/tagger_evaluation.csv"} <= written
    expected = {p.relative_to(tmp_path / "reference").as_posix() for p in (tmp_path / "reference").rglob("*")
                if p.is_file()}
    assert expected <= written
    for name in sorted(expected - {"tables/manifest.json"}):
        assert (empty / "reproduction" / name).read_bytes() == (tmp_path / "reference" / name).read_bytes(), name


def _data_cell(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    (cell,) = [c for c in cells if c["cell_type"] == "code" and "SAMPLES =" in "".join(c["source"])]
    return "".join(cell["source"])


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_notebooks_find_the_sample_from_the_installed_wheel(notebook, clean_venv, tmp_path):
    code = _data_cell(notebook) + ("\nimport json; print(json.dumps([str(SAMPLES), str(CODEBOOK), str(WORK), "
                                   "(SAMPLES / 'participants.csv').is_file(), CODEBOOK.is_file()]))")
    python = clean_venv / BIN / ("python.exe" if os.name == "nt" else "python")
    samples, codebook, work, *found = json.loads(_run([python, "-c", code], cwd=tmp_path,
                                                      env=_clean_environment(clean_venv, tmp_path)).stdout)
    assert found == [True, True]
    assert Path(samples).resolve().is_relative_to(clean_venv.resolve())
    assert Path(codebook).resolve().is_relative_to(clean_venv.resolve())
    assert Path(work) == (tmp_path / "build" / "notebooks").resolve()
