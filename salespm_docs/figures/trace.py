"""Requirements traceability: requirement → solution function(s) → WBS element(s) → deliverable(s)
→ acceptance result, derived once per build (``facts.derive(trace)``).

The chain is the §5 link ``REQ.必须 → SOL.功能清单 → WBS`` carried on to the deliverables and
their 验收 result:

- the solution functions of a requirement are the 功能清单 rows (``solution.functions``) whose
  ``requirements`` list its ID, in the order of the list;
- their WBS elements are the codes those rows name (``SolutionFunction.wbs``) that exist in the
  WBS, each once, in WBS code order; codes that do not exist are kept apart (``unknown_wbs``) so a
  rule can name them, and never reach the matrix as if they were planned work;
- the deliverables are the ``deliverable`` of each of those elements and of every leaf under it
  (a requirement traced to the parent ``4.3`` reaches the deliverables of ``4.3.1`` and ``4.3.2``),
  each once, in the charter's order (deliverables the charter does not list come last);
- the result of a deliverable is its row in the final acceptance (``acceptance.results``), else
  「未验收」 (no acceptance yet, or the deliverable was not judged).

Used by the 需求说明书 (R-REQ-3 and its 需求跟踪矩阵); usable by any document that needs to know
which work and which deliverables carry a requirement.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.core import WbsItem
from ..model.execution import Requirement, SolutionFunction
from .progress import _code_key, leaves

#: The requirement lists of the 需求说明书, in the order the document shows them: data key, label.
GROUPS = (("functional", "功能需求"), ("non_functional", "非功能需求"), ("interfaces", "接口与数据需求"))

#: The result of a deliverable that has no acceptance result.
NOT_ACCEPTED = "未验收"


@dataclass(frozen=True)
class TracedDeliverable:
    id: str
    name: str | None
    """The charter's name (``None`` when the charter does not list the ID)."""
    result: str
    """通过 / 有条件通过 / 不通过 from ``acceptance.results``, else 「未验收」."""


@dataclass(frozen=True)
class TraceRow:
    """One requirement and what carries it."""

    requirement: Requirement
    group: str
    """功能需求 / 非功能需求 / 接口与数据需求."""
    path: tuple
    """Where the requirement is in the data: ``("requirements", "functional", 3)``."""
    functions: tuple[SolutionFunction, ...]
    wbs: tuple[WbsItem, ...]
    """The WBS elements the functions name that exist, in code order."""
    unknown_wbs: tuple[tuple[str, str], ...]
    """(function ID, code) of codes the functions name that are not in the WBS."""
    deliverables: tuple[TracedDeliverable, ...]

    @property
    def covered_by_solution(self) -> bool:
        return bool(self.functions)

    @property
    def covered_by_wbs(self) -> bool:
        return bool(self.wbs)


def requirement_paths(facts) -> list[tuple[Requirement, str, tuple]]:
    """Every requirement with its group label and data path, in the document's order."""
    reqs = facts.project.requirements
    if reqs is None:
        return []
    return [(r, label, ("requirements", key, i))
            for key, label in GROUPS for i, r in enumerate(getattr(reqs, key))]


def trace(facts) -> list[TraceRow]:
    """The traceability of every requirement (empty without a 需求说明书); use ``facts.derive(trace)``."""
    p = facts.project
    rows = requirement_paths(facts)
    if not rows:
        return []
    functions = list(p.solution.functions) if p.solution is not None else []
    items = {i.code: i for i in p.wbs}
    leaf_items = leaves(p.wbs)
    charter = {d.id: (n, d.name) for n, d in enumerate(p.deliverables) if d.id}
    results = {r.deliverable: r.result for r in p.acceptance.results} if p.acceptance is not None else {}

    def deliverables_of(item: WbsItem) -> list[str]:
        found = [item.deliverable] if item.deliverable else []
        prefix = item.code + "."
        found += [leaf.deliverable for leaf in leaf_items if leaf.code.startswith(prefix) and leaf.deliverable]
        return found

    out: list[TraceRow] = []
    for requirement, group, path in rows:
        mine = tuple(f for f in functions if requirement.id in f.requirements)
        known: dict[str, WbsItem] = {}
        unknown: list[tuple[str, str]] = []
        for f in mine:
            for code in f.wbs:
                if code in items:
                    known.setdefault(code, items[code])
                elif (f.id, code) not in unknown:
                    unknown.append((f.id, code))
        wbs = tuple(sorted(known.values(), key=lambda i: _code_key(i.code)))
        ids: list[str] = []
        for item in wbs:
            for d in deliverables_of(item):
                if d not in ids:
                    ids.append(d)
        ids.sort(key=lambda d: (charter[d][0], "") if d in charter else (len(charter), d))
        deliverables = tuple(TracedDeliverable(d, charter[d][1] if d in charter else None,
                                               results.get(d, NOT_ACCEPTED)) for d in ids)
        out.append(TraceRow(requirement, group, path, mine, wbs, tuple(unknown), deliverables))
    return out
