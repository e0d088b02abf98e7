"""REQ 需求说明书: the requirements both parties sign, and where each one is carried.

The requirements are recorded once, in ``requirements.yaml`` (functional, non-functional, interface
and data requirements, each with an ID, a priority 必须 / 应该 / 可以 and an acceptance criterion).
The 需求跟踪矩阵 is derived (``figures/trace.py``): requirement → 解决方案功能清单 row(s) → WBS
element(s) → deliverable(s) → the final acceptance result (「未验收」 until there is one).

Rules R-REQ-1…3 (ARTIFACTS.md §4). An ID used twice is refused when the data is read (a located
validation error), so R-REQ-1 holds the rest: priority and acceptance criterion. R-REQ-3 follows the
§5 link REQ.必须 → SOL.功能清单 → WBS: a 必须 requirement no 功能清单 row lists, or whose rows name
no WBS element that exists, is a finding naming it.

Client-facing (the client signs it): no internal figures; the 甲方 / 乙方 block with room for the seals.
"""

from __future__ import annotations

from ..facts import Facts
from ..figures import trace as tr
from ..figures.acceptance import party_findings
from ..rules import rule
from .registry import Artifact, register

SECTIONS = ("引言", "项目背景与业务目标", "用户与角色", "功能需求", "非功能需求", "接口与数据需求", "约束与假设",
            "需求变更管理", "双方确认")

DEPENDS = ("project", "client", "team", "documents", "requirements", "solution", "wbs", "deliverables",
           "acceptance")

PRIORITIES = ("必须", "应该", "可以")


def _named(r) -> str:
    return f"需求 {r.id}「{r.title}」"


# -- rules --------------------------------------------------------------------------------

@rule("R-REQ-1", "E", "每条需求有唯一编号、优先级（必须/应该/可以）和验收标准")
def requirements_complete(facts: Facts, artifact, key):
    reqs = facts.project.requirements
    if reqs is None:
        return
    if not reqs.all():
        yield ("requirements",), "需求说明书中没有任何需求（requirements.functional / non_functional / interfaces）"
    for r, group, path in tr.requirement_paths(facts):
        missing = [label for value, label in ((r.priority, "优先级（priority：必须 / 应该 / 可以）"),
                                              (r.acceptance, "验收标准（acceptance）")) if not value]
        if missing:
            yield path, f"{group} {r.id}「{r.title}」缺少{'和'.join(missing)}"


@rule("R-REQ-2", "E", "甲乙双方签字并注明日期")
def both_parties_sign(facts: Facts, artifact, key):
    reqs = facts.project.requirements
    if reqs is None:
        return
    yield from party_findings(facts.project, reqs, ("requirements",),
                              missing="需求说明书缺少{label}确认签字（{field}）", incomplete="需求说明书的{label}确认缺少{what}")


@rule("R-REQ-3", "E", "每条必须需求都由解决方案功能清单和 WBS 元素覆盖")
def must_requirements_covered(facts: Facts, artifact, key):
    if facts.project.requirements is None:
        return
    for row in facts.derive(tr.trace):
        r = row.requirement
        if r.priority != "必须":
            continue
        if not row.covered_by_solution:
            where = ("没有解决方案（solution.yaml）" if facts.project.solution is None
                     else f"功能清单中没有引用 {r.id} 的功能（solution.functions[].requirements）")
            yield row.path, f"必须需求 {r.id}「{r.title}」没有被解决方案功能清单覆盖：{where}"
        elif not row.covered_by_wbs:
            named = "、".join(f.id for f in row.functions)
            if row.unknown_wbs:
                codes = "、".join(f"{fid} 的 {code}" for fid, code in row.unknown_wbs)
                why = f"所列 WBS 编码不在工作分解结构中（{codes}）"
            else:
                why = "这些功能没有填写 WBS 编码（solution.functions[].wbs）"
            yield row.path, f"必须需求 {r.id}「{r.title}」没有对应的 WBS 元素：覆盖它的功能 {named} {why}"


