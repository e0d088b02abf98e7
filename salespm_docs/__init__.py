"""salespm-docs: sales-project data (YAML) → formal documents (DOCX, PDF, XLSX, EML) with completeness checks."""

__version__ = "0.1.0"
