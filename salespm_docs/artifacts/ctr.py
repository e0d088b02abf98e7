"""CTR 合同评审表: one per contract (``contracts[]``, key = the contract's id), reviewed before signing.

The contract is the one place for the contract amount (小写, and the 大写 as written in the
contract text), the payment terms, the delivery standard and the dates (ARTIFACTS.md §5:
CTR.金额 (大写 ≡ 小写) = Σ PAY; CTR.交付标准 → REQ (version)). Rules R-CTR-1…4:

- R-CTR-1: each of the ten 评审要点 (``model.execution.REVIEW_POINTS``) is in ``review_points``
  with the contract's terms (条款与约定, ``terms``) and a 评审意见 (``opinion``).
- R-CTR-2: the payment terms add up to 100% and to the contract amount, to the fen (the finding
  gives the sum and the difference), each term's amount is 合同金额 × 比例; and, when the project
  has one contract, they agree with the 回款计划 (``payments``): the same 期次, each with the same
  比例 and 金额 (with several contracts the plan covers all of them and is not matched term by term).
- R-CTR-3: 销售, 技术/交付, 财务 and 法务 each record 评审人, 结论 (通过 / 修改后通过 / 不通过) and
  日期; a 不通过 while this form's status is 已批准 is an error (a 不通过 blocks approval), and a
  review dated after the contract was signed is one too (the review precedes the signature).
- R-CTR-4: the contract agrees with the charter and the 需求说明书: its amount equals
  ``project.contract_amount`` (several contracts: their sum does); the typed 大写
  (``amount_in_words``) reads back exactly to the amount (the R-COM-5 parser, located at the
  field: R-COM-5 itself only reads rendered text); the contract term covers the project
  (开始 ≤ project.start and 结束 ≥ project.end, equal allowed: every day of project work needs a
  contract in force; a term that ends later — 质保, 尾款 — is normal, one that starts after the
  kick-off means work without a contract); the delivery standard names a 需求说明书 version
  (``requirements_version``) that is in REQ's 修订记录 (``documents.REQ.revisions``), and a version
  written in the delivery text is that one.

CTR is internal (评审 is our own decision); the 甲方 / 乙方 block at the end records the signing of
the contract itself (``contracts[].client`` / ``vendor``, defaulting to the two companies and the
signing date), with room for the seals.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..dates import cn_date
from ..facts import Facts
from ..figures import contract as fig
from ..model.execution import REVIEW_POINTS, Contract
from ..money import format_yuan, to_upper
from ..rules import rule
from .registry import Artifact, register

SECTIONS = ("合同基本信息", "评审要点", "各部门评审意见", "结论", "合同签署")

DEPENDS = ("project", "client", "team", "contracts", "payments", "documents")

DEPARTMENTS = ("销售", "技术/交付", "财务", "法务")
#: A version written in prose: V1.0, V2.1.
VERSION = re.compile(r"V\d+\.\d+")


def _own(facts: Facts, key: str | None) -> tuple[int, Contract]:
    return facts.own_index("CTR", key)


def _at(i: int, *rest) -> tuple:
    return ("contracts", i, *rest)


def _req_versions(facts: Facts) -> list[str]:
    """The versions in the 需求说明书's 修订记录 (``documents.REQ``), in order."""
    req = facts.project.documents.get("REQ")
    return [r.version for r in req.revisions] if req is not None else []


def _req_number(facts: Facts) -> str | None:
    req = facts.project.documents.get("REQ")
    return req.number if req is not None else None


def _status(facts: Facts, key: str | None) -> str | None:
    return facts.control("CTR", key)[0].status


# -- rules --------------------------------------------------------------------------------

@rule("R-CTR-1", "E", "每个评审要点都写明合同约定并有评审意见")
def points_addressed(facts: Facts, artifact, key):
    i, c = _own(facts, key)
    given = {p.topic: (j, p) for j, p in enumerate(c.review_points)}
    missing = [t for t in REVIEW_POINTS if t not in given]
    if missing:
        yield _at(i, "review_points"), (f"合同 {c.id} 的评审要点缺少「{'」「'.join(missing)}」"
                                        f"（review_points，共 {len(REVIEW_POINTS)} 项）")
    for topic in REVIEW_POINTS:
        if topic not in given:
            continue
        j, p = given[topic]
        if not p.terms:
            yield _at(i, "review_points", j), f"评审要点「{topic}」没有写明合同约定（terms：条款号与要点）"
        if not p.opinion:
            yield _at(i, "review_points", j), f"评审要点「{topic}」没有评审意见（opinion）"


