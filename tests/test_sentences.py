"""Issue 10 — sentences must follow from the data: every claim a document makes in words (无逾期,
足额, 达成, 按期, 超支 / 节余 …) is computed, and data that makes it false changes the sentence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from salespm_docs.artifacts import opp, ret, week
from salespm_docs.artifacts.registry import REGISTRY, load_all
from salespm_docs.check import squash
from salespm_docs.figures import outcomes, progress
from salespm_docs.rules import run_data_rules

from conftest import facts_from

load_all()
LAST_WEEK = "2026-W27"


def evidence(facts, dimension: str) -> str:
    rows = ret.context(facts, None)["results"]
    return next(r["evidence"] for r in rows if r["dimension"] == dimension)


def ret_findings(facts, rule_id="R-RET-6"):
    return [f for f in run_data_rules(facts, REGISTRY["RET"], None, "RET") if f.rule == rule_id]


def final(d):
    return next(i for i in d["payments"] if i.get("final"))


def first(d):
    return next(i for i in d["payments"] if i["no"] == 1)


# -- RET 回款: the contract term, per installment -----------------------------------------------

def test_late_final_payment_is_stated_with_due_received_and_days(example_data):
    facts = facts_from(example_data)
    text = squash(evidence(facts, "回款"))
    # 尾款 term: 验收 2026-06-18 + final_due_days 15 (defaults.yaml) → due 2026-07-03; arrived 2026-07-06
    assert facts.settings.payment.final_due_days == 15
    assert squash("第 2 期（最终验收（尾款））¥3,360,000.00 应于2026年7月3日前到账（验收后 15 天），"
                  "2026年7月6日实收 ¥3,360,000.00，逾期 3 天") in text
    assert squash("未按合同约定的付款期限回款") in text
    assert "无逾期" not in text
    # the 回款周期 success criterion is judged on its own and still holds (18 天 ≤ 30 天)
    assert squash("回款周期 18天（达成）") in text
    # paid in full: every installment received its planned amount
    assert squash("足额到账") in text and "未足额" not in text


def test_final_payment_received_in_time_says_no_delay(example_data):
    facts = facts_from(example_data, lambda d: final(d).update(received_date=dt.date(2026, 7, 3)))
    text = squash(evidence(facts, "回款"))
    assert squash("2026年7月3日实收 ¥3,360,000.00，按期") in text
    assert squash("各期均在合同约定的期限内到账，无逾期") in text
    assert "逾期 3 天" not in text


def test_final_due_date_follows_the_configured_term(example_data):
    facts = facts_from(example_data)
    facts.settings.payment.final_due_days = 20
    text = squash(evidence(facts, "回款"))
    assert squash("应于2026年7月8日前到账（验收后 20 天），2026年7月6日实收 ¥3,360,000.00，按期") in text
    assert squash("无逾期") in text


def test_installment_with_its_own_due_date_is_late_against_it(example_data):
    facts = facts_from(example_data, lambda d: first(d).update(received_date=dt.date(2026, 1, 25)))
    [one, two] = outcomes.payment_record(facts)
    assert (one.due, one.days_late, one.due_from_acceptance) == (dt.date(2026, 1, 20), 5, False)
    assert (two.due, two.days_late, two.due_from_acceptance) == (dt.date(2026, 7, 3), 3, True)
    text = squash(evidence(facts, "回款"))
    assert squash("2026年1月25日实收 ¥1,440,000.00，逾期 5 天") in text
    assert squash("第 1 期逾期 5 天到账、第 2 期逾期 3 天到账") in text


def test_short_payment_is_not_called_full(example_data):
    facts = facts_from(example_data, lambda d: final(d).update(received_amount=Decimal("3300000.00")))
    text = squash(evidence(facts, "回款"))
    assert squash("少收 ¥60,000.00") in text
    assert squash("实收合计 ¥4,740,000.00，计划 ¥4,800,000.00，未足额到账") in text
    assert squash("足额到账") not in text.replace(squash("未足额到账"), "")


def test_unreceived_final_payment_is_overdue_not_full(example_data):
    facts = facts_from(example_data, lambda d: final(d).pop("received_date"))
    facts.today = dt.date(2026, 7, 13)
    text = squash(evidence(facts, "回款"))
    assert squash("应于2026年7月3日前到账（验收后 15 天），尚未到账，已逾期 10 天") in text
    assert squash("未足额到账") in text and squash("第 2 期逾期未到账") in text


# -- RET 结果评估: typed claims the figures contradict (R-RET-6, a warning) --------------------

NO_DELAY = "预付款与尾款均按合同约定足额到账，无逾期"


def _typed(d, text: str = NO_DELAY) -> None:
    """The 回款 assessment as the example used to type it (before the data was corrected)."""
    d["retrospective"]["results"]["回款"] = text


def test_the_example_assessment_states_the_late_payment(example_data):
    """The example's typed 回款 assessment now says the 尾款 came 3 days late: nothing to flag."""
    assert "晚于合同约定 3 天到账" in example_data["retrospective"]["results"]["回款"]
    assert ret_findings(facts_from(example_data)) == []


