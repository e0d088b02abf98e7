"""Write every Word template under templates/docx/ from tools/docx_templates/<code>.py."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import docx_templates  # noqa: E402


def main(only: list[str]) -> None:
    target = ROOT / "templates" / "docx"
    target.mkdir(parents=True, exist_ok=True)
    for info in pkgutil.iter_modules(docx_templates.__path__):
        code = info.name.upper()
        if only and code not in only:
            continue
        module = importlib.import_module(f"docx_templates.{info.name}")
        doc = docx_templates.TemplateDoc(landscape=getattr(module, "LANDSCAPE", False))
        module.build(doc)
        doc.save(target / f"{code}.docx")
        print(f"templates/docx/{code}.docx")


if __name__ == "__main__":
    main([a.upper() for a in sys.argv[1:]])