@rule("R-CTR-2", "E", "付款节点合计 100% 并等于合同金额，与回款计划一致")
def payments_add_up(facts: Facts, artifact, key):
    i, c = _own(facts, key)
    if not c.payment_terms:
        yield _at(i, "payment_terms"), f"合同 {c.id} 没有付款节点（payment_terms）"
        return
    ratio, amount = fig.sums(c)
    if ratio != fig.HUNDRED:
        yield _at(i, "payment_terms"), (f"付款节点比例之和为 {fig.percent_text(ratio)}，应为 100%"
                                        f"（相差 {fig.percent_text(abs(fig.HUNDRED - ratio))}）")
    if amount != c.amount:
        yield _at(i, "payment_terms"), (f"付款节点金额之和为 {format_yuan(amount)}，与合同金额 {format_yuan(c.amount)} "
                                        f"不符（相差 {format_yuan(abs(c.amount - amount))}）")
    checks = fig.term_checks(c, facts.project.payments)
    for j, (t, check) in enumerate(zip(c.payment_terms, checks)):
        if t.amount != check.expected:
            yield _at(i, "payment_terms", j, "amount"), (
                f"第 {t.no} 期付款金额 {format_yuan(t.amount)} 不等于合同金额 × 比例 "
                f"{fig.percent_text(t.ratio)} = {format_yuan(check.expected)}")
    payments = facts.project.payments
    if len(facts.project.contracts) != 1 or not payments:
        return
    for j, (t, check) in enumerate(zip(c.payment_terms, checks)):
        if check.installment is None:
            yield _at(i, "payment_terms", j, "no"), (
                f"合同第 {t.no} 期「{t.milestone}」在回款计划（payments）中没有同一期次")
        elif check.differences:
            yield _at(i, "payment_terms", j), (
                f"合同第 {t.no} 期「{t.milestone}」与回款计划（payments）第 {t.no} 期不一致："
                f"{'；'.join(check.differences)}")
    nos = {t.no for t in c.payment_terms}
    for k, inst in enumerate(payments):
        if inst.no not in nos:
            yield ("payments", k, "no"), (f"回款计划第 {inst.no} 期「{inst.milestone}」在合同 {c.id} 的付款节点"
                                          "（payment_terms）中没有同一期次")


@rule("R-CTR-3", "E", "销售、技术/交付、财务、法务都有评审结论；不通过不能批准")
def departments_concluded(facts: Facts, artifact, key):
    i, c = _own(facts, key)
    given = {r.department: (j, r) for j, r in enumerate(c.reviews)}
    status = _status(facts, key)
    for dept in DEPARTMENTS:
        if dept not in given:
            yield _at(i, "reviews"), f"缺少{dept}部门的评审意见（reviews 中 department: {dept}）"
            continue
        j, r = given[dept]
        missing = [label for value, label in ((r.reviewer, "评审人（reviewer）"),
                                              (r.conclusion, "结论（conclusion：通过 / 修改后通过 / 不通过）"),
                                              (r.date, "评审日期（date）")) if value is None]
        if missing:
            yield _at(i, "reviews", j), f"{dept}部门的评审意见缺少{'、'.join(missing)}"
        if r.conclusion == "不通过" and status == "已批准":
            yield _at(i, "reviews", j, "conclusion"), (
                f"{dept}部门的评审结论为不通过，合同评审表不能为已批准：修改合同后重新评审，或将状态改为评审中")
        if r.date is not None and c.signed is not None and r.date > c.signed:
            yield _at(i, "reviews", j, "date"), (
                f"{dept}部门的评审日期 {r.date} 晚于合同签订日期 {c.signed}：合同评审应在签订之前完成")