def test_typed_no_delay_is_flagged_when_a_payment_was_late(example_data):
    [f] = ret_findings(facts_from(example_data, _typed))
    assert f.severity == "W" and f.location.endswith("retrospective.results.回款")
    assert f.message == ("结果评估「回款」写明「无逾期」，但数据显示：第 2 期（最终验收（尾款））应于2026年7月3日前到账，"
                         "2026年7月6日实收，逾期 3 天；请按数据改写该评估")


def test_typed_no_delay_is_accepted_when_true(example_data):
    def on_time(d):
        _typed(d)
        final(d).update(received_date=dt.date(2026, 7, 1))
    assert ret_findings(facts_from(example_data, on_time)) == []


def test_typed_full_payment_is_flagged_when_short(example_data):
    def short(d):
        final(d).update(received_date=dt.date(2026, 7, 1), received_amount=Decimal("3000000.00"))
    [f] = ret_findings(facts_from(example_data, short))
    assert "写明「足额」" in f.message and "计划 ¥3,360,000.00，实收 ¥3,000,000.00" in f.message


def test_negated_claim_is_not_flagged(example_data):
    def honest(d):
        d["retrospective"]["results"]["回款"] = "尾款未按期到账，逾期 3 天；金额已足额收回。"
    assert ret_findings(facts_from(example_data, honest)) == []


def test_typed_no_overrun_is_flagged_when_cost_exceeds_budget(example_data):
    def claim(d):
        d["retrospective"]["results"]["成本"] = "成本控制良好，未超支。"
    facts = facts_from(example_data, claim)
    messages = [f.message for f in ret_findings(facts)]
    assert "结果评估「成本」写明「未超支」，但数据显示：成本偏差 3.3%（实际成本高于预算）；请按数据改写该评估" in messages


def test_typed_on_time_is_flagged_when_acceptance_was_late(example_data):
    def late(d):
        d["acceptance"]["date"] = dt.date(2026, 7, 3)
        d["retrospective"]["results"]["进度"] = "项目按期完成。"
        final(d).update(received_date=dt.date(2026, 7, 10))
    messages = [f.message for f in ret_findings(facts_from(example_data, late))]
    assert any(m.startswith("结果评估「进度」写明「按期」，但数据显示：验收较计划完工延后") for m in messages)


# -- RET: the other computed sentences change with the data ---------------------------------

def test_schedule_phrase_follows_the_acceptance_date(example_data):
    assert "提前 7 个工作日" in evidence(facts_from(example_data), "进度")
    facts = facts_from(example_data, lambda d: d["acceptance"].update(date=dt.date(2026, 7, 2)))
    assert "延后 2 个工作日" in evidence(facts, "进度")


