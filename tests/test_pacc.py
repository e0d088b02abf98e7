"""PACC 阶段性验收报告: the UAT phase acceptance of huaxing-crm as the client signs it (the phase's
deliverables from the WBS, those due after the acceptance out of scope, tests, open items, both
parties' signatures, no internal figures), and R-PACC-1…2 on broken data with exact messages and
locations."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from salespm_docs.artifacts import acc
from salespm_docs.artifacts.pacc import SECTIONS, context, phase_deliverables
from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLE, ROOT, facts_from, in_order

load_all()
PACC = REGISTRY["PACC"]
FILE = "projects/huaxing-crm/phase_acceptances.yaml"


def findings(facts, rule_id: str | None = None, key: str = "4") -> list:
    return [f for f in run_data_rules(facts, PACC, key, f"PACC {key}") if rule_id is None or f.rule == rule_id]


def uat(data: dict) -> dict:
    return data["phase_acceptances"][0]


def located(finding, path: str) -> bool:
    return bool(re.fullmatch(rf"{re.escape(FILE)}:\d+: {re.escape(path)}", finding.location))


# -- the rendered example ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pacc")
    ws = Workspace(ROOT)
    facts = load_facts(ws, EXAMPLE)
    result = Renderer(ws).render(facts, Instance(PACC, "4"), folder)
    files = {f.format: f.path for f in result.files}
    return facts, result, docx_text(files["docx"]), pdf_text(files["pdf"])[0]


def test_sections_title_and_no_finding(rendered):
    facts, result, docx, pdf = rendered
    assert result.findings == []
    for text in (docx.text, pdf):
        assert in_order(text, SECTIONS)
        assert "阶段性验收报告（UAT 阶段验收）" in text
        assert "None" not in text
    assert PACC.instances(load_facts(Workspace(ROOT), "yuanhang-srm").project) == []


def test_the_phase_deliverables_and_their_results(rendered):
    """Phase 4 交付实施: D3–D7 by the WBS; D3, D4 due on the acceptance date are judged, D5–D7 are
    planned after it and listed as out of this acceptance's scope."""
    _, _, docx, pdf = rendered
    results = next(t for t in docx.tables if t and t[0][:3] == ["编号", "交付物", "验收结果"])
    assert [(r[0], r[2]) for r in results[1:]] == [("D3", "通过"), ("D4", "通过"), ("D5", "不在本次验收范围"),
                                                   ("D6", "不在本次验收范围"), ("D7", "不在本次验收范围")]
    assert results[3][3] == "计划于2026年5月8日完成，晚于本次验收日期，在后续验收中验收"
    listing = next(t for t in docx.tables if t and t[0][:3] == ["编号", "交付物", "验收标准"])
    assert [r[3:] for r in listing[1:3]] == [["2026-04-24", "2026-04-24"], ["2026-04-24", "2026-04-24"]]
    flat = squash(pdf)
    for sentence in ("纳入本次验收的交付物 2 项：通过 2 项，有条件通过 0 项，不通过 0 项。",
                     "计划完成日期不晚于验收日期的 2 项纳入本次验收，D5「ERP 集成接口」、D6「历史数据迁移」、"
                     "D7「系统上线」计划在验收日期之后完成",
                     "阶段计划周期2026年3月9日 至 2026年5月29日",
                     "验收组意见：纳入本次验收的交付物 2 项，通过 2 项、有条件通过 0 项、不通过 0 项；遗留问题 2 项。"):
        assert squash(sentence) in flat


