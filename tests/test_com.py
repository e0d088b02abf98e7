"""COM 沟通计划: the document as a PM reads it (matrix, required items, weekly-report recipients,
escalation rules from the configuration), rules R-COMM-1…4 on broken data, and the 周进度报告
frequency that R-WEEK-1 reads from the plan."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from salespm_docs.artifacts.com import SECTIONS, context
from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.build import Renderer, Workspace, load_facts, run_series_rules
from salespm_docs.check import squash
from salespm_docs.errors import DataError
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.figures import progress
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLE, EXAMPLES, ROOT, facts_from, in_order
from test_declared_reads import check_declarations, instances_of

load_all()
COM = REGISTRY["COM"]
WEEK = REGISTRY["WEEK"]
LOC = r"projects/huaxing-crm/project\.yaml:\d+: "


def findings(facts, rule_id: str | None = None) -> list:
    return [f for f in run_data_rules(facts, COM, None, "COM") if rule_id is None or f.rule == rule_id]


def row(data: dict, name: str) -> dict:
    return next(c for c in data["communication"] if c["name"] == name)


def index(data: dict, name: str) -> int:
    return next(n for n, c in enumerate(data["communication"]) if c["name"] == name)


def render(facts, folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    result = Renderer(Workspace(ROOT)).render(facts, Instance(COM), folder)
    return {"findings": result.findings, **{f.format: f.path for f in result.files}}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("com")
    out = {}
    for slug in EXAMPLES:
        files = render(load_facts(Workspace(ROOT), slug), base / slug)
        out[slug] = {**files, "docx_text": docx_text(files["docx"]), "pdf": pdf_text(files["pdf"])[0]}
    return out


# -- the rendered plan --------------------------------------------------------------------------

@pytest.mark.parametrize("slug", EXAMPLES)
def test_examples_pass_every_rule_with_sections_in_order(rendered, slug):
    r = rendered[slug]
    assert r["findings"] == []
    assert in_order(r["docx_text"].text, SECTIONS) and in_order(r["pdf"], SECTIONS)


def test_matrix_rows_as_in_the_data(rendered, example_data):
    docx = rendered[EXAMPLE]["docx_text"]
    [table] = [t for t in docx.tables if t and t[0][0] == "名称" and "存档位置" in t[0] and "目的" in t[0]]
    header = [h.replace("\n", "").replace(" ", "") for h in table[0]]
    assert header == ["名称", "目的", "参与/接收人", "负责人", "频率", "形式/渠道", "输出物", "存档位置"]
    rows = [dict(zip(header, r)) for r in table[1:]]
    assert [r["名称"] for r in rows] == [c["name"] for c in example_data["communication"]]
    for shown, c in zip(rows, example_data["communication"]):
        assert shown["参与/接收人"] == "、".join(c["audience"])
        assert (shown["负责人"], shown["频率"], shown["形式/渠道"], shown["输出物"], shown["存档位置"]) == (
            c["owner"], c["frequency"], c["channel"], c["output"], c["archive"])
    pdf = squash(rendered[EXAMPLE]["pdf"])
    assert squash("项目共享盘/04-周报") in pdf and squash("现场 + 腾讯会议（周一 10:00）") in pdf


def test_required_items_and_weekly_recipients_with_emails(rendered):
    docx = rendered[EXAMPLE]["docx_text"]
    [required] = [t for t in docx.tables if t and t[0][:3] == ["名称", "规定频率", "本计划频率"]]
    assert [r[:3] + [r[4]] for r in required[1:]] == [["周例会", "每周", "每周", "符合"], ["月度复盘会", "每月", "每月", "符合"],
                                                      ["周进度报告", "每周", "每周", "符合"]]
    [recipients] = [t for t in docx.tables if t and t[0] == ["收件人", "类别", "电子邮箱"]]
    assert recipients[1:] == [["王建国", "乙方", "wangjianguo@hxsz.example.cn"], ["李娜", "乙方", "lina@hxsz.example.cn"],
                              ["项目组全体", "分组", "pm-p2026017@hxsz.example.cn"]]
    assert "周进度报告按「每周」连续编制（本计划周进度报告一项的频率）" in squash(rendered[EXAMPLE]["pdf"])


ESCALATION = ("未解决超过 {m} 天的问题上报项目经理（{pm}），超过 {g} 天的问题提交管理层（王建国）。"
              "升级最迟应在问题提出后第 {m1} 天与第 {g1} 天进行")


@pytest.mark.parametrize("slug,pm", [("huaxing-crm", "张伟"), ("yuanhang-srm", "徐明辉")])
def test_escalation_states_the_configured_thresholds(rendered, slug, pm):
    text = squash(ESCALATION.format(m=3, g=7, m1=4, g1=8, pm=pm))
    assert text in squash(rendered[slug]["docx_text"].text) and text in squash(rendered[slug]["pdf"])
    [levels] = [t for t in rendered[slug]["docx_text"].tables if t and t[0][0] == "级别"]
    assert levels[1:] == [["项目组", "问题提出后 3 天内", "问题责任人", "随时处理"],
                          ["项目经理", "未解决超过 3 天", pm, "提出后第 4 天"],
                          ["管理层", "未解决超过 7 天", "王建国", "提出后第 8 天"]]


def test_changed_configuration_changes_the_section_and_the_issue_rules_alike(tmp_path, example_data):
    """COM and ISS read the same settings: with 5 / 10 days both say 5 / 10."""
    facts = facts_from(example_data)
    facts.settings.issues.escalate_manager_days = 5
    facts.settings.issues.escalate_management_days = 10
    files = render(facts, tmp_path)
    text = squash(ESCALATION.format(m=5, g=10, m1=6, g1=11, pm="张伟"))
    assert text in squash(docx_text(files["docx"]).text) and text in squash(pdf_text(files["pdf"])[0])
    from salespm_docs.artifacts.iss import context as iss_context
    iss = iss_context(facts, None)["rule"]
    assert (iss["manager"], iss["management"]) == (5, 10) == tuple(context(facts, None)["rule"][k]
                                                                    for k in ("manager", "management"))


# -- R-COMM-1 -----------------------------------------------------------------------------------

def test_missing_required_item(example_data):
    facts = facts_from(example_data, lambda d: d["communication"].pop(index(d, "月度复盘会")))
    [f] = findings(facts, "R-COMM-1")
    assert f.message == ("沟通计划缺少「月度复盘会」（频率每月）：按规定（communication.required）须有此项，"
                         "请在 communication 中添加 name: 月度复盘会")
    assert re.fullmatch(LOC + "communication", f.location), f.location


def test_wrong_frequency_of_a_required_item(example_data):
    facts = facts_from(example_data, lambda d: row(d, "周例会").update(frequency="每两周"))
    [f] = findings(facts, "R-COMM-1")
    assert f.message == "「周例会」的频率为「每两周」，规定为「每周」（communication.required）"
    assert re.fullmatch(LOC + r"communication\[0\]\.frequency", f.location), f.location


def test_required_items_follow_the_configuration(example_data):
    facts = facts_from(example_data)
    facts.settings.communication.required["季度汇报会"] = "每季度"
    [f] = findings(facts, "R-COMM-1")
    assert f.message.startswith("沟通计划缺少「季度汇报会」（频率每季度）")


# -- R-COMM-2 -----------------------------------------------------------------------------------

def test_row_without_owner_audience_channel_frequency(example_data):
    def strip(d):
        for k in ("owner", "audience", "channel", "frequency"):
            row(d, "里程碑评审会").pop(k)
    [f] = findings(facts_from(example_data, strip), "R-COMM-2")
    assert f.message == "「里程碑评审会」缺少负责人（owner）、参与/接收人（audience）、形式/渠道（channel）、频率（frequency）"
    assert re.fullmatch(LOC + r"communication\[3\]", f.location), f.location


def test_weekly_report_recipient_without_email(example_data):
    facts = facts_from(example_data, lambda d: next(m for m in d["team"] if m["name"] == "李娜").pop("email"))
    [f] = findings(facts, "R-COMM-2")
    assert f.message == ("周进度报告的收件人李娜没有电子邮箱：请在名册（team）或客户联系人（client.contacts）"
                         "中填写其 email，周报邮件须发送给此人")
    assert re.fullmatch(LOC + r"communication\[1\]\.audience\[1\]", f.location), f.location
    # a meeting's participant needs no address
    facts = facts_from(example_data, lambda d: next(c for c in d["client"]["contacts"] if c["name"] == "马骏").pop("email"))
    assert findings(facts, "R-COMM-2") == []


def test_weekly_report_group_must_be_addressable(example_data):
    facts = facts_from(example_data, lambda d: d["groups"]["项目组全体"].pop("email"))
    [f] = findings(facts, "R-COMM-2")
    assert f.message == ("周进度报告的收件人「项目组全体」是未列出成员的分组，没有邮箱：请为分组填写邮件列表地址"
                         "（groups.项目组全体.email）或列出成员（members）")
    assert re.fullmatch(LOC + r"communication\[1\]\.audience\[2\]", f.location), f.location

    def members(d):
        d["groups"]["项目组全体"].pop("email")
        d["groups"]["项目组全体"]["members"] = ["张伟", "陈刚"]
    [f] = findings(facts_from(example_data, members), "R-COMM-2")
    assert f.message.startswith("周进度报告的收件人陈刚（分组「项目组全体」的成员）没有电子邮箱")


# -- R-COMM-3 -----------------------------------------------------------------------------------

def test_escalation_needs_manager_and_sponsor(example_data):
    """The section is generated from the settings (there is no typed escalation text that could
    contradict them); it fails when it cannot name who receives an escalation."""
    facts = facts_from(example_data, lambda d: d["organisation"].pop("sponsor"))
    [f] = findings(facts, "R-COMM-3")
    assert f.message == ("问题升级机制须写明升级对象：缺少代表管理层的发起人（organisation.sponsor），"
                         "未解决超过 7 天的问题无人接收")
    assert re.fullmatch(LOC + "organisation", f.location), f.location


def test_thresholds_out_of_order(example_data):
    facts = facts_from(example_data)
    facts.settings.issues.escalate_manager_days = 7
    facts.settings.issues.escalate_management_days = 7
    [f] = findings(facts, "R-COMM-3")
    assert f.message.startswith("升级阈值不合理：上报项目经理 7 天、提交管理层 7 天")


# -- R-COMM-4 -----------------------------------------------------------------------------------

def test_client_contact_named(example_data):
    [f] = findings(facts_from(example_data, lambda d: d["organisation"].pop("client_contact")), "R-COMM-4")
    assert f.message == "缺少客户接口人（organisation.client_contact）：沟通计划须写明客户方联系人"
    assert re.fullmatch(LOC + "organisation", f.location), f.location

    [f] = findings(facts_from(example_data, lambda d: d["organisation"].update(client_contact="李娜")), "R-COMM-4")
    assert f.message == "客户接口人「李娜」不是客户联系人（client.contacts）中的人：客户接口人须是客户方人员"
    assert re.fullmatch(LOC + r"organisation\.client_contact", f.location), f.location


def test_no_client_contact_among_audiences(example_data):
    clients = {c["name"] for c in example_data["client"]["contacts"]}

    def internal(d):
        for c in d["communication"]:
            c["audience"] = [a for a in c["audience"] if a not in clients]
    [f] = findings(facts_from(example_data, internal), "R-COMM-4")
    assert f.message == ("沟通计划的参与/接收人（audience）中没有客户方联系人：至少一项会议或报告须有"
                         "客户联系人（client.contacts）参加或接收")
    # a client contact reached as a member of a listed group counts
    def grouped(d):
        internal(d)
        d["groups"]["客户项目组"] = {"members": ["林晓"], "email": "crm-team@huaxing-precision.example.cn"}
        row(d, "周例会")["audience"].append("客户项目组")
    assert findings(facts_from(example_data, grouped), "R-COMM-4") == []


# -- bad input: an unknown recipient --------------------------------------------------------------

def test_unknown_recipient_is_a_located_roster_finding(example_data):
    facts = facts_from(example_data, lambda d: row(d, "周进度报告")["audience"].append("钱多多"))
    [f] = findings(facts, "R-COM-4")
    assert f.message == ("「钱多多」既不在项目名册（team）或客户联系人（client.contacts）中，也不是已声明的分组（groups）；"
                         "请把此人加入 team 或 client.contacts，或在 groups 中声明该分组")
    assert re.fullmatch(LOC + r"communication\[1\]\.audience\[3\]", f.location), f.location
    assert findings(facts, "R-COMM-2") == []  # not also reported as a recipient without address


def test_unknown_frequency_is_a_located_validation_error(example_data):
    with pytest.raises(DataError, match=r"communication\[0\]\.frequency"):
        facts_from(example_data, lambda d: row(d, "周例会").update(frequency="每周两次"))


# -- R-WEEK-1 follows the plan's 周进度报告 frequency -------------------------------------------------

def week_one(facts) -> list:
    return [f for f in run_series_rules(facts, WEEK) if f.rule == "R-WEEK-1"]


def drop_week(label: str):
    def mutate(d):
        d["weekly"] = [w for w in d["weekly"] if w["week"] != label]
    return mutate


def test_weekly_series_follows_the_com_frequency(example_data):
    facts = facts_from(example_data, drop_week("2026-W12"))
    assert progress.report_frequency(facts) == ("每周", "COM")
    [f] = week_one(facts)
    assert f.message.startswith("缺少 2026-W12 的周进度报告（weekly/2026-W12.yaml）：报告频率为「每周」")

    def fortnightly(d):
        drop_week("2026-W12")(d)
        row(d, "周进度报告")["frequency"] = "每两周"
    facts = facts_from(example_data, fortnightly)
    assert progress.report_frequency(facts) == ("每两周", "COM")
    assert week_one(facts) == []
    assert findings(facts, "R-COMM-1")[0].message == "「周进度报告」的频率为「每两周」，规定为「每周」（communication.required）"


def test_weekly_series_falls_back_to_configuration_without_a_row(example_data):
    def no_row(d):
        drop_week("2026-W12")(d)
        d["communication"].pop(index(d, "周进度报告"))
    facts = facts_from(example_data, no_row)
    assert progress.report_frequency(facts) == ("每周", "cfg")
    assert len(week_one(facts)) == 1
    facts.settings.communication.report_frequency = "每两周"
    assert progress.report_frequency(facts) == ("每两周", "cfg") and week_one(facts) == []


# -- declarations -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def examples() -> dict:
    return {slug: load_facts(Workspace(ROOT), slug) for slug in EXAMPLES}


def test_com_reads_exactly_what_it_declares(examples):
    assert check_declarations(COM, instances_of(examples, COM)) == []


def test_week_reads_the_communication_plan_through_its_fingerprint(examples):
    """WEEK shows the plan's 周进度报告 frequency; its fingerprint hook hashes it (like RET's latest
    cost), so ``communication`` is covered without being in ``depends_on`` (which would make every
    week's report re-check the plan's names and text)."""
    assert "communication" not in WEEK.depends_on
    assert WEEK.fingerprint(examples[EXAMPLE], "2026-W02")["frequency"] == ("每周", "COM")
    runs = instances_of(examples, WEEK)
    assert check_declarations(WEEK, runs[:2] + runs[-2:]) == []