def test_missed_list_and_tally_follow_the_verdicts(example_data):
    ctx = ret.context(facts_from(example_data), None)
    assert [g["id"] for g in ctx["missed"]] == ["O2", "S1"]

    def all_pass(d):
        for r in d["acceptance"]["results"]:
            r["result"] = "通过"
    ctx = ret.context(facts_from(example_data, all_pass), None)
    assert "S1" not in [g["id"] for g in ctx["missed"]]
    assert ctx["tally"]["missed"] == len(ctx["missed"])


# -- WEEK: 超支 / 节余 / 持平 and 落后于计划 come from the figures --------------------------------

def _last_cost(d, eac):
    w = next(w for w in d["weekly"] if w["week"] == LAST_WEEK)
    w["cost"].update(actual_to_date=eac, forecast_at_completion=eac)


def test_week_cost_direction_follows_the_forecast(example_data):
    assert week.context(facts_from(example_data), LAST_WEEK)["cost"]["direction"] == "超支"
    under = week.context(facts_from(example_data, lambda d: _last_cost(d, Decimal("3500000.00"))), LAST_WEEK)
    assert (under["cost"]["direction"], under["cost"]["variance_share"]) == ("节余", Decimal("2.8"))
    even = week.context(facts_from(example_data, lambda d: _last_cost(d, Decimal("3600000.00"))), LAST_WEEK)
    assert even["cost"]["direction"] == "持平"


def test_week_behind_tasks_follow_the_reported_dates(example_data):
    facts = facts_from(example_data)
    snap = progress.latest(facts)
    finished = next(r for r in snap.rows if r.finished and not r.behind and r.planned_end)
    assert finished.status == "已完成"

    def late(d):
        for w in d["weekly"]:
            for t in w["tasks"]:
                if t["task"] == finished.code and t.get("actual_end"):
                    t["actual_end"] = finished.planned_end + dt.timedelta(days=14)
    row = next(r for r in progress.latest(facts_from(example_data, late)).rows if r.code == finished.code)
    assert (row.status, row.behind) == ("延期完成", True)


# -- OPP: the band and the gap disposition follow the data ----------------------------------

def test_opp_band_follows_the_scores(example_data):
    assert opp.context(facts_from(example_data), None)["score"]["band"] == "推进"

    def low(d):
        for dim in d["opportunity"]["dimensions"]:
            dim["score"] = 2
    assert opp.context(facts_from(example_data, low), None)["score"]["band"] == "放弃"


def test_opp_gap_is_accepted_only_when_the_data_says_so(example_data):
    def unplanned(d):
        d["opportunity"]["gaps"][0].pop("plan")
        d["opportunity"]["gaps"][0]["accepted"] = False
    gap = opp.context(facts_from(example_data, unplanned), None)["gaps"][0]
    assert gap["disposition"] is None


# -- fixed sentences are computed: ACC 验收范围 / 遗留问题 / tally, OPP 权重合计 ---------------------

def rendered(facts, code: str, tmp_path, key: str | None = None) -> list[str]:
    """The document's text as the client reads it: DOCX text and the HTML the PDF is printed from."""
    import re

    from salespm_docs.context import build_context
    from salespm_docs.extract import docx_text
    from salespm_docs.render.docx import render_docx
    from salespm_docs.render.pdf import PdfRenderer
    from salespm_docs.templating import make_env

    from conftest import ROOT

    context = build_context(facts, REGISTRY[code], key, True)
    target = tmp_path / f"{code}.docx"
    render_docx(ROOT / "templates" / "docx" / f"{code}.docx", context, make_env(), target, {},
                dt.datetime(2026, 1, 1))
    html = PdfRenderer(ROOT / "templates").html(f"{code}.html", context)
    return [squash(docx_text(target).text), squash(re.sub(r"<[^>]+>", "", html))]


def acc_findings(facts, rule_id):
    return [f for f in run_data_rules(facts, REGISTRY["ACC"], None, "ACC") if f.rule == rule_id]


