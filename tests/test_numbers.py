"""Numbers as a reader checks them (issue 9 item 6): shares that add up to the 100% shown,
deviations with a real minus sign and in 工作日, one quantum for a column of 权重 × 得分."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from salespm_docs.artifacts.registry import REGISTRY, load_all
from salespm_docs.artifacts.ret import goals
from salespm_docs.build import Workspace, load_facts
from salespm_docs.figures import deviation
from salespm_docs.figures.opportunity import feasibility
from salespm_docs.figures.shares import largest_remainder

from conftest import ROOT, facts_from

load_all()

MINUS = "\u2212"
HYPHEN_BEFORE_DIGIT = re.compile(r"-(?=\d)")
#: A hyphen-minus used as a sign: before a digit, not inside a token such as HX-P2026017 or 2026-06-30.
SIGN_HYPHEN = re.compile(r"(?<![\w-])-(?=\d)")


# -- largest-remainder shares ---------------------------------------------------------------

@pytest.mark.parametrize("values", [
    [840000, 300000, 45000, 96000, 33000, 66000],  # yuanhang-srm: rounding each gives 100.1
    [1, 1, 1],                                     # 33.333… three times: rounding each gives 99.9
    [1] * 7,                                       # 14.2857… seven times: rounding each gives 100.1
    [2, 2, 2, 1],                                  # 28.571…, 14.285…
    [0, 1, 2],                                     # a zero line
    [7],                                           # a single line
    [Decimal("0.01"), Decimal("999999999999.98")],  # a line far below one tenth of a percent
    [Decimal("1.10"), Decimal("2.20"), Decimal("3.30"), Decimal("4.40")],
])
def test_shares_sum_exactly_to_100(values):
    shares = largest_remainder(values)
    assert sum(shares) == Decimal("100.0")
    assert all(s == s.quantize(Decimal("0.1")) and s.as_tuple().exponent == -1 for s in shares)
    total = sum(Decimal(v) for v in values)
    for v, s in zip(values, shares):  # every share within one tenth of its exact value
        assert abs(s - Decimal(v) * 100 / total) < Decimal("0.1")


def test_yuanhang_budget_by_hand():
    # floors 60.8 21.7 3.2 6.9 2.3 4.7 = 99.6; the 4 tenths go to the largest remainders:
    # 其他 .091, 不可预见费 .083, 人工 .069, 物料 .061 — 差旅 (.057) stays 6.9, not 7.0
    shares = largest_remainder([840000, 300000, 45000, 96000, 33000, 66000])
    assert shares == [Decimal(x) for x in ("60.9", "21.7", "3.3", "6.9", "2.4", "4.8")]


def test_ties_go_to_the_larger_value_then_the_earlier_line():
    assert largest_remainder([1, 1, 1]) == [Decimal("33.4"), Decimal("33.3"), Decimal("33.3")]
    # 142.857 tenths each: 7 × 142 = 994, so six of the seven equal lines get a tenth, the first six
    shares = largest_remainder([1] * 7)
    assert shares == [Decimal("14.3")] * 6 + [Decimal("14.2")]
    # remainders .667 beat .333, whatever the order of the lines
    assert largest_remainder([1, 2, 2, 1]) == [Decimal("16.7"), Decimal("33.3"), Decimal("33.3"), Decimal("16.7")]
    # three equal remainders (.667) for two tenths: the larger line first, then the earlier one
    assert largest_remainder([1, 1, 4]) == [Decimal("16.7"), Decimal("16.6"), Decimal("66.7")]


def test_zero_single_and_empty():
    assert largest_remainder([0, 1, 2]) == [Decimal("0.0"), Decimal("33.3"), Decimal("66.7")]
    assert largest_remainder([7]) == [Decimal("100.0")]
    assert largest_remainder([0, 0]) == [Decimal("0.0"), Decimal("0.0")]
    assert largest_remainder([]) == []
    with pytest.raises(ValueError):
        largest_remainder([5, -1])


def test_yuanhang_budget_shares_add_up_to_100():
    facts = load_facts(Workspace(ROOT), "yuanhang-srm")
    shares = [s for _, _, s in facts.budget_shares]
    assert sum(shares) == Decimal("100.0")
    assert [c for c, _, _ in facts.budget_shares] == [line.category for line in facts.project.budget.lines]
    assert dict((c, s) for c, _, s in facts.budget_shares)["差旅"] == Decimal("6.9")


def test_charter_budget_table_adds_up():
    facts = load_facts(Workspace(ROOT), "yuanhang-srm")
    lines = REGISTRY["CHT"].context(facts, None)["budget"]["lines"]
    assert sum(line["share"] for line in lines) == Decimal("100.0")


# -- deviations -----------------------------------------------------------------------------

def test_deviation_wording():
    assert deviation.workdays(-7) == f"{MINUS}7 个工作日"
    assert deviation.workdays(Decimal("-7")) == f"{MINUS}7 个工作日"
    assert deviation.workdays(3) == "3 个工作日"
    assert deviation.workdays(Decimal("-2.50")) == f"{MINUS}2.5 个工作日"
    assert deviation.workdays(0) == "0 个工作日"
    assert deviation.workdays_phrase(-7) == "提前 7 个工作日"
    assert deviation.workdays_phrase(3) == "延后 3 个工作日"
    assert deviation.workdays_phrase(0) == "按期"
    assert deviation.with_minus("-3.3%") == f"{MINUS}3.3%"
    assert deviation.with_minus("HX-P2026 2026-W27") == "HX-P2026 2026-W27"


def _schedule_goal(facts):
    return next(g for g in goals(facts) if g["metric"] == "完工偏差")


def test_ret_schedule_deviation_uses_minus_and_workdays(example_data):
    g = _schedule_goal(facts_from(example_data))
    for text in (g["actual_text"], g["target_text"]):
        assert "工作日" in text and "天" not in text
        assert not HYPHEN_BEFORE_DIGIT.search(text), text
    assert MINUS in g["actual_text"]
    assert g["actual_text"] == f"{MINUS}7 个工作日" and g["target_text"] == "≤ 0 个工作日"
    assert "提前 7 个工作日" in g["basis"]


def test_ret_late_finish_reads_later(example_data):
    late = facts_from(example_data, lambda d: d["acceptance"].update(date=dt.date(2026, 7, 3)))
    g = _schedule_goal(late)
    assert g["actual_text"] == "3 个工作日" and g["verdict"] == "未达成"
    assert "延后 3 个工作日" in g["basis"]


def test_no_hyphen_minus_sign_anywhere_in_ret(example_data):
    facts = facts_from(example_data)
    ctx = REGISTRY["RET"].context(facts, None)
    texts = [v for g in ctx["goals"] for k, v in g.items() if isinstance(v, str)]
    texts += [r["evidence"] for r in ctx["results"]]
    for text in texts:
        assert not SIGN_HYPHEN.search(text), text
    assert any("工作日" in t and MINUS in t for t in texts)


def test_ret_negative_values_use_minus(example_data):
    def under_budget(d):
        last = max((w for w in d["weekly"] if w.get("cost")), key=lambda w: w["week"])
        last["cost"]["forecast_at_completion"] = Decimal("3420000.00")

    facts = facts_from(example_data, under_budget)
    g = next(g for g in goals(facts) if g["metric"] == "成本偏差")
    assert g["actual_text"] == f"{MINUS}5%"
    evidence = {r["dimension"]: r["evidence"] for r in REGISTRY["RET"].context(facts, None)["results"]}
    assert f"{MINUS}5%" in evidence["成本"] and not SIGN_HYPHEN.search(evidence["成本"])


def test_acc_schedule_note_keeps_the_same_wording(example_data):
    from salespm_docs.artifacts.acc import _schedule_note

    assert _schedule_note(-7) == "较计划完工日期提前 7 个工作日"
    assert _schedule_note(2) == "较计划完工日期延后 2 个工作日"


# -- OPP 权重 × 得分 ----------------------------------------------------------------------------

@pytest.mark.parametrize("slug", ["huaxing-crm", "yuanhang-srm"])
def test_weighted_scores_share_one_quantum(slug):
    result = feasibility(load_facts(Workspace(ROOT), slug))
    values = [r.weighted for r in result.rows] + [result.score]
    assert {v.as_tuple().exponent for v in values} == {-2}, values
    assert sum(r.weighted for r in result.rows) == result.score


def test_weighted_score_rounds_half_up_and_the_total_is_the_rows(example_data):
    def thirds(d):
        for dim, w in zip(d["opportunity"]["dimensions"], ("33.3", "33.3", "33.4", "0")):
            dim["weight"] = w

    result = feasibility(facts_from(example_data, thirds))
    assert [r.weighted for r in result.rows] == [Decimal("1.67"), Decimal("1.00"), Decimal("1.34"), Decimal("0.00")]
    assert result.score == Decimal("4.01") == sum(r.weighted for r in result.rows)