@rule("R-CTR-4", "E", "合同金额（大写与小写）、交付标准与日期与项目章程、需求说明书一致")
def agrees_with_charter(facts: Facts, artifact, key):
    i, c = _own(facts, key)
    p = facts.project.project
    contracts = facts.project.contracts
    if p.contract_amount is None:
        yield ("project",), "项目章程缺少合同金额（project.contract_amount），无法与合同核对"
    elif len(contracts) == 1 and c.amount != p.contract_amount:
        yield _at(i, "amount"), (f"合同金额 {format_yuan(c.amount)} 与项目章程的合同金额（project.contract_amount）"
                                 f"{format_yuan(p.contract_amount)} 不符（相差 {format_yuan(abs(c.amount - p.contract_amount))}）")
    elif len(contracts) > 1:
        total = sum((x.amount for x in contracts), Decimal("0.00"))
        if total != p.contract_amount:
            yield _at(i, "amount"), (f"{len(contracts)} 份合同金额之和 {format_yuan(total)} 与项目章程的合同金额"
                                     f"（project.contract_amount）{format_yuan(p.contract_amount)} 不符")
    written = fig.words(c)
    if written is not None and written.error is not None:
        yield _at(i, "amount_in_words"), f"合同金额的大写：{written.error}"
    elif written is not None and not written.agrees(c.amount):
        yield _at(i, "amount_in_words"), (f"合同金额大写「{written.written}」为 {format_yuan(written.value)}，"
                                          f"与小写 {format_yuan(c.amount)} 不符（应为「{to_upper(c.amount)}」）")
    if c.start is None or c.end is None:
        missing = "、".join(label for value, label in ((c.start, "开始（start）"), (c.end, "结束（end）")) if value is None)
        yield _at(i), f"合同期限缺少{missing}"
    if c.start is not None and c.end is not None and c.start > c.end:
        yield _at(i, "end"), f"合同期限结束 {c.end} 早于开始 {c.start}"
    if c.start is not None and c.start > p.start:
        yield _at(i, "start"), (f"合同期限开始 {c.start} 晚于项目开始日期 {p.start}（project.start）："
                                "项目工作应在合同期限内进行")
    if c.end is not None and c.end < p.end:
        yield _at(i, "end"), (f"合同期限结束 {c.end} 早于项目结束日期 {p.end}（project.end）："
                              "项目工作应在合同期限内完成")
    if not c.delivery:
        yield _at(i), "缺少交付内容与标准（delivery）"
    versions = _req_versions(facts)
    if c.requirements_version is None:
        yield _at(i), "缺少交付标准所依据的需求说明书版本（requirements_version）"
    elif not versions:
        yield _at(i, "requirements_version"), (f"交付标准引用需求说明书 {c.requirements_version}，"
                                               "但需求说明书没有修订记录（documents.REQ.revisions）")
    elif c.requirements_version not in versions:
        yield _at(i, "requirements_version"), (
            f"交付标准引用的需求说明书 {c.requirements_version} 不在需求说明书的修订记录中"
            f"（documents.REQ.revisions：{'、'.join(versions)}）")
    if c.delivery and c.requirements_version:
        named = VERSION.findall(c.delivery)
        if named and c.requirements_version not in named:
            yield _at(i, "delivery"), (f"交付内容与标准中写的需求说明书版本 {'、'.join(dict.fromkeys(named))} "
                                       f"与 requirements_version {c.requirements_version} 不一致")


# -- context ------------------------------------------------------------------------------

def _words_note(c: Contract) -> str:
    """What the form says about the 大写 typed in the contract text."""
    written = fig.words(c)
    if written is None:
        return "合同文本未录入大写金额（amount_in_words），上栏大写由小写金额生成"
    if written.error is not None:
        return f"合同文本所写大写「{written.written}」不规范：须按上栏更正"
    if written.agrees(c.amount):
        return "合同文本所写大写与小写金额一致"
    return (f"合同文本所写大写「{written.written}」为 {format_yuan(written.value)}，与小写金额不符："
            "须按上栏更正后签订")


def _term_note(facts: Facts, c: Contract) -> str:
    p = facts.project.project
    if c.start is None or c.end is None:
        return "合同期限不完整"
    inside = c.start <= p.start and c.end >= p.end
    return (f"项目计划周期 {cn_date(p.start)} 至 {cn_date(p.end)}"
            + ("，在合同期限内" if inside else "，超出合同期限"))


def _payment_note(facts: Facts, c: Contract) -> str:
    ratio, amount = fig.sums(c)
    parts = [f"付款节点比例合计 {fig.percent_text(ratio)}，金额合计 {format_yuan(amount)}"]
    parts.append("，等于合同金额" if amount == c.amount and ratio == fig.HUNDRED else "，与合同金额或 100% 不符")
    payments = facts.project.payments
    if len(facts.project.contracts) == 1 and payments:
        checks = fig.term_checks(c, payments)
        same = (all(ch.installment is not None and not ch.differences for ch in checks)
                and {t.no for t in c.payment_terms} == {i.no for i in payments})
        parts.append("；与回款计划各期的期次、比例与金额一致。" if same else "；与回款计划不一致，见下表「回款计划」列。")
    else:
        parts.append("。")
    return "".join(parts)


def _pay_cell(check: fig.TermCheck, single: bool, has_plan: bool) -> str:
    if not single or not has_plan:
        return "—"
    if check.installment is None:
        return "回款计划中无此期"
    return "；".join(check.differences) if check.differences else "一致"


