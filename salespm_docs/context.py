"""Context: ``Facts`` + one document instance → the template variables (the code/template contract).

Every document gets ``doc`` (control block, draft flag), ``project``, ``client``, ``company`` and
``people``; the artifact adds its own variables. Values are plain data (str, Decimal, date, lists
and dicts), already derived: templates only format them.
"""

from __future__ import annotations

from .artifacts.registry import Artifact, audience_of
from .facts import Facts
from .model import DocControl


def _signoff(facts: Facts, signoff) -> dict:
    if signoff is None:
        return {"name": None, "role": None, "date": None}
    return {"name": signoff.name, "role": facts.roster.get(signoff.name) if signoff.name else None,
            "date": signoff.date}


def doc_block(facts: Facts, artifact: Artifact, key: str | None, draft: bool) -> dict:
    """The control block: 文档名称 · 编号 · 版本 · 密级 · 状态 · 编制/审核/批准 · 修订记录."""
    control: DocControl = facts.control(artifact.code, key)[0]
    title = artifact.full_title(facts, key)
    audience = audience_of(artifact, facts.settings)
    return {
        "code": artifact.code,
        "title": title,
        "key": key,
        "number": control.number,
        "version": control.version or "V0.1",
        "classification": control.classification,
        "audience": audience,
        "audience_mark": "内部" if audience == "internal" else "",
        "status": control.status or "草稿",
        "prepared": _signoff(facts, control.prepared),
        "reviewed": _signoff(facts, control.reviewed),
        "approved": _signoff(facts, control.approved),
        "revisions": [r.model_dump() for r in control.revisions],
        "draft": draft,
        "generated": facts.today,
    }


def build_context(facts: Facts, artifact: Artifact, key: str | None, draft: bool) -> dict:
    """Common variables plus the artifact's own."""
    p = facts.project
    context = {
        "doc": doc_block(facts, artifact, key, draft),
        "project": p.project.model_dump(),
        "client": p.client.model_dump(),
        "company": {"name": p.project.company, "code": p.project.company_code, "logo": facts.logo_uri},
        "people": facts.roster,
    }
    own = artifact.context(facts, key)
    clash = set(own) & set(context)
    if clash:
        raise ValueError(f"artifact {artifact.code} redefines common context keys {sorted(clash)}")
    context.update(own)
    return context


def is_draft(facts: Facts, artifact: Artifact, key: str | None, has_errors: bool) -> bool:
    """A document shows 「草稿」 unless it is 已批准 and passes every E rule."""
    control = facts.control(artifact.code, key)[0]
    return has_errors or control.status != "已批准"


def signatures(doc: dict) -> list[dict]:
    """The 编制 / 审核 / 批准 rows of an internal signature block."""
    return [{"label": label, **doc[key]} for key, label in
            (("prepared", "编制"), ("reviewed", "审核"), ("approved", "批准"))]