def test_tests_open_items_participants_and_signatures(rendered):
    _, _, docx, pdf = rendered
    tests = next(t for t in docx.tables if t and t[0][0] == "测试 / 检查项")
    assert len(tests) - 1 == 4 and tests[3][0] == "UAT 第二轮用例执行" and tests[3][3].startswith("执行用例 312 条，全部通过")
    items = next(t for t in docx.tables if t and t[0][0] == "相关交付物")
    assert [(r[2], r[3]) for r in items[1:]] == [("赵敏", "2026-05-08"), ("孙磊", "2026-05-08")]
    info = {r[0]: r[1] for r in next(t for t in docx.tables if t and t[0][0] == "项目名称")}
    assert info["参加人员（甲方）"] == "黄志强（信息化总监）、林晓（销售管理部经理）、马骏（IT 主管）"
    assert info["验收阶段"] == "4 交付实施（工作分解结构第一层）"
    parties = next(t for t in docx.tables if t and t[0][1:] == ["甲方", "乙方"])
    assert parties[2][1:] == ["林晓", "张伟"] and parties[3][1:] == ["2026年4月24日", "2026年4月24日"]
    flat = squash(pdf)
    assert squash("以上 2 项遗留问题由整改责任人在各自的整改期限内完成（最迟于2026年5月8日），经甲方复核确认后关闭。") in flat
    assert squash("甲方（盖章）") in flat and squash("乙方（盖章）") in flat


def test_no_internal_figures(rendered):
    """Client-facing: no budget, cost or forecast (R-COM-8 found nothing; none of them is shown)."""
    facts, result, docx, pdf = rendered
    assert PACC.audience_for(facts.settings) == "client"
    assert not [f for f in result.findings if f.rule == "R-COM-8"]
    for text in (docx.text, pdf):
        assert "¥" not in text and "预算" not in text and "成本" not in text


def test_weekly_reports_and_issues_tell_the_same_story(example_data):
    """W17 reports UAT passed on 4月24日 (M4); the first round's 二级缺陷 are issue I04, closed 4月22日."""
    facts = facts_from(example_data)
    w17 = next(w for w in facts.project.weekly if w.week == "2026-W17")
    assert any("4月24日客户签署 UAT 报告" in d for d in w17.done)
    i04 = next(i for i in facts.project.issues if i.id == "I04")
    assert i04.resolved == dt.date(2026, 4, 22)
    pa = facts.project.phase_acceptances[0]
    assert pa.date == next(m.date for m in facts.project.milestones if m.id == "M4")
    assert [d.id for d in phase_deliverables(facts, "4")] == ["D3", "D4", "D5", "D6", "D7"]


# -- rules on broken data ----------------------------------------------------------------------

def test_intact_example_has_no_finding(example_data):
    assert findings(facts_from(example_data)) == []


def test_r_pacc_1_a_deliverable_due_in_the_phase_without_result(example_data):
    found = findings(facts_from(example_data, lambda d: uat(d)["results"].pop(1)), "R-PACC-1")
    assert [f.message for f in found] == [
        "交付物 D4「报价审批定制功能」计划于 2026-04-24 完成，属于阶段 4「交付实施」且不晚于验收日期 2026-04-24，"
        "但没有验收结果（results）"]
    assert located(found[0], "phase_acceptances[0].results")


def test_r_pacc_1_a_later_acceptance_date_brings_later_deliverables_in(example_data):
    """Accepted on 2026-05-08 instead, D5 and D6 (due that day) are in scope and need results."""
    def mutate(d):
        pa = uat(d)
        pa["date"] = dt.date(2026, 5, 8)
        for side in ("client", "vendor"):
            pa[side]["date"] = dt.date(2026, 5, 8)
        for item in pa["open_items"]:
            item["due"] = dt.date(2026, 5, 15)
    found = findings(facts_from(example_data, mutate), "R-PACC-1")
    assert [f.message for f in found] == [
        "交付物 D5「ERP 集成接口」计划于 2026-05-08 完成，属于阶段 4「交付实施」且不晚于验收日期 2026-05-08，但没有验收结果（results）",
        "交付物 D6「历史数据迁移」计划于 2026-05-08 完成，属于阶段 4「交付实施」且不晚于验收日期 2026-05-08，但没有验收结果（results）",
    ]


