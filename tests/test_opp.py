"""项目机会评估报告 (OPP): the rendered report read as a person would, and R-OPP-1…6 on broken data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salespm_docs.artifacts.opp import SECTIONS
from salespm_docs.artifacts.registry import REGISTRY, load_all
from salespm_docs.build import Workspace, load_facts
from salespm_docs.check import squash
from salespm_docs.context import build_context
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.figures.opportunity import feasibility, feasibility_band, feasibility_score
from salespm_docs.render.docx import render_docx
from salespm_docs.render.pdf import PdfRenderer
from salespm_docs.rules import run_data_rules
from salespm_docs.templating import make_env

from conftest import EXAMPLE, ROOT, cli, facts_from, in_order, make_workspace, write_yaml

load_all()
OPP = REGISTRY["OPP"]
DOCX = "OPP_项目机会评估报告_V1.0.docx"
PDF = "OPP_项目机会评估报告_V1.0.pdf"

KEY_VALUES = [
    "HX-P2026017-OPP-01", "浙江华星精密制造股份有限公司",
    "人民币伍佰万元整（¥5,000,000.00）", "2026年1月5日", "2025年12月15日",
    "30% × 5 + 20% × 3 + 25% × 4 + 25% × 4 = 4.1",
    "综合可行性评分：4.1 分", "本次评分对应结论「推进」", "评估结论：推进",
    "黄志强", "林晓", "马骏", "何静",
    "尾款比例高达 70%，客户付款审批流程长，尾款回款可能延迟", "R01", "R03",
    "明确接受该缺口", "国际 SaaS CRM 厂商",
]


# -- the rendered example -----------------------------------------------------------------

@pytest.fixture(scope="module")
def texts(example_build):
    out, _ = example_build
    return docx_text(out / DOCX), pdf_text(out / PDF)[0]


def test_docx_has_every_section_in_order(texts):
    assert in_order(texts[0].text, SECTIONS)
    numbered = [h for h in texts[0].headings if "、" in h]
    assert numbered == ["一、商机概况", "二、客户与决策链", "三、技术匹配度", "四、资源缺口", "五、竞争态势",
                        "六、商务评估", "七、可行性评分", "八、关键风险提示", "九、结论与建议", "十、评估与审批"]


def test_pdf_has_every_section_in_order(texts):
    assert in_order(texts[1], SECTIONS)


def test_sections_out_of_order_are_detected():
    assert not in_order("一、商机概况 三、技术匹配度 二、客户与决策链", SECTIONS[:3])


@pytest.mark.parametrize("value", KEY_VALUES)
def test_key_values_in_docx_and_pdf(texts, value):
    assert squash(value) in squash(texts[0].text)
    assert squash(value) in squash(texts[1])


@pytest.mark.parametrize("junk", ["{{", "{%", "None", "nan", "TODO", "【待填】"])
def test_no_leftovers(texts, junk):
    assert junk not in texts[0].text
    assert junk not in texts[1]


def test_score_table_in_docx(texts):
    table = next(t for t in texts[0].tables if t[0] == ["评估维度", "权重", "得分", "权重 × 得分"])
    # one decimal policy per column (never 「1」 beside 「1.5」)
    assert table[1:] == [["技术匹配度", "30.0%", "5.0", "1.50"], ["资源缺口", "20.0%", "3.0", "0.60"],
                         ["竞争态势", "25.0%", "4.0", "1.00"], ["商务", "25.0%", "4.0", "1.00"],
                         ["合计", "100.0%", "", "4.10"]]


def test_approved_example_is_complete_and_not_draft(example_build, texts):
    _, result = example_build
    assert [f for f in result.findings if f.document == "OPP"] == []
    [doc] = [d for d in result.documents if d.instance.artifact.code == "OPP"]
    assert doc.complete
    assert "草稿" not in texts[0].text and "草稿" not in texts[1]
    assert "文档编号：HX-P2026017-OPP-01" in texts[0].header


# -- the shared figure --------------------------------------------------------------------

def test_feasibility_is_recomputed_from_weights_and_scores(example_data):
    facts = facts_from(example_data)
    result = facts.derive(feasibility)
    assert [(r.name, r.weighted) for r in result.rows] == [
        ("技术匹配度", Decimal("1.5")), ("资源缺口", Decimal("0.6")), ("竞争态势", Decimal("1")),
        ("商务", Decimal("1"))]
    assert result.weight_total == 100 and result.score == Decimal("4.1") and result.in_scale
    assert feasibility_score(facts) == Decimal("4.1") and feasibility_band(facts) == "推进"


def test_feasibility_follows_the_bands(example_data):
    def score(tech: int):
        return lambda d: d["opportunity"]["dimensions"][0].update(score=tech)
    # 技术匹配度 weighs 30%: 5 → 4.1, 2 → 3.2, 1 → 2.9
    assert feasibility_band(facts_from(example_data, score(2))) == "有条件推进"
    assert feasibility_band(facts_from(example_data, score(1))) == "放弃"


def test_high_risks_point_at_high_risks_of_the_register(example_data):
    project = facts_from(example_data).project
    register = {r.id: r for r in project.risks}
    high = [r for r in project.opportunity.risks if r.level == "高"]
    assert high and all(r.risk_id in register and register[r.risk_id].level == "高" for r in high)


# -- the rules ----------------------------------------------------------------------------

def findings(facts, rule_id=None):
    return [f for f in run_data_rules(facts, OPP, None, "OPP") if rule_id is None or f.rule == rule_id]


def opp(d):
    return d["opportunity"]


def dim(d, i):
    return opp(d)["dimensions"][i]


def test_intact_example_has_no_findings(example_data):
    assert findings(facts_from(example_data)) == []


BREAKS = {
    "R-OPP-1": lambda d: dim(d, 3).update(score="4.5"),
    "R-OPP-2": lambda d: dim(d, 0).update(weight=35),
    "R-OPP-3": lambda d: opp(d).update(conclusion="有条件推进"),
    "R-OPP-4": lambda d: dim(d, 2).pop("assessment"),
    "R-OPP-5": lambda d: opp(d)["risks"][1].pop("response"),
    "R-OPP-6": lambda d: opp(d)["gaps"][2].update(accepted=False),
}


@pytest.mark.parametrize("rule_id", sorted(BREAKS))
def test_rule_fires_on_broken_data(example_data, rule_id):
    assert rule_id in {f.rule for f in findings(facts_from(example_data, BREAKS[rule_id]))}


def test_score_must_be_an_integer_in_scale(example_data):
    [f] = findings(facts_from(example_data, lambda d: dim(d, 1).update(score=6)), "R-OPP-1")
    assert f.message == "维度「资源缺口」得分 6 无效：应为 1–5 的整数"
    assert f.location.startswith("projects/huaxing-crm/opportunity.yaml:")
    assert f.location.endswith(": opportunity.dimensions[1].score")
    [f] = findings(facts_from(example_data, BREAKS["R-OPP-1"]), "R-OPP-1")
    assert f.message == "维度「商务」得分 4.5 无效：应为 1–5 的整数"


def test_weights_must_total_100(example_data):
    [f] = findings(facts_from(example_data, BREAKS["R-OPP-2"]), "R-OPP-2")
    assert f.message == "各维度权重之和为 105%，应为 100%"


def test_conclusion_must_match_the_band(example_data):
    [f] = findings(facts_from(example_data, BREAKS["R-OPP-3"]), "R-OPP-3")
    assert f.message == ("结论「有条件推进」与可行性评分 4.1 不符："
                         "按评分区间（≥ 4 推进，3–4 有条件推进，< 3 放弃）应为「推进」")
    assert f.location.endswith(": opportunity.conclusion")


def test_a_lower_score_needs_a_lower_conclusion(example_data):
    facts = facts_from(example_data, lambda d: dim(d, 0).update(score=2))
    [f] = findings(facts, "R-OPP-3")
    assert f.message.endswith("应为「有条件推进」") and "可行性评分 3.2" in f.message


def test_score_must_lie_in_1_to_5(example_data):
    def zero(d):
        for x in opp(d)["dimensions"]:
            x["score"] = 0
        opp(d)["conclusion"] = "放弃"
    messages = [f.message for f in findings(facts_from(example_data, zero), "R-OPP-3")]
    assert messages == ["可行性评分 0（Σ 权重 × 得分）不在 1–5 之间"]


def test_conclusion_is_required(example_data):
    [f] = findings(facts_from(example_data, lambda d: opp(d).pop("conclusion")), "R-OPP-3")
    assert f.message == "缺少结论（conclusion）：可行性评分 4.1 按评分区间应为「推进」"


def test_every_dimension_needs_a_written_assessment(example_data):
    [f] = findings(facts_from(example_data, BREAKS["R-OPP-4"]), "R-OPP-4")
    assert f.message == "维度「竞争态势」只有分数，缺少书面评估（assessment）"
    [f] = findings(facts_from(example_data, lambda d: dim(d, 3).update(assessment="4分")), "R-OPP-4")
    assert f.message == "维度「商务」的书面评估「4分」只是一个分数，应写明评估理由"


def test_every_dimension_must_be_assessed(example_data):
    def drop(d):
        del opp(d)["dimensions"][2]
        dim(d, 0)["weight"] = 55
    facts = facts_from(example_data, drop)
    assert [f.message for f in findings(facts, "R-OPP-4")] == ["缺少维度「竞争态势」的得分与书面评估"]
    assert findings(facts, "R-OPP-2") == []


def test_key_risks_need_level_and_response(example_data):
    [f] = findings(facts_from(example_data, BREAKS["R-OPP-5"]), "R-OPP-5")
    assert f.message == "关键风险「尾款比例高达 70%，客户付款审批流程长，尾款回款可能延迟」缺少应对（response）"
    [f] = findings(facts_from(example_data, lambda d: opp(d)["risks"][0].pop("level")), "R-OPP-5")
    assert "缺少等级（level：高 / 中 / 低）" in f.message
    [f] = findings(facts_from(example_data, lambda d: opp(d).update(risks=[])), "R-OPP-5")
    assert f.message == "至少需要一项关键风险提示（opportunity.risks）"


def test_gap_needs_a_plan_or_explicit_acceptance(example_data):
    [f] = findings(facts_from(example_data, BREAKS["R-OPP-6"]), "R-OPP-6")
    assert f.message == "资源缺口「培训师」既无补足方案（plan），也未明确接受（accepted: true）"
    assert f.location.endswith(": opportunity.gaps[2]")
    assert findings(facts_from(example_data, lambda d: opp(d)["gaps"][0].pop("plan")), "R-OPP-6")


def test_people_in_the_assessment_are_on_the_roster(example_data):
    facts = facts_from(example_data, lambda d: opp(d)["gaps"][0].update(owner="路人甲"))
    [f] = findings(facts, "R-COM-4")
    assert f.location.endswith(": opportunity.gaps[0].owner")


# -- configured bands ---------------------------------------------------------------------

@pytest.mark.slow
def test_changing_the_configured_band_changes_the_verdict(tmp_path):
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    facts = load_facts(Workspace(root), EXAMPLE)
    assert findings(facts, "R-OPP-3") == []
    write_yaml(root / "projects" / EXAMPLE / "config.yaml", {"feasibility": {"proceed_min": 4.5}})
    facts = load_facts(Workspace(root), EXAMPLE)
    assert feasibility_band(facts) == "有条件推进"
    [f] = findings(facts, "R-OPP-3")
    assert f.message == ("结论「推进」与可行性评分 4.1 不符："
                         "按评分区间（≥ 4.5 推进，3–4.5 有条件推进，< 3 放弃）应为「有条件推进」")
    result = cli(root, "check", EXAMPLE, "--only", "OPP")
    assert result.exit_code == 1
    assert any(line.startswith("[R-OPP-3] E 错误 OPP projects/huaxing-crm/opportunity.yaml:")
               for line in result.stdout.splitlines())


# -- optional lists left empty ------------------------------------------------------------

def test_sparse_assessment_renders_without_blanks(example_data, tmp_path):
    def sparse(d):
        o = opp(d)
        for k in ("gaps", "competitors", "decision_chain", "needs", "next_steps", "assessors"):
            o.pop(k)
        for x in o["dimensions"]:
            x.pop("basis", None)
    facts = facts_from(example_data, sparse)
    context = build_context(facts, OPP, None, True)
    target = tmp_path / "OPP.docx"
    render_docx(ROOT / "templates" / "docx" / "OPP.docx", context, make_env(), target, {}, dt.datetime(2026, 1, 1))
    html = PdfRenderer(ROOT / "templates").html("OPP.html", context)
    docx = docx_text(target)
    for text in (docx.text, html):
        assert "未识别资源缺口" in text and "尚未摸清客户决策链" in text and "评估小组：—" in text
        assert "None" not in text and "评分依据" not in text
    assert all(len(t) >= 2 for t in docx.tables)
