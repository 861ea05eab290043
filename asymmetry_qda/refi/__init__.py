"""REFI-QDA exchange (QDA-XML 1.0): codebooks (.qdc) now, projects (.qdpx) later."""

from .qdc import QDC_NAMESPACE, ImportedCodebook, export_qdc, import_qdc, import_qdc_bytes, qdc_bytes

__all__ = ["QDC_NAMESPACE", "ImportedCodebook", "export_qdc", "import_qdc", "import_qdc_bytes", "qdc_bytes"]
