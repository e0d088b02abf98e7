"""Schema: the data model → a JSON Schema for editors (VS Code YAML extension validates and completes)."""

from __future__ import annotations

from .model import Project
from .model.docs import describe_all

SCHEMA_ID = "https://salespm-docs.invalid/project.schema.json"


def project_schema() -> dict:
    """JSON Schema of the merged project data; field docstrings become descriptions."""
    describe_all(Project)
    schema = Project.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "salespm-docs 项目数据"
    return schema
