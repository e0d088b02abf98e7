"""CTR 合同评审表: one per contract, as a reviewer reads it (amounts ¥ and 大写, the ten 评审要点, the
four departments, the signing block), and the rules R-CTR-1…4 on broken data with their exact
messages and locations (payment terms adding up to 99%, a 大写 that disagrees with its 小写 …)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from salespm_docs.artifacts.ctr import SECTIONS, _fingerprint, context
from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.model.execution import REVIEW_POINTS
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLES, ROOT, facts_from, in_order

load_all()
CTR = REGISTRY["CTR"]
HUAXING = "HX-XS-2026-017"
YUANHANG = "HX-XS-2026-042"
KEYS = {"huaxing-crm": HUAXING, "yuanhang-srm": YUANHANG}
FILE = "projects/huaxing-crm/contracts.yaml"


def findings(facts, rule_id: str | None = None, key: str = HUAXING) -> list:
    return [f for f in run_data_rules(facts, CTR, key, f"CTR {key}") if rule_id is None or f.rule == rule_id]


def messages(facts, rule_id: str) -> list[str]:
    return [f.message for f in findings(facts, rule_id)]


def contract(data: dict) -> dict:
    return data["contracts"][0]


def at(finding, path: str) -> bool:
    """The finding is located at ``path`` in the contracts file (``file:line: path``)."""
    return bool(re.fullmatch(rf"{re.escape(FILE)}:\d+: {re.escape(path)}", finding.location)), finding.location


# -- the rendered examples -------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("ctr")
    ws = Workspace(ROOT)
    out = {}
    for slug in EXAMPLES:
        facts = load_facts(ws, slug)
        (base / slug).mkdir()
        result = Renderer(ws).render(facts, Instance(CTR, KEYS[slug]), base / slug)
        files = {f.format: f.path for f in result.files}
        out[slug] = (facts, result, docx_text(files["docx"]), pdf_text(files["pdf"])[0])
    return out


@pytest.mark.parametrize("slug", EXAMPLES)
def test_sections_points_and_departments_in_order(rendered, slug):
    _, result, docx, pdf = rendered[slug]
    assert result.findings == []
    for text in (docx.text, pdf):
        assert in_order(text, SECTIONS)
        assert in_order(text, REVIEW_POINTS)
        assert in_order(text, ("销售", "技术/交付", "财务", "法务", "甲方（盖章）", "乙方（盖章）"))
        assert "None" not in text


@pytest.mark.parametrize("slug, small, upper, terms", [
    ("huaxing-crm", "¥4,800,000.00", "人民币肆佰捌拾万元整", ("¥1,440,000.00", "¥3,360,000.00")),
    ("yuanhang-srm", "¥1,860,000.00", "人民币壹佰捌拾陆万元整", ("¥558,000.00", "¥1,302,000.00")),
])
def test_amount_in_figures_and_words_and_the_payment_terms(rendered, slug, small, upper, terms):
    _, _, docx, pdf = rendered[slug]
    info = next(t for t in docx.tables if t and t[0][0] == "合同编号")
    rows = {r[0]: r[1] for r in info}
    assert rows["合同编号"] == KEYS[slug]
    assert rows["合同金额（小写）"] == small and rows["合同金额（大写）"] == upper
    assert rows["合同文本大写核对"] == "合同文本所写大写与小写金额一致"
    pay = next(t for t in docx.tables if t and t[0][0] == "期次")
    assert [r[3] for r in pay[1:]] == [*terms, small]
    assert [r[2] for r in pay[1:]] == ["30%", "70%", "100%"]
    assert [r[-1] for r in pay[1:3]] == ["一致", "一致"]
    flat = squash(pdf)
    for value in (small, upper, *terms):
        assert squash(value) in flat
    assert squash(f"付款节点比例合计 100%，金额合计 {small}，等于合同金额；与回款计划各期的期次、比例与金额一致。") in flat


def test_the_huaxing_review_as_written(rendered):
    _, _, docx, pdf = rendered["huaxing-crm"]
    reviews = next(t for t in docx.tables if t and t[0][0] == "部门")
    assert [r[:3] for r in reviews[1:]] == [["销售", "李娜（销售负责人）", "通过"],
                                            ["技术/交付", "陈刚（技术负责人）", "修改后通过"],
                                            ["财务", "钱雅琴（财务经理）", "通过"],
                                            ["法务", "邵文博（法务经理）", "修改后通过"]]
    points = next(t for t in docx.tables if t and t[0][:2] == ["序号", "评审要点"])
    assert [r[1] for r in points[1:]] == list(REVIEW_POINTS)
    flat = squash(pdf)
    assert squash("合同期限2026年1月5日 至 2026年12月31日（项目计划周期 2026年1月5日 至 2026年6月30日，在合同期限内）") in flat
    assert squash("V1.0（HX-P2026017-REQ-01）") in flat
    assert squash("各部门评审结论：销售：通过；技术/交付：修改后通过；财务：通过；法务：修改后通过。") in flat
    parties = next(t for t in docx.tables if t and t[0][1:] == ["甲方", "乙方"])
    assert parties[1][1:] == ["浙江华星精密制造股份有限公司", "杭州华信数智科技有限公司"]
    assert parties[2][1:] == ["黄志强", "王建国"] and parties[3][1:] == ["2026年1月9日", "2026年1月9日"]


def test_examples_agree_with_pay_and_the_charter():
    """The example contracts hold exactly the figures of payments.yaml and project.contract_amount."""
    for slug, key in KEYS.items():
        p = load_facts(Workspace(ROOT), slug).project
        [c] = p.contracts
        assert c.id == key and c.amount == p.project.contract_amount
        assert [(t.no, t.ratio, t.amount) for t in c.payment_terms] == [(i.no, i.ratio, i.amount) for i in p.payments]


# -- rules on broken data ------------------------------------------------------------------------

def test_intact_examples_have_no_finding(example_data):
    assert findings(facts_from(example_data)) == []
    assert findings(load_facts(Workspace(ROOT), "yuanhang-srm"), key=YUANHANG) == []


def test_r_ctr_1_a_missing_point_and_an_unaddressed_one(example_data):
    def mutate(d):
        points = contract(d)["review_points"]
        points[:] = [p for p in points if p["topic"] != "保密"]
        points[3]["terms"] = None
        points[4].pop("opinion")
    found = findings(facts_from(example_data, mutate), "R-CTR-1")
    assert [f.message for f in found] == [
        f"合同 {HUAXING} 的评审要点缺少「保密」（review_points，共 10 项）",
        "评审要点「发票」没有写明合同约定（terms：条款号与要点）",
        "评审要点「违约责任」没有评审意见（opinion）",
    ]
    assert at(found[0], "contracts[0].review_points")[0]
    assert at(found[1], "contracts[0].review_points[3]")[0]


def test_payment_milestones_adding_up_to_99_percent(example_data):
    """The bad input of the issue: the 尾款 written as 69% (¥3,312,000.00): the terms add up to 99%
    and ¥4,752,000.00, and no longer agree with the 回款计划."""
    def mutate(d):
        contract(d)["payment_terms"][1].update(ratio=69, amount=Decimal("3312000.00"))
    found = findings(facts_from(example_data, mutate), "R-CTR-2")
    assert [f.message for f in found] == [
        "付款节点比例之和为 99%，应为 100%（相差 1%）",
        "付款节点金额之和为 ¥4,752,000.00，与合同金额 ¥4,800,000.00 不符（相差 ¥48,000.00）",
        "合同第 2 期「最终验收（尾款）」与回款计划（payments）第 2 期不一致："
        "比例 69% ≠ 回款计划 70%；金额 ¥3,312,000.00 ≠ 回款计划 ¥3,360,000.00",
    ]
    assert at(found[0], "contracts[0].payment_terms")[0] and at(found[1], "contracts[0].payment_terms")[0]
    assert at(found[2], "contracts[0].payment_terms[1]")[0]


def test_r_ctr_2_term_amount_against_ratio_and_periods_against_pay(example_data):
    def mutate(d):
        terms = contract(d)["payment_terms"]
        terms[0]["amount"] = Decimal("1440000.01")
        terms[1]["amount"] = Decimal("3359999.99")
        terms[1]["no"] = 3
    found = findings(facts_from(example_data, mutate), "R-CTR-2")
    assert [f.message for f in found] == [
        "第 1 期付款金额 ¥1,440,000.01 不等于合同金额 × 比例 30% = ¥1,440,000.00",
        "第 3 期付款金额 ¥3,359,999.99 不等于合同金额 × 比例 70% = ¥3,360,000.00",
        "合同第 1 期「合同签订（预付款）」与回款计划（payments）第 1 期不一致：金额 ¥1,440,000.01 ≠ 回款计划 ¥1,440,000.00",
        "合同第 3 期「最终验收（尾款）」在回款计划（payments）中没有同一期次",
        f"回款计划第 2 期「最终验收（尾款）」在合同 {HUAXING} 的付款节点（payment_terms）中没有同一期次",
    ]
    assert at(found[0], "contracts[0].payment_terms[0].amount")[0]
    assert at(found[3], "contracts[0].payment_terms[1].no")[0]
    assert re.fullmatch(r"projects/huaxing-crm/payments\.yaml:\d+: payments\[1\]\.no", found[4].location)


def test_r_ctr_2_no_terms(example_data):
    found = findings(facts_from(example_data, lambda d: contract(d).update(payment_terms=[])), "R-CTR-2")
    assert [f.message for f in found] == [f"合同 {HUAXING} 没有付款节点（payment_terms）"]


def test_r_ctr_3_departments(example_data):
    def mutate(d):
        reviews = contract(d)["reviews"]
        reviews[:] = [r for r in reviews if r["department"] != "财务"]
        reviews[1].pop("conclusion")
        reviews[2].update(conclusion="不通过", date="2026-01-10")
    found = findings(facts_from(example_data, mutate), "R-CTR-3")
    assert [f.message for f in found] == [
        "技术/交付部门的评审意见缺少结论（conclusion：通过 / 修改后通过 / 不通过）",
        "缺少财务部门的评审意见（reviews 中 department: 财务）",
        "法务部门的评审结论为不通过，合同评审表不能为已批准：修改合同后重新评审，或将状态改为评审中",
        "法务部门的评审日期 2026-01-10 晚于合同签订日期 2026-01-09：合同评审应在签订之前完成",
    ]
    assert at(found[0], "contracts[0].reviews[1]")[0]
    assert at(found[1], "contracts[0].reviews")[0]
    assert at(found[2], "contracts[0].reviews[2].conclusion")[0]
    assert at(found[3], "contracts[0].reviews[2].date")[0]


def test_r_ctr_3_a_rejection_is_fine_while_the_form_is_under_review(example_data):
    def mutate(d):
        c = contract(d)
        c["reviews"][3]["conclusion"] = "不通过"
        c["document"]["status"] = "评审中"
    assert messages(facts_from(example_data, mutate), "R-CTR-3") == []


def test_a_contract_amount_whose_words_disagree_with_its_figures(example_data):
    """The bad input of the issue: 大写 人民币肆佰伍拾万元整 under 小写 ¥4,800,000.00."""
    facts = facts_from(example_data, lambda d: contract(d).update(amount_in_words="人民币肆佰伍拾万元整"))
    found = findings(facts, "R-CTR-4")
    assert [f.message for f in found] == [
        "合同金额大写「人民币肆佰伍拾万元整」为 ¥4,500,000.00，与小写 ¥4,800,000.00 不符（应为「人民币肆佰捌拾万元整」）"]
    assert at(found[0], "contracts[0].amount_in_words")[0]
    shown = context(facts, HUAXING)["contract"]
    assert shown["amount_upper"] == "人民币肆佰捌拾万元整"
    assert shown["words_note"] == ("合同文本所写大写「人民币肆佰伍拾万元整」为 ¥4,500,000.00，与小写金额不符："
                                   "须按上栏更正后签订")


@pytest.mark.parametrize("written, says", [
    ("人民币肆佰捌拾万元", "合同金额的大写：大写金额「人民币肆佰捌拾万元」在「元」后缺少「整」（或「正」），应为「人民币肆佰捌拾万元整」"),
    ("人民币四百八十万元整", "合同金额的大写：大写金额「人民币四百八十万元整」含不允许的字「四」（应使用壹贰叁…、不得用两/毛/另）"),
])
def test_r_ctr_4_words_that_do_not_read(example_data, written, says):
    facts = facts_from(example_data, lambda d: contract(d).update(amount_in_words=written))
    found = findings(facts, "R-CTR-4")
    assert [f.message for f in found] == [says]
    assert at(found[0], "contracts[0].amount_in_words")[0]


def test_r_ctr_4_words_in_traditional_forms_are_accepted(example_data):
    facts = facts_from(example_data, lambda d: contract(d).update(amount_in_words="人民币肆佰捌拾萬圆正"))
    assert messages(facts, "R-CTR-4") == []


def test_r_ctr_4_amount_against_the_charter(example_data):
    facts = facts_from(example_data, lambda d: d["project"].update(contract_amount=Decimal("4900000.00")))
    found = findings(facts, "R-CTR-4")
    assert [f.message for f in found] == [
        "合同金额 ¥4,800,000.00 与项目章程的合同金额（project.contract_amount）¥4,900,000.00 不符（相差 ¥100,000.00）"]
    assert at(found[0], "contracts[0].amount")[0]


def test_r_ctr_4_term_and_requirements_version(example_data):
    def mutate(d):
        c = contract(d)
        c.update(start="2026-01-09", end="2026-06-29", requirements_version="V2.0")
    found = findings(facts_from(example_data, mutate), "R-CTR-4")
    assert [f.message for f in found] == [
        "合同期限开始 2026-01-09 晚于项目开始日期 2026-01-05（project.start）：项目工作应在合同期限内进行",
        "合同期限结束 2026-06-29 早于项目结束日期 2026-06-30（project.end）：项目工作应在合同期限内完成",
        "交付标准引用的需求说明书 V2.0 不在需求说明书的修订记录中（documents.REQ.revisions：V0.1、V0.5、V0.9、V1.0、V1.1）",
        "交付内容与标准中写的需求说明书版本 V1.0 与 requirements_version V2.0 不一致",
    ]
    assert at(found[0], "contracts[0].start")[0] and at(found[1], "contracts[0].end")[0]
    assert at(found[2], "contracts[0].requirements_version")[0] and at(found[3], "contracts[0].delivery")[0]


def test_r_ctr_4_missing_term_delivery_and_version(example_data):
    def mutate(d):
        c = contract(d)
        for k in ("start", "delivery", "requirements_version"):
            c.pop(k)
    found = findings(facts_from(example_data, mutate), "R-CTR-4")
    assert [f.message for f in found] == ["合同期限缺少开始（start）", "缺少交付内容与标准（delivery）",
                                          "缺少交付标准所依据的需求说明书版本（requirements_version）"]
    assert all(at(f, "contracts[0]")[0] for f in found)


def test_a_review_form_that_is_not_approved_is_a_draft_without_findings(example_data):
    facts = facts_from(example_data, lambda d: contract(d)["document"].update(status="评审中"))
    assert findings(facts) == []


# -- what the document is made from ----------------------------------------------------------------

def test_fingerprint_follows_the_requirements_revisions(example_data):
    """R-CTR-4 reads REQ's 修订记录, which the own-control hash does not cover: the hook does."""
    before = _fingerprint(facts_from(example_data), HUAXING)
    after = _fingerprint(facts_from(example_data, lambda d: d["documents"]["REQ"]["revisions"].pop()), HUAXING)
    assert before != after