def test_r_pacc_1_results_outside_the_phase_twice_or_not_yet_completed(example_data):
    def mutate(d):
        results = uat(d)["results"]
        results.append({"deliverable": "D1", "result": "通过", "completed": dt.date(2026, 2, 6)})
        results.append({"deliverable": "D99", "result": "通过"})
        results.append({"deliverable": "D3", "result": "通过"})
        results[1]["completed"] = dt.date(2026, 4, 27)
    found = findings(facts_from(example_data, mutate), "R-PACC-1")
    assert [f.message for f in found] == [
        "交付物 D4 的完成日期 2026-04-27 晚于验收日期 2026-04-24：不能验收尚未完成的交付物",
        "交付物 D1 不属于阶段 4「交付实施」（本阶段的交付物：D3、D4、D5、D6、D7）",
        "验收结果引用了项目章程中不存在的交付物 D99",
        "交付物 D3 的验收结果重复出现",
    ]
    assert located(found[0], "phase_acceptances[0].results[1].completed")
    assert located(found[1], "phase_acceptances[0].results[2].deliverable")


@pytest.mark.parametrize("phase, says", [
    ("9", "阶段 9 不是工作分解结构的第一层元素（wbs 中没有编码为 9 的元素）"),
    ("1", "阶段 1「项目管理」下没有引用项目章程交付物的工作（wbs[].deliverable），无法确定本阶段的交付物"),
])
def test_r_pacc_1_a_phase_that_is_not_one(example_data, phase, says):
    found = findings(facts_from(example_data, lambda d: uat(d).update(phase=phase)), "R-PACC-1", key=phase)
    assert found[0].message == says
    assert located(found[0], "phase_acceptances[0].phase")


def test_r_pacc_2_open_items_without_owner_or_due(example_data):
    def mutate(d):
        items = uat(d)["open_items"]
        items[0].pop("owner")
        items[1].pop("owner")
        items[1].pop("due")
        items.append({"description": "移动端审批页面在弱网环境下加载时间超过 3 秒", "owner": "孙磊",
                      "due": dt.date(2026, 4, 20)})
    found = findings(facts_from(example_data, mutate), "R-PACC-2")
    assert [f.message for f in found] == [
        "交付物 D3「CRM 系统（配置版）」的遗留问题缺少整改责任人（owner）",
        "交付物 D4「报价审批定制功能」的遗留问题缺少整改责任人（owner）、整改期限（due）",
        "遗留问题「移动端审批页面在弱网环境下加载时间超过…」整改期限 2026-04-20 早于验收日期 2026-04-24：整改期限应在验收之后",
    ]
    assert located(found[0], "phase_acceptances[0].open_items[0]")
    assert located(found[2], "phase_acceptances[0].open_items[2].due")


def test_r_pacc_2_a_conditional_pass_needs_an_open_item(example_data):
    def mutate(d):
        pa = uat(d)
        pa["results"][1]["result"] = "有条件通过"
        pa["open_items"].pop(1)
    facts = facts_from(example_data, mutate)
    found = findings(facts, "R-PACC-2")
    assert [f.message for f in found] == [
        "交付物 D4 验收结果为「有条件通过」，但没有对应的遗留问题（open_items 中 deliverable: D4）"]
    assert located(found[0], "phase_acceptances[0].results[1].result")
    assert context(facts, "4")["follow_up"] == (
        "以上遗留问题由整改责任人赵敏于2026年5月8日前完成整改，经甲方复核确认后关闭。"
        "交付物 D4 的验收结果为有条件通过或不通过，尚未登记对应的遗留问题。")


# -- shared with ACC, declared reads -------------------------------------------------------------

def test_acc_follow_up_unchanged_by_the_shared_helper(example_data):
    facts = facts_from(example_data)
    assert acc._follow_up(facts) == "以上遗留问题由整改责任人赵敏于2026年7月3日前完成整改，经甲方复核确认后关闭。"
    assert acc._person(facts, "黄志强") == "黄志强（信息化总监）"


def test_declared_reads_are_exact():
    from test_declared_reads import check_declarations

    assert check_declarations(PACC, [(load_facts(Workspace(ROOT), EXAMPLE), "4")]) == []
