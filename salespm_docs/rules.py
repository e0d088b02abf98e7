"""Rules: ``Facts`` → findings. The framework, and the rules common to every document (R-COM-1…4,
R-COM-6 on the data, R-COM-8).

A rule is a function that yields ``(where, message)``: ``where`` is a key path into the data
(located to file:line) or a plain string. Artifact modules define their own rules with the same
``@rule`` decorator and list them in their registration. Rules on the rendered files
(R-COM-5…7) live in ``check.py``; R-COM-6 also has a data part here (placeholders typed in the data).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from .loader import Path_, format_path
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

def _person_ref(annotation: object, metadata: Iterable[object] = ()) -> PersonRef | None:
    """The ``PersonRef`` marking a field, wherever pydantic put it: in the field's own metadata
    (a required ``author: Person`` is unwrapped to ``str`` + metadata) or inside its annotation
    (``Person | None``, ``list[Person]``)."""
    for m in (*metadata, *getattr(annotation, "__metadata__", ())):
        if isinstance(m, PersonRef):
            return m
    for a in typing.get_args(annotation):
        found = _person_ref(a)
        if found is not None:
            return found
    return None


_FIELD_REFS: dict[type, tuple[tuple[str, PersonRef | None], ...]] = {}


def _field_refs(cls: type[BaseModel]) -> tuple[tuple[str, PersonRef | None], ...]:
    """(field name, its ``PersonRef`` or ``None``) of a model class, worked out once per class
    (``_person_ref`` walks the annotation: a thousand WBS items would walk the same one a
    thousand times)."""
    refs = _FIELD_REFS.get(cls)
    if refs is None:
        refs = _FIELD_REFS[cls] = tuple((name, _person_ref(field.annotation, field.metadata))
                                        for name, field in cls.model_fields.items())
    return refs


def names_in(obj: object, path: Path_ = ()) -> Iterator[tuple[Path_, str, PersonRef]]:
    """Every name in ``obj`` (a model, list or dict of them) of a field marked ``PersonRef``: its
    key path, the name, and the marker (``groups`` says whether a group name may stand there)."""
    if isinstance(obj, BaseModel):
        for name, ref in _field_refs(type(obj)):
            value = getattr(obj, name)
            if value is None:
                continue
            if ref is not None:
                if isinstance(value, list):
                    yield from (((*path, name, i), v, ref) for i, v in enumerate(value))
                else:
                    yield (*path, name), value, ref
            else:
                yield from names_in(value, (*path, name))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from names_in(item, (*path, i))
    elif isinstance(obj, dict):
        for k, item in obj.items():
            yield from names_in(item, (*path, k))


def people_in(obj: object, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Every person (or group) named in ``obj`` (a model, list or dict of them), with its key path."""
    for where, name, _ in names_in(obj, path):
        yield where, name


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


def _document_data(facts, artifact, key) -> Iterator[tuple[Path_, object]]:
    """The data one document shows, as (key path, value): its ``depends_on`` top-level keys (a
    per-week document only its own week), then its control block."""
    keys = artifact.depends_on
    project = facts.project
    own = artifact.instance_of
    control, at = facts.control(artifact.code, key)
    for name in type(project).model_fields:
        if name == "documents" or not ("*" in keys or name in keys):
            continue
        value = getattr(project, name)
        if not (own and name == own[0] and key is not None):
            yield (name,), value
            continue
        for i, item in enumerate(value):  # a per-week document shows only its own week
            if getattr(item, own[1]) != key:
                continue
            if at[:2] == (name, i):  # its own control block (weekly[i].document) comes merged below
                yield from (((name, i, f), getattr(item, f)) for f in type(item).model_fields if f != at[2])
            else:
                yield (name, i), item
    yield at, control


def _walks(facts) -> dict:
    """Per build (``facts.derive``): what R-COM-4 and R-COM-6 found in each whole top-level key of
    the data. Every document that reads a key walks the same value with the same key path (the
    WBS for the 25 weekly reports, the WBS, the Gantt chart and the 进度表 alike), so the walk is
    done once and its results, in the same order, are reused: the work grows with the data, not
    with the data times the number of documents."""
    return {}


def _walk_once(facts, kind: str, at: Path_, value: object, walk: Callable[[object, Path_], list]) -> list:
    """``walk(value, at)``, computed once per build for a whole top-level key (``at`` = ``(name,)``);
    anything else (one week's report, a control block) is walked each time."""
    if len(at) != 1 or not hasattr(facts, "derive"):
        return walk(value, at)
    cache = facts.derive(_walks)
    found = cache.get((kind, at[0]))
    if found is None or found[0] is not value:
        found = cache[(kind, at[0])] = (value, walk(value, at))
    return found[1]


