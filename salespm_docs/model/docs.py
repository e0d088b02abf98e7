"""Field docstrings: the documentation of every data field, read when it is shown, not at import.

A field's docstring is the string literal right under it in its class::

    class Contact(Model):
        phone: str | None = None
        \"\"\"联系电话\"\"\"

They become the descriptions of ``salespm schema`` and the explanation in 「缺少必填字段（…）」.
pydantic can read them itself (``use_attribute_docstrings``), but it does so for every class while
the model is imported, which tokenises each class's source: about 0.17 s of every ``salespm``
process, most of which never shows one. Here they are read from each module's syntax tree once,
when first asked for.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
import types
import typing

from pydantic import BaseModel


@functools.cache
def _module_docs(module_name: str) -> dict[str, dict[str, str]]:
    """Class name → {field name → docstring} for the classes defined at the top of ``module_name``."""
    module = sys.modules.get(module_name)
    try:
        source = inspect.getsource(module) if module is not None else None
    except (OSError, TypeError):
        source = None
    if not source:
        return {}
    found: dict[str, dict[str, str]] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        docs = found.setdefault(node.name, {})
        for field, after in zip(node.body, node.body[1:]):
            if (isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
                    and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)):
                docs[field.target.id] = inspect.cleandoc(after.value.value)
    return found


def field_docs(cls: type[BaseModel]) -> dict[str, str]:
    """Field name → docstring for every field of ``cls``, inherited ones included (nearest class wins)."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if isinstance(klass, type) and issubclass(klass, BaseModel) and klass is not BaseModel:
            docs.update(_module_docs(klass.__module__).get(klass.__qualname__, {}))
    return docs


def description(cls: type[BaseModel] | None, name: str) -> str | None:
    """The description of field ``name`` of ``cls``: its ``Field(description=…)``, else its docstring."""
    if cls is None:
        return None
    field = cls.model_fields.get(name)
    if field is None:
        return None
    return field.description or field_docs(cls).get(name)


def held_models(annotation: object) -> list[type[BaseModel]]:
    """The model classes an annotation may hold (through Optional, list, dict, Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return held_models(typing.get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if origin in (list, dict, typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        args = args[1:] if origin is dict else args
        return [m for a in args for m in held_models(a)]
    return []


def _children_first(root: type[BaseModel]) -> list[type[BaseModel]]:
    """``root`` and every model its fields hold, each after the models it holds."""
    order: list[type[BaseModel]] = []
    seen: set[type[BaseModel]] = set()

    def visit(cls: type[BaseModel]) -> None:
        if cls in seen:
            return
        seen.add(cls)
        for field in cls.model_fields.values():
            for inner in held_models(field.annotation):
                visit(inner)
        order.append(cls)

    visit(root)
    return order


@functools.cache
def describe_all(root: type[BaseModel]) -> None:
    """Give every field of ``root`` and of the models it holds its docstring as description, and
    rebuild their schemas, the held models first (for ``model_json_schema``). Once per process."""
    models = _children_first(root)
    for cls in models:
        docs = field_docs(cls)
        for name, field in cls.model_fields.items():
            if field.description is None and name in docs:
                field.description = docs[name]
    for cls in models:
        cls.model_rebuild(force=True)
