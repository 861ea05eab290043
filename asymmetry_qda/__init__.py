"""asymmetry_qda: qualitative thematic analysis of the asymmetries of leadership.

Load transcripts into a project, code them against a codebook with spaCy-assisted
suggestions, review every suggestion, and tabulate the patterns.

>>> import asymmetry_qda
>>> asymmetry_qda.Project.__name__
'Project'
"""

from importlib.metadata import PackageNotFoundError, version

from . import datasets  # the bundled sample study: asymmetry_qda.datasets.load_sample()
from .errors import InputError, NotFoundError, ProjectError, QDAError, QDAWarning, StoreError
from .ingest import IngestReport
from .model import Document, Participant, Segment
from .project import Project

try:
    __version__ = version("asymmetry-qda")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "Document", "IngestReport", "InputError", "NotFoundError", "Participant", "Project", "ProjectError",
    "QDAError", "QDAWarning", "Segment", "StoreError", "__version__",
]