def _names_list(value: object, at: Path_) -> list[tuple[Path_, str, PersonRef]]:
    return list(names_in(value, at))


@rule("R-COM-4", "E", "文档中出现的人都在项目名册中")
def people_on_roster(facts, artifact, key) -> Yield:
    """Every name the document's data gives in a person field is on the roster (team or client
    contacts); where a group may stand (沟通计划的参与 / 接收人), a group declared in ``groups``
    will do too."""
    roster = facts.roster
    groups = facts.project.groups
    for at, value in _document_data(facts, artifact, key):
        for path, person, ref in _walk_once(facts, "names", at, value, _names_list):
            if person in roster or (ref.groups and person in groups):
                continue
            if ref.groups:
                yield path, (f"「{person}」既不在项目名册（team）或客户联系人（client.contacts）中，"
                             f"也不是已声明的分组（groups）；请把此人加入 team 或 client.contacts，"
                             f"或在 groups 中声明该分组")
            else:
                yield path, f"「{person}」不在项目名册（team）或客户联系人（client.contacts）中"


# -- R-COM-6, on the data ------------------------------------------------------------------

#: Placeholders a person leaves in the data: the skeleton's 【待填】 (``salespm new``) and a
#: ``TODO`` / ``XXX`` note (whole words, case-sensitive, as ``check.PLACEHOLDERS`` reads them).
#: ``None`` / ``nan`` / ``inf`` are left to the rendered-file check: there they betray a value
#: the code lost, while typed in the data they are words (英文名、型号) a person meant.
DATA_PLACEHOLDERS = re.compile(r"【待填】|(?<![A-Za-z])(?:TODO|XXX)(?![A-Za-z])")


def _texts(value: object, path: Path_) -> Iterator[tuple[Path_, str]]:
    """Every string in ``value`` (a model, list, dict or string), mapping keys included."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _texts(getattr(value, name), (*path, name))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _texts(item, (*path, i))
    elif isinstance(value, dict):
        for k, item in value.items():
            if isinstance(k, str):
                yield (*path, k), k
            yield from _texts(item, (*path, k))


@rule("R-COM-6", "E", "文档不含占位内容（【待填】、TODO、XXX）")
def no_placeholders_in_data(facts, artifact, key) -> Yield:
    """The data side of R-COM-6: a placeholder typed in the data the document shows (a project
    made by ``salespm new`` and left half-filled) would be rendered as typed, and the check of the
    rendered file lets text the data says through. Checked on the same data as R-COM-4."""
    for at, value in _document_data(facts, artifact, key):
        yield from _walk_once(facts, "placeholders", at, value, _placeholders)


def _placeholders(value: object, at: Path_) -> list[tuple[Path_, str]]:
    """R-COM-6's findings on the data ``value`` at key path ``at``."""
    found = []
    for path, text in _texts(value, at):
        match = DATA_PLACEHOLDERS.search(text)
        if match:
            shown = f"{text[:40]}…" if len(text) > 40 else text
            now = f"（现为「{shown}」）" if text != match.group() else ""
            found.append((path, f"{format_path(path)} 仍含占位内容「{match.group()}」{now}，请填写实际内容"))
    return found


# -- R-COM-8 -------------------------------------------------------------------------------

#: Words that only an internal document may use: our cost control and verdicts against our targets.
INTERNAL_WORDS = ("预算执行率", "成本偏差", "成本执行", "完工预测", "完工偏差", "毛利", "未达成")