def drop_result(d, deliverable="D9"):
    d["acceptance"]["results"] = [r for r in d["acceptance"]["results"] if r["deliverable"] != deliverable]


def test_acc_scope_is_the_whole_charter_only_when_every_deliverable_was_judged(example_data, tmp_path):
    for text in rendered(facts_from(example_data), "ACC", tmp_path):
        assert squash("验收范围为项目章程约定的全部工作内容") in text
    facts = facts_from(example_data, drop_result)
    name = next(d.name for d in facts.project.deliverables if d.id == "D9")
    for text in rendered(facts, "ACC", tmp_path):
        assert "全部工作内容" not in text
        assert squash(f"其中 1 项交付物（D9「{name}」）尚无验收结果，不在本次验收范围内") in text


def test_acc_tally_parts_sum_to_the_total(example_data, tmp_path):
    facts = facts_from(example_data, drop_result)
    tally = REGISTRY["ACC"].context(facts, None)["tally"]
    assert (tally["total"], tally["passed"], tally["conditional"], tally["failed"], tally["unjudged"]) == (10, 8, 1, 0, 1)
    assert tally["passed"] + tally["conditional"] + tally["failed"] + tally["unjudged"] == tally["total"]
    for text in rendered(facts, "ACC", tmp_path):
        assert squash("交付物共 10 项：通过 8 项，有条件通过 1 项，不通过 0 项，未验收 1 项。") in text
    # a result recorded twice, or for a deliverable outside the charter, is counted once / apart
    def twice(d):
        d["acceptance"]["results"].append({**d["acceptance"]["results"][0], "result": "不通过"})
        d["acceptance"]["results"].append({"deliverable": "D99", "result": "通过"})
    tally = REGISTRY["ACC"].context(facts_from(example_data, twice), None)["tally"]
    assert (tally["total"], tally["passed"], tally["failed"]) == (10, 9, 0)


def test_acc_follow_up_sentence_follows_the_open_items(example_data, tmp_path):
    for text in rendered(facts_from(example_data), "ACC", tmp_path):
        assert squash("以上遗留问题由整改责任人赵敏于2026年7月3日前完成整改，经甲方复核确认后关闭。") in text
    # a conditional pass without a registered open item: never 「无遗留问题」
    facts = facts_from(example_data, lambda d: d["acceptance"].update(open_items=[]))
    for text in rendered(facts, "ACC", tmp_path):
        assert "无遗留问题" not in text
        assert squash("交付物 D6 的验收结果为有条件通过或不通过，但尚未登记遗留问题与整改安排。") in text

    def all_passed(d):
        d["acceptance"]["open_items"] = []
        for r in d["acceptance"]["results"]:
            r["result"] = "通过"
    for text in rendered(facts_from(example_data, all_passed), "ACC", tmp_path):
        assert squash("无遗留问题。") in text

    def unowned(d):
        d["acceptance"]["open_items"][0].pop("owner")
        d["acceptance"]["open_items"].append({"description": "培训手册补充操作截图", "owner": "赵敏",
                                              "due": dt.date(2026, 7, 10)})
    for text in rendered(facts_from(example_data, unowned), "ACC", tmp_path):
        assert "由整改责任人在各自的整改期限内完成" not in text
        assert squash("以上 2 项遗留问题中，1 项尚未明确整改责任人或整改期限") in text


def test_acc_open_item_due_before_acceptance_is_an_error(example_data):
    facts = facts_from(example_data, lambda d: d["acceptance"]["open_items"][0].update(due=dt.date(2026, 6, 10)))
    found = acc_findings(facts, "R-ACC-3")
    assert [f.message for f in found] == [
        "交付物 D6「历史数据迁移」的遗留问题整改期限 2026-06-10 早于验收日期 2026-06-18：整改期限应在验收之后"]
    assert found[0].location == "projects/huaxing-crm/acceptance.yaml:58: acceptance.open_items[0].due"