def _review_summary(c: Contract) -> str:
    given = {r.department: r for r in c.reviews}
    shown = "；".join(f"{d}：{given[d].conclusion if d in given and given[d].conclusion else '未评审'}"
                     for d in DEPARTMENTS)
    conclusions = [given[d].conclusion for d in DEPARTMENTS if d in given]
    if "不通过" in conclusions:
        verdict = "有部门不通过，合同须修改后重新评审，评审通过前不得签订。"
    elif len([x for x in conclusions if x]) < len(DEPARTMENTS):
        verdict = "尚有部门未给出评审结论，评审未完成。"
    elif "修改后通过" in conclusions:
        verdict = "无不通过意见；修改后通过的意见须落实到合同文本后签订。"
    else:
        verdict = "各部门均评审通过，同意签订。"
    return f"各部门评审结论：{shown}。{verdict}"


def context(facts: Facts, key: str | None) -> dict:
    p = facts.project
    _, c = _own(facts, key)
    roster = facts.roster
    single, has_plan = len(p.contracts) == 1, bool(p.payments)
    checks = fig.term_checks(c, p.payments)
    terms = [{"no": t.no, "milestone": t.milestone, "ratio": t.ratio, "amount": t.amount,
              "condition": t.condition, "plan": _pay_cell(ch, single, has_plan)}
             for t, ch in zip(c.payment_terms, checks)]
    ratio, amount = fig.sums(c)
    points = {x.topic: x for x in c.review_points}
    reviews = {r.department: r for r in c.reviews}
    signer = {side: getattr(c, side) for side in ("client", "vendor")}
    parties = {
        "client": {"organisation": (signer["client"].organisation if signer["client"] else None) or p.client.name,
                   "representative": signer["client"].representative if signer["client"] else "",
                   "date": (signer["client"].date if signer["client"] else None) or c.signed},
        "vendor": {"organisation": (signer["vendor"].organisation if signer["vendor"] else None) or p.project.company,
                   "representative": signer["vendor"].representative if signer["vendor"] else "",
                   "date": (signer["vendor"].date if signer["vendor"] else None) or c.signed},
    }
    return {
        "contract": {
            "id": c.id, "name": c.name, "amount": c.amount, "amount_upper": to_upper(c.amount),
            "words_note": _words_note(c), "signed": c.signed, "start": c.start, "end": c.end,
            "term_note": _term_note(facts, c), "delivery": c.delivery,
            "requirements_version": c.requirements_version, "requirements_number": _req_number(facts),
            "conclusion": c.conclusion,
        },
        "terms": terms,
        "terms_total": {"ratio": ratio, "amount": amount},
        "payment_note": _payment_note(facts, c),
        "points": [{"n": n, "topic": t, "terms": points[t].terms if t in points else None,
                    "opinion": points[t].opinion if t in points else None}
                   for n, t in enumerate(REVIEW_POINTS, 1)],
        "reviews": [{"department": d,
                     "reviewer": (f"{reviews[d].reviewer}（{roster[reviews[d].reviewer]}）"
                                  if d in reviews and reviews[d].reviewer in roster
                                  else reviews[d].reviewer if d in reviews else None),
                     "conclusion": reviews[d].conclusion if d in reviews and reviews[d].conclusion else "未评审",
                     "opinion": reviews[d].opinion if d in reviews else None,
                     "date": reviews[d].date if d in reviews else None}
                    for d in DEPARTMENTS],
        "review_summary": _review_summary(c),
        "parties": parties,
    }


def key_values(facts: Facts, key: str | None) -> list[str]:
    _, c = _own(facts, key)
    values = [c.id, c.name, facts.project.client.name, format_yuan(c.amount), to_upper(c.amount), "（盖章）"]
    values += [t.milestone for t in c.payment_terms]
    values += [r.reviewer for r in c.reviews if r.reviewer]
    return values


def _fingerprint(facts: Facts, key: str | None) -> dict:
    """One review form is made from its own contract, the 回款计划 and the 需求说明书's 修订记录
    (R-CTR-4 reads ``documents.REQ``, which the own-control hash does not cover), the project's
    dates and contract amount, and how many contracts there are (R-CTR-2/4 depend on it)."""
    p = facts.project
    i, c = _own(facts, key)
    req = p.documents.get("REQ")
    return {
        "contract": c.model_dump(mode="json"),
        "contracts": [x.id for x in p.contracts],
        "amounts": [str(x.amount) for x in p.contracts],
        "payments": [x.model_dump(mode="json") for x in p.payments],
        "requirements": req.model_dump(mode="json") if req is not None else None,
    }


CONTRACT_REVIEW = register(Artifact(
    code="CTR",
    sections=SECTIONS,
    context=context,
    rules=(points_addressed, payments_add_up, departments_concluded, agrees_with_charter),
    key_values=key_values,
    depends_on=DEPENDS,
    present=lambda project: bool(project.contracts),
    instances=lambda project: [c.id for c in project.contracts],
    instance_of=("contracts", "id"),
    fingerprint=_fingerprint,
))