def internal_figures(facts) -> list[tuple[Path_, str, "Decimal"]]:
    """Every internal money figure of the project: (data path, what it is, amount); zeros left out."""
    p = facts.project
    found: list[tuple[Path_, str, Decimal]] = []
    if p.initiation is not None:  # the 立项 budget: the cap of the charter's budget (INIT)
        found.append((("initiation", "budget", "total"), "立项预算总额", p.initiation.budget.total))
    if p.budget.total is not None:
        found.append((("budget", "total"), "项目预算总额", p.budget.total))
    for i, line in enumerate(p.budget.lines):
        found.append((("budget", "lines", i, "amount"), f"预算科目「{line.category}」金额", line.amount))
    for i, week in enumerate(p.weekly):
        if week.cost is None:
            continue
        for name, label in (("actual_to_date", "累计实际成本"), ("planned_to_date", "累计计划成本"),
                            ("forecast_at_completion", "完工预测成本")):
            amount = getattr(week.cost, name)
            if amount is not None:
                found.append((("weekly", i, "cost", name), f"{week.week} 周报的{label}", amount))
    if p.changes:  # a change's budget adjustment and the baseline it leaves (figures/baseline.py)
        from .figures.baseline import change_log

        for entry in facts.derive(change_log):
            found.append((("changes", entry.index, "budget_change"), f"变更 {entry.id} 批准后的预算基线", entry.after))
        for i, change in enumerate(p.changes):
            if change.budget_change is not None:
                found.append((("changes", i, "budget_change"), f"变更 {change.id} 的预算调整", change.budget_change))
    return [(path, label, Decimal(amount)) for path, label, amount in found if amount]


def _leaves(value: object, path: tuple = ()) -> Iterator[tuple[str, object]]:
    if isinstance(value, dict):
        for k, item in value.items():
            yield from _leaves(item, (*path, k))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    elif isinstance(value, BaseModel):
        yield from _leaves(value.model_dump(), path)
    else:
        yield ".".join(str(k) for k in path), value


def _forms(amount: Decimal) -> tuple[str, ...]:
    """How a template may write an amount: ¥1,234.00 · 1,234.00 · 人民币壹仟… · 0.12万元."""
    from .money import format_wan, format_yuan, to_upper

    return format_yuan(amount), format_yuan(amount, ""), to_upper(amount, prefix=False), format_wan(amount)


@rule("R-COM-8", "E", "面向客户的文档不出现内部数字与对照内部目标的结论")
def no_internal_figures(facts, artifact, key) -> Yield:
    """From ARTIFACTS.md's audience paragraph: a client-facing document (``client_facing`` in the
    configuration) never shows internal figures — our budget (total and lines), costs and forecast
    from the weekly reports, margin — nor verdicts against our internal targets. Checked on the
    document's own template variables (every value it can show; the common ones — project, client,
    company, control block — hold no internal figure) and on its layout's fixed text."""
    from .layout.generate import layouts

    if artifact.audience_for(facts.settings) != "client":
        return
    try:
        context = artifact.context(facts, key)
    except Exception:  # noqa: BLE001 - incomplete data: the artifact's own rules say what is missing
        return
    leaves = list(_leaves(context))
    found = facts.own_item(artifact.code, key)
    own = found[0] if found is not None else None  # its own item first: ("weekly", 3)
    figures = sorted(internal_figures(facts), key=lambda f: f[0][0] == "weekly" and tuple(f[0][:2]) != own)
    shown: set[Decimal] = set()
    intro = f"{artifact.code} {artifact.title}是面向客户的文档（配置 client_facing），不得出现"
    fix = f"；若它是内部文档，请把 {artifact.code} 从配置 client_facing 中移除"
    for path, label, amount in figures:
        if amount in shown:
            continue  # one finding per amount (the same figure often recurs week after week)
        forms = _forms(amount)
        for where, value in leaves:
            numeric = isinstance(value, (int, Decimal)) and not isinstance(value, bool) and value == amount
            if numeric or (isinstance(value, str) and any(f in value for f in forms)):
                shown.add(amount)
                yield path, f"{intro}内部数字：{label} {forms[0]}（模板变量 {where}）{fix}"
                break
    layout = layouts().get(artifact.code)
    fixed = repr(layout) if layout is not None else ""
    for word in INTERNAL_WORDS:
        where = next((w for w, value in leaves if isinstance(value, str) and word in value), None)
        if where is None and word in fixed:
            where = f"版式 salespm_docs/layouts/{artifact.code.lower()}.py"
        elif where is not None:
            where = f"模板变量 {where}"
        if where is not None:
            yield where, f"{intro}内部用语「{word}」{fix}"


COMMON_RULES: tuple[Rule, ...] = (control_complete, versions_consistent, signoff_order, people_on_roster,
                                  no_placeholders_in_data, no_internal_figures)


def run_data_rules(facts, artifact, key: str | None, document: str) -> list[Finding]:
    """Every data rule of one document: the common ones, then the artifact's own."""
    findings: list[Finding] = []
    for r in (*COMMON_RULES, *artifact.rules):
        findings.extend(r.run(facts, artifact, key, document))
    return findings
