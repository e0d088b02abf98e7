"""R-COM-1…4 and R-CHT-1…6: each rule fires on data broken for it, and never on the intact example."""

from __future__ import annotations

import datetime as dt

import pytest

from salespm_docs.artifacts.registry import REGISTRY, load_all
from salespm_docs.rules import run_data_rules

from conftest import facts_from

load_all()
CHT = REGISTRY["CHT"]


def ids(facts) -> set[str]:
    return {f.rule for f in run_data_rules(facts, CHT, None, "CHT")}


def findings(facts, rule_id):
    return [f for f in run_data_rules(facts, CHT, None, "CHT") if f.rule == rule_id]


def test_intact_example_has_no_findings(example_data):
    assert run_data_rules(facts_from(example_data), CHT, None, "CHT") == []


def cht(d):
    return d["documents"]["CHT"]


BREAKS = {
    "R-COM-1": lambda d: cht(d).pop("classification"),
    "R-COM-2": lambda d: cht(d).update(version="V1.1"),
    "R-COM-3": lambda d: cht(d)["approved"].update(name="张伟"),
    "R-COM-4": lambda d: d["deliverables"][0].update(owner="路人甲"),
    "R-CHT-1": lambda d: d["success_criteria"][0].pop("operator"),
    "R-CHT-2": lambda d: d["deliverables"][1].pop("acceptance_criteria"),
    "R-CHT-3": lambda d: d["milestones"][2].update(date=dt.date(2026, 7, 15)),
    "R-CHT-4": lambda d: d["organisation"].pop("manager_authority"),
    "R-CHT-5": lambda d: d["initiation"]["budget"].update(total="3500000.00"),
    "R-CHT-6": lambda d: [c.update(key_decision_maker=False) for c in d["client"]["contacts"]],
}


@pytest.mark.parametrize("rule_id", sorted(BREAKS))
def test_rule_fires_on_broken_data(example_data, rule_id):
    assert rule_id in ids(facts_from(example_data, BREAKS[rule_id]))


def test_finding_points_at_file_line_and_key(example_data):
    [f] = findings(facts_from(example_data, BREAKS["R-CHT-2"]), "R-CHT-2")
    assert f.location.startswith("projects/huaxing-crm/project.yaml:")
    assert f.location.endswith(": deliverables[1]")
    assert f.message == "交付物「解决方案设计书」缺少验收标准（acceptance_criteria）"
    assert f.severity == "E"


def test_budget_must_equal_its_lines(example_data):
    facts = facts_from(example_data, lambda d: d["budget"].update(total="3600000.01"))
    [f] = findings(facts, "R-CHT-5")
    assert f.message == "预算总额 ¥3,600,000.01 不等于各分项之和 ¥3,600,000.00（资源分配表合计）"


def test_versions_must_increase_and_dates_not_go_back(example_data):
    def swap(d):
        revs = cht(d)["revisions"]
        revs[1]["version"], revs[1]["date"] = "V0.1", dt.date(2026, 1, 1)
    messages = [f.message for f in findings(facts_from(example_data, swap), "R-COM-2")]
    assert "版本号必须递增：V0.1 之后是 V0.1" in messages
    assert "修订日期不能倒退：2026-01-06 之后是 2026-01-01" in messages


def test_signoff_dates_in_order(example_data):
    facts = facts_from(example_data, lambda d: cht(d)["reviewed"].update(date=dt.date(2026, 1, 5)))
    [f] = findings(facts, "R-COM-3")
    assert f.message == "审核日期 2026-01-05 早于编制日期 2026-01-07"


def test_classification_follows_configured_list(example_data):
    facts = facts_from(example_data, lambda d: cht(d).update(classification="绝密"))
    assert any("密级「绝密」不在允许列表中" in f.message for f in findings(facts, "R-COM-1"))


def test_milestone_referencing_unknown_deliverable(example_data):
    facts = facts_from(example_data, lambda d: d["milestones"][1]["deliverables"].append("D99"))
    assert any("引用了不存在的交付物 D99" in f.message for f in findings(facts, "R-CHT-3"))


def test_sponsor_must_sign(example_data):
    facts = facts_from(example_data, lambda d: cht(d)["approved"].update(name="郑华"))
    assert any("项目发起人 王建国 须在项目章程上签字" in f.message for f in findings(facts, "R-CHT-6"))
