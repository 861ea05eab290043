"""asymmetry_qda: qualitative thematic analysis of the asymmetries of leadership.

Load transcripts into a project, code them against a codebook with spaCy-assisted
suggestions, review every suggestion, and tabulate the patterns.

>>> import asymmetry_qda
>>> asymmetry_qda.Project.__name__
'Project'
"""

from . import datasets  # noqa: F401 - the bundled sample study: asymmetry_qda.datasets.load_sample()
from ._version import __version__
from .errors import (
    InputError,
    NotFoundError,
    ProjectError,
    QDAError,
    QDAWarning,
    StoreError,
    _in_ipython,
    show_warnings_plainly,
)
from .ingest import IngestReport
from .project import Project
from .records import Coding, Document, Memo, Origin, Participant, Segment, Status

if _in_ipython():  # in Jupyter a warning would start with the kernel's temporary cell file and echo the source
    show_warnings_plainly()


__all__ = [
    "Coding", "Document", "IngestReport", "InputError", "Memo", "NotFoundError", "Origin", "Participant", "Project",
    "ProjectError", "QDAError", "QDAWarning", "Segment", "Status", "StoreError", "__version__",
]