# -- context ------------------------------------------------------------------------------

def _requirement(r) -> dict:
    source = r.source
    if r.change and r.change not in (source or ""):  # the change that brought it in, unless the source says it
        source = f"{source}（{r.change}）" if source else f"变更申请 {r.change}"
    return {"id": r.id, "title": r.title, "description": r.description, "priority": r.priority,
            "acceptance": r.acceptance, "source": source, "change": r.change}


def _matrix(facts: Facts) -> list[dict]:
    rows = []
    for row in facts.derive(tr.trace):
        r = row.requirement
        if row.functions:
            functions = "、".join(f"{f.id} {f.name}" for f in row.functions)
        else:
            functions = "未覆盖" if r.priority == "必须" else "本期方案未纳入"
        many = len({d.result for d in row.deliverables}) > 1  # one result for all: shown once
        rows.append({
            "id": r.id, "title": r.title, "priority": r.priority,
            "functions": functions,
            "wbs": "、".join(i.code for i in row.wbs) or ("未落实" if row.functions else "不适用"),
            "deliverables": "、".join(f"{d.id} {d.name or ''}".strip() for d in row.deliverables) or "不适用",
            "results": ("；".join(f"{d.id} {d.result}" for d in row.deliverables) if many
                        else row.deliverables[0].result if row.deliverables else "不适用"),
        })
    return rows


def _counts(facts: Facts) -> dict:
    reqs = facts.project.requirements
    every = reqs.all()
    by_priority = {p: sum(1 for r in every if r.priority == p) for p in PRIORITIES}
    traced = facts.derive(tr.trace)
    return {
        "total": len(every), "functional": len(reqs.functional), "non_functional": len(reqs.non_functional),
        "interfaces": len(reqs.interfaces), **{f"p{n}": by_priority[p] for n, p in enumerate(PRIORITIES)},
        "covered": sum(1 for row in traced if row.covered_by_solution and row.covered_by_wbs),
        "accepted": sum(1 for row in traced if row.deliverables
                        and all(d.result != tr.NOT_ACCEPTED for d in row.deliverables)),
    }


def context(facts: Facts, key: str | None) -> dict:
    reqs = facts.project.requirements
    changed = [{"id": r.id, "title": r.title, "change": r.change} for r in reqs.all() if r.change]
    return {
        "req": {
            "introduction": reqs.introduction, "background": reqs.background or facts.project.project.background,
            "goals": list(reqs.goals), "constraints": list(reqs.constraints),
            "assumptions": list(reqs.assumptions), "change_management": reqs.change_management,
        },
        "roles": [r.model_dump() for r in reqs.roles],
        "functional": [_requirement(r) for r in reqs.functional],
        "non_functional": [_requirement(r) for r in reqs.non_functional],
        "interfaces": [_requirement(r) for r in reqs.interfaces],
        "changed": changed,
        "counts": _counts(facts),
        "matrix": _matrix(facts),
        "parties": {side: {"organisation": s.organisation if s else None,
                           "representative": s.representative if s else None,
                           "date": s.date if s else None}
                    for side, s in (("client", reqs.client), ("vendor", reqs.vendor))},
    }


def key_values(facts: Facts, key: str | None) -> list[str]:
    reqs = facts.project.requirements
    values = [facts.project.project.name, facts.project.client.name, "（盖章）"]
    values += [r.id for r in reqs.all()]
    values += [s.representative for s in (reqs.client, reqs.vendor) if s and s.representative]
    return values


REQUIREMENTS = register(Artifact(
    code="REQ",
    sections=SECTIONS,
    context=context,
    rules=(requirements_complete, both_parties_sign, must_requirements_covered),
    present=lambda project: project.requirements is not None,
    key_values=key_values,
    depends_on=DEPENDS,
))