def test_declared_reads_are_exact():
    from test_declared_reads import check_declarations

    ws = Workspace(ROOT)
    runs = [(load_facts(ws, slug), key) for slug, key in KEYS.items()]
    assert check_declarations(CTR, runs) == []


def test_the_rendered_form_with_wrong_words_says_so_once(example_data, tmp_path):
    """Rendered, the wrong 大写 is the one located R-CTR-4 finding (R-COM-5 on the text finds the
    generated 大写 beside the ¥ figure right, and the typed one is quoted, not paired with a figure);
    the form is a draft."""
    facts = facts_from(example_data, lambda d: contract(d).update(amount_in_words="人民币肆佰伍拾万元整"))
    result = Renderer(Workspace(ROOT)).render(facts, Instance(CTR, HUAXING), tmp_path)
    assert [(f.rule, f.message) for f in result.findings] == [
        ("R-CTR-4", "合同金额大写「人民币肆佰伍拾万元整」为 ¥4,500,000.00，与小写 ¥4,800,000.00 不符（应为「人民币肆佰捌拾万元整」）")]
    files = {f.format: f.path for f in result.files}
    flat = squash(pdf_text(files["pdf"])[0])
    assert squash("合同文本所写大写「人民币肆佰伍拾万元整」为 ¥4,500,000.00，与小写金额不符：须按上栏更正后签订") in flat
    assert "草稿" in flat
