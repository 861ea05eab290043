"""The installed version of asymmetry_qda (its own module, so no module inside the package imports the package)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("asymmetry-qda")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__"]
