"""Build step only: put the sample data and the study codebook inside the package.

``data_samples/`` and ``codebooks/asymmetries.yaml`` stay at the top level of
the repository, the single source (nothing is duplicated in git). Building a
wheel (from the checkout or from the sdist, which carries both through
MANIFEST.in) copies them to ``asymmetry_qda/_data/`` in the build folder, where
:mod:`asymmetry_qda.datasets` reads them through ``importlib.resources``.
An editable install does not need the copy: ``asymmetry_qda.datasets`` falls
back to the checkout's own folders. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
TARGET = Path("asymmetry_qda", "_data")
BUNDLED = ("data_samples", "codebooks/asymmetries.yaml")


def bundled_files() -> list[Path]:
    """Every bundled file, relative to the repository root, in a stable order."""
    files = []
    for name in BUNDLED:
        source = ROOT / name
        if not source.exists():
            raise FileNotFoundError(f"{source}: the sample data to bundle is missing; build from a full checkout "
                                    "or from the sdist")
        candidates = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
        files += [p.relative_to(ROOT) for p in candidates
                  if "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")]
    return files


class build_py_with_data(build_py):  # noqa: N801 - setuptools command naming
    """build_py, then copy the bundled data into ``asymmetry_qda/_data/`` of the build folder."""

    def run(self) -> None:
        super().run()
        shutil.rmtree(Path(self.build_lib) / TARGET, ignore_errors=True)  # nothing stale from an earlier build
        for relative in bundled_files():
            target = Path(self.build_lib) / TARGET / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / relative, target)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return super().get_outputs(include_bytecode) + [str(Path(self.build_lib) / TARGET / relative)
                                                        for relative in bundled_files()]


setup(cmdclass={"build_py": build_py_with_data})
