"""The teaching notebooks in notebooks/: stored without outputs, and each runs from top to bottom.

Each notebook is executed in a fresh Jupyter kernel (``nbclient``) with its
working directory and every file it writes in ``tmp_path``: the kernel inherits
``ASYMMETRY_QDA_REPO`` (where ``data_samples/`` and ``codebooks/`` are) and
``ASYMMETRY_QDA_WORK`` (where projects and tables go) from this process. A cell
that raises fails the test with the cell and its traceback. The pytest warning
filters of pyproject.toml do not reach the kernel: warnings there are shown in
the notebook as a reader would see them.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from .conftest import REPO, requires_model

NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = [
    "01_coding_transcripts.ipynb",
    "02_theme_tables.ipynb",
    "03_reproduce_the_analysis.ipynb",
    "04_reliability.ipynb",
]
KERNEL = "python3"


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK_DIR / name, as_version=4)


def test_every_notebook_is_listed():
    assert sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb")) == sorted(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_stored_without_outputs(name):
    nb = _read(name)
    nbformat.validate(nb)
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, (f"{name}: code cells {dirty} hold outputs or an execution count; strip them "
                       f"(e.g. jupyter nbconvert --clear-output --inplace notebooks/{name})")


@requires_model
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name, tmp_path: Path, monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from nbclient import NotebookClient

    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        pytest.fail(f"no Jupyter kernel named {KERNEL!r} is installed, so the notebooks cannot run. Fix: install "
                    f"ipykernel in this environment (`make test` does, through jupyterlab) and check "
                    f"`jupyter kernelspec list`")
    monkeypatch.setenv("ASYMMETRY_QDA_REPO", str(REPO))
    monkeypatch.setenv("ASYMMETRY_QDA_WORK", str(tmp_path))
    nb = _read(name)
    NotebookClient(nb, timeout=600, kernel_name=KERNEL, resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [output for cell in nb.cells for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors
    assert any(tmp_path.glob("*.qda")) or (tmp_path / "reproduction").is_dir(), \
        f"{name} wrote nothing to ASYMMETRY_QDA_WORK ({tmp_path})"
