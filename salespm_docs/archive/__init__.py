"""Archive: a project's approved documents → PDF/A-3b, a BagIt bag and the ARC 归档清单 → a target.

The target is a local folder (``archive/`` under the repository, the default) or a WebDAV server
(``targets``); the upload is journaled (``upload``), so that an interrupted archive resumes.
"""
