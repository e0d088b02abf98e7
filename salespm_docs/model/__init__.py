"""The data model (pydantic v2): every field typed, documented in Chinese, unknown keys refused."""

from .control import DocControl, Revision, Signoff
from .project import Project

__all__ = ["DocControl", "Project", "Revision", "Signoff"]