def test_acc_conclusion_counts_must_match_the_results(example_data):
    assert acc_findings(facts_from(example_data), "R-ACC-2") == []

    def one_failed(d):
        next(r for r in d["acceptance"]["results"] if r["result"] == "通过")["result"] = "不通过"
    messages = [f.message for f in acc_findings(facts_from(example_data, one_failed), "R-ACC-2")]
    # the example's conclusion says 「项目交付物共 10 项，9 项通过、1 项（…）有条件通过」 and 通过率 is not typed
    assert messages == ["验收结论中写的通过 9 项与验收结果不符：按结果为 8 项（通过 8、有条件通过 1、不通过 1，共 10 项）"]


def test_opp_weight_total_is_the_data_sum(example_data, tmp_path):
    for text in rendered(facts_from(example_data), "OPP", tmp_path):
        assert squash("本次各维度权重合计 100%") in text

    def off(d):
        d["opportunity"]["dimensions"][0]["weight"] = Decimal(d["opportunity"]["dimensions"][0]["weight"]) - 5
    for text in rendered(facts_from(example_data, off), "OPP", tmp_path):
        assert squash("本次各维度权重合计 95%") in text and "权重合计100%" not in text


def test_week_never_says_nothing_was_done_when_a_task_finished(example_data, tmp_path):
    """「本周无完成事项」 only when no WBS task finished in the week; with 本周完成 left empty, the
    tasks the 进度表 shows finished that week are named instead."""
    label = "2026-W10"
    facts = facts_from(example_data, lambda d: next(w for w in d["weekly"] if w["week"] == label).update(done=[]))
    snap = progress.snapshot(facts, label)
    finished = [r for r in snap.rows if r.finished and snap.start <= r.actual_end <= snap.end]
    assert finished, "the example finishes a task in 2026-W10"
    names = "、".join(f"{r.code} {r.name}" for r in finished)
    for text in rendered(facts, "WEEK", tmp_path, label):
        assert "本周无完成事项" not in text
        assert squash(f"本周完成的 WBS 任务：{names}。") in text

    def idle(d):
        w = next(w for w in d["weekly"] if w["week"] == label)
        w["done"] = []
        for t in w["tasks"]:
            t.pop("actual_end", None)
    for text in rendered(facts_from(example_data, idle), "WEEK", tmp_path, label):
        assert squash("本周无完成事项。") in text


def test_week_never_says_no_risk_while_a_high_risk_is_open(example_data, tmp_path):
    """「本周无需重点关注的风险」 only when the register has no open 高 risk that week."""
    label = "2026-W10"

    def unreported(d):
        next(w for w in d["weekly"] if w["week"] == label)["risks"] = []
        d["risks"][0].update(level="高", status="开放", identified=dt.date(2026, 1, 5))
        d["risks"][0].pop("closed", None)
    facts = facts_from(example_data, unreported)
    end = dt.date(2026, 3, 8)  # the last day of 2026-W10: R03, closed later, was still open then
    high = [r for r in facts.project.risks if r.level == "高" and (r.closed is None or r.closed > end)]
    assert [r.id for r in high] == ["R01", "R03"] and facts.project.risks[2].status == "已关闭"
    names = "、".join(f"{r.id} {r.description}" for r in high)
    for text in rendered(facts, "WEEK", tmp_path, label):
        assert "本周无需重点关注的风险" not in text
        assert squash(f"风险登记册中尚未关闭的高等级风险：{names}。") in text

    def none_high(d):
        next(w for w in d["weekly"] if w["week"] == label)["risks"] = []
        for risk in d["risks"]:
            if risk.get("level") == "高" and not (risk.get("status") == "已关闭" and risk.get("closed")
                                                  and risk["closed"] <= dt.date(2026, 3, 8)):
                risk.update(level="中", probability=2, impact=3)
    for text in rendered(facts_from(example_data, none_high), "WEEK", tmp_path, label):
        assert squash("本周无需重点关注的风险。") in text
