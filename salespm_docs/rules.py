"""Rules: ``Facts`` → findings. The framework, and the rules common to every document (R-COM-1…4).

A rule is a function that yields ``(where, message)``: ``where`` is a key path into the data
(located to file:line) or a plain string. Artifact modules define their own rules with the same
``@rule`` decorator and list them in their registration. Rules on the rendered files
(R-COM-5…7) live in ``check.py``.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from .loader import Path_
from .model.types import PersonRef

Severity = Literal["E", "W"]
Yield = Iterable[tuple[Path_ | str, str]]


@dataclass(frozen=True)
class Finding:
    """One result of a check: rule ID, severity, which document, where, and what (in Chinese)."""

    rule: str
    severity: Severity
    document: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.severity} {self.document} {self.location}: {self.message}"


@dataclass(frozen=True)
class Rule:
    """A completeness rule with a stable ID from ARTIFACTS.md."""

    id: str
    severity: Severity
    title: str
    check: Callable[..., Yield]

    def run(self, facts, artifact, key: str | None, document: str) -> list[Finding]:
        found = []
        for where, message in self.check(facts, artifact, key):
            location = facts.where(where) if isinstance(where, tuple) else where
            found.append(Finding(self.id, self.severity, document, location, message))
        return found


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity, title: str) -> Callable[[Callable[..., Yield]], Rule]:
    """Declare a rule: ``@rule("R-CHT-1", "E", "目标可度量")`` over ``fn(facts, artifact, key)``."""

    def wrap(fn: Callable[..., Yield]) -> Rule:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} defined twice")
        RULES[rule_id] = Rule(rule_id, severity, title, fn)
        return RULES[rule_id]

    return wrap


# -- people -------------------------------------------------------------------------------

def _is_person(annotation: object) -> bool:
    if any(isinstance(m, PersonRef) for m in getattr(annotation, "__metadata__", ())):
        return True
    return any(_is_person(a) for a in typing.get_args(annotation))


def people_in(obj: object, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Every person named in ``obj`` (a model, list or dict of them), with its key path."""
    if isinstance(obj, BaseModel):
        for name, field in type(obj).model_fields.items():
            value = getattr(obj, name)
            if value is None:
                continue
            if _is_person(field.annotation):
                if isinstance(value, list):
                    yield from (((*path, name, i), v) for i, v in enumerate(value))
                else:
                    yield (*path, name), value
            else:
                yield from people_in(value, (*path, name))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from people_in(item, (*path, i))
    elif isinstance(obj, dict):
        for k, item in obj.items():
            yield from people_in(item, (*path, k))


# -- R-COM-1…4 ----------------------------------------------------------------------------

_CONTROL_FIELDS = (("number", "文档编号"), ("version", "版本号"), ("classification", "密级"),
                   ("status", "状态"))
_SIGNOFFS = (("prepared", "编制"), ("reviewed", "审核"), ("approved", "批准"))


@rule("R-COM-1", "E", "控制信息齐全")
def control_complete(facts, artifact, key) -> Yield:
    control, path = facts.control(artifact.code, key)
    for name, label in _CONTROL_FIELDS:
        if getattr(control, name) is None:
            yield (*path, name), f"缺少{label}（{name}）"
    if control.classification and control.classification not in facts.settings.classifications:
        yield (*path, "classification"), (
            f"密级「{control.classification}」不在允许列表中：{'、'.join(facts.settings.classifications)}")
    for name, label in _SIGNOFFS:
        signoff = getattr(control, name)
        if signoff is None or signoff.name is None or signoff.date is None:
            yield (*path, name), f"缺少{label}人或{label}日期（{name}.name / {name}.date）"
    if not control.revisions:
        yield (*path, "revisions"), "缺少修订记录（revisions）"


def _version_key(version: str) -> tuple[int, int]:
    major, minor = version[1:].split(".")
    return int(major), int(minor)


@rule("R-COM-2", "E", "版本号与修订记录一致")
def versions_consistent(facts, artifact, key) -> Yield:
    control, path = facts.control(artifact.code, key)
    revs = control.revisions
    if control.version and revs and control.version != revs[-1].version:
        yield (*path, "version"), (
            f"版本号 {control.version} 与修订记录最后一行 {revs[-1].version} 不一致")
    for i in range(1, len(revs)):
        if _version_key(revs[i].version) <= _version_key(revs[i - 1].version):
            yield (*path, "revisions", i, "version"), (
                f"版本号必须递增：{revs[i - 1].version} 之后是 {revs[i].version}")
        if revs[i].date < revs[i - 1].date:
            yield (*path, "revisions", i, "date"), (
                f"修订日期不能倒退：{revs[i - 1].date} 之后是 {revs[i].date}")


@rule("R-COM-3", "E", "编制 ≤ 审核 ≤ 批准，编制人 ≠ 批准人")
def signoff_order(facts, artifact, key) -> Yield:
    control, path = facts.control(artifact.code, key)
    dates = [(name, label, getattr(control, name).date) for name, label in _SIGNOFFS
             if getattr(control, name) is not None and getattr(control, name).date is not None]
    for (_, label_a, a), (name_b, label_b, b) in zip(dates, dates[1:]):
        if b < a:
            yield (*path, name_b, "date"), f"{label_b}日期 {b} 早于{label_a}日期 {a}"
    prepared, approved = control.prepared, control.approved
    if prepared and approved and prepared.name and prepared.name == approved.name:
        yield (*path, "approved", "name"), f"编制人与批准人不能是同一人（{prepared.name}）"


@rule("R-COM-4", "E", "文档中出现的人都在项目名册中")
def people_on_roster(facts, artifact, key) -> Yield:
    roster = facts.roster
    keys = artifact.depends_on
    project = facts.project
    names = [k for k in type(project).model_fields if "*" in keys or k in keys]
    own = artifact.instance_of
    for name in names:
        if name == "documents":
            continue
        value = getattr(project, name)
        if own and name == own[0] and key is not None:
            # a per-week document names only the people of its own week
            pairs = [p for i, item in enumerate(value) if getattr(item, own[1]) == key
                     for p in people_in(item, (name, i))]
        else:
            pairs = people_in(value, (name,))
        for path, person in pairs:
            if person not in roster:
                yield path, f"「{person}」不在项目名册（team）或客户联系人（client.contacts）中"
    control, path = facts.control(artifact.code, key)
    for p, person in people_in(control, path):
        if person not in roster:
            yield p, f"「{person}」不在项目名册（team）或客户联系人（client.contacts）中"


COMMON_RULES: tuple[Rule, ...] = (control_complete, versions_consistent, signoff_order, people_on_roster)


def run_data_rules(facts, artifact, key: str | None, document: str) -> list[Finding]:
    """Every data rule of one document: the common ones, then the artifact's own."""
    findings: list[Finding] = []
    for r in (*COMMON_RULES, *artifact.rules):
        findings.extend(r.run(facts, artifact, key, document))
    return findings
