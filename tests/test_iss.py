"""ISS 问题清单: the register as a PM and a manager read it, the escalation rules on broken data,
the weekly reports showing the same issues, and the XLSX register recalculated by LibreOffice."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import openpyxl
import pytest
import yaml

from salespm_docs.artifacts.iss import SECTIONS, context
from salespm_docs.artifacts.registry import REGISTRY, load_all
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.facts import Facts
from salespm_docs.rules import run_data_rules

from conftest import ROOT, cli, example_facts, facts_from, in_order, make_workspace
from xlsx_tools import recalculated, stale_formulas

load_all()
ISS = REGISTRY["ISS"]
MIDWAY = "yuanhang-srm"


def findings(facts, rule_id: str | None = None) -> list:
    return [f for f in run_data_rules(facts, ISS, None, "ISS") if rule_id is None or f.rule == rule_id]


def midway_facts(mutate=None) -> Facts:
    """Facts of (a mutated copy of) the midway example, status date 2026-11-24."""
    return example_facts(MIDWAY, mutate)


def issue(data: dict, ident: str) -> dict:
    return next(i for i in data["issues"] if i["id"] == ident)


def raw_issues(slug: str) -> list[dict]:
    return yaml.safe_load((ROOT / "projects" / slug / "issues.yaml").read_text(encoding="utf-8"))["issues"]


# -- the rendered register ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def midway_texts(examples_built):
    root, _ = examples_built
    folder = root / "output" / MIDWAY
    return docx_text(folder / "ISS_问题清单_V1.1.docx"), pdf_text(folder / "ISS_问题清单_V1.1.pdf")[0]


def test_sections_in_order_in_docx_and_pdf(midway_texts):
    docx, pdf = midway_texts
    assert in_order(docx.text, SECTIONS) and in_order(pdf, SECTIONS)


def test_every_issue_with_its_age_level_and_escalations(midway_texts):
    """Each row against the YAML: age = 解决日期 (or the status date 2026-11-24) − 提出日期; the
    level is the highest escalation; the record lists each escalation with its date and person."""
    docx, pdf = midway_texts
    [table] = [t for t in docx.tables if t and t[0][0] == "编号" and "升级记录" in t[0]]
    header = [h.replace("\n", "") for h in table[0]]
    rows = {r[0]: dict(zip(header, r)) for r in table[1:]}
    status_date = dt.date(2026, 11, 24)
    written = raw_issues(MIDWAY)
    assert list(rows) == [i["id"] for i in written]
    for i in written:
        row = rows[i["id"]]
        end = i.get("resolved") or status_date
        assert row["已开放天数"] == str((end - i["raised"]).days), i["id"]
        levels = [e["level"] for e in i.get("escalations", [])]
        expected_level = ("管理层" if "管理层" in levels else "项目经理" if levels or i["owner"] == "徐明辉"
                          else "项目组")
        assert row["当前级别"] == expected_level
        record = "；".join(f"{e['date']} {e['to']}（{e['level']}）" for e in i.get("escalations", []))
        assert row["升级记录"] == (record or "责任人即项目经理")
        assert row["状态"] == i["status"] and row["提出日期"] == str(i["raised"])
        assert row["解决日期"] == (str(i["resolved"]) if i.get("resolved") else "—")
    assert rows["I06"]["应达级别"] == "项目经理" and rows["I05"]["应达级别"] == "管理层"
    flat = squash(pdf)
    assert squash("I06 金蝶云星空部分历史入库单缺少批次号") in flat
    assert squash("2026-11-12 徐明辉（项目经理）；2026-11-17 王建国（管理层）") in flat
    assert squash("共登记问题 6 个：未解决 1 个（开放 0 个、处理中 1 个），已解决 5 个") in flat
    assert squash("未解决的问题：I06（唐浩，计划2026年11月27日解决）。") in flat
    assert "None" not in docx.text and "None" not in pdf


def test_weekly_reports_show_the_register_as_it_stood(examples_built):
    """One list: W25 shows I07 with the 项目经理 (escalated 6月19日), W27 with 管理层 (6月26日), still
    being worked on (resolved 7月6日, after W27); W24 shows no issue."""
    root, _ = examples_built
    folder = root / "output" / "huaxing-crm"
    expect = {"2026-W25": "项目经理", "2026-W26": "管理层", "2026-W27": "管理层"}
    for week, level in expect.items():
        doc = docx_text(folder / f"WEEK_周进度报告_{week}_V1.0.docx")
        [table] = [t for t in doc.tables if t and t[0][0] == "编号" and t[0][1] == "问题"]
        assert [r[0] for r in table[1:]] == ["I07"]
        assert table[1][2:] == ["赵敏", "2026-07-03", level, "处理中"], week
    w24 = docx_text(folder / "WEEK_周进度报告_2026-W24_V1.0.docx").text
    assert "本周没有开放的问题。" in w24


# -- rules on broken data ------------------------------------------------------------------------

def test_intact_examples_have_no_finding(example_data):
    assert findings(facts_from(example_data)) == []
    assert findings(midway_facts()) == []


def test_unescalated_issue_is_reported_at_its_record(example_data):
    """I07 (6月18日 to 7月6日, 18 days) without its escalations: both rules, located."""
    facts = facts_from(example_data, lambda d: issue(d, "I07").pop("escalations"))
    [manager] = findings(facts, "R-ISS-1")
    [management] = findings(facts, "R-ISS-2")
    for f in (manager, management):
        assert f.location.startswith("projects/huaxing-crm/issues.yaml:") and f.location.endswith("issues[6].escalations")
    head = "问题 I07「历史数据迁移抽样准确率 99.2%，4 条历史订单客户归属与…」于2026年7月6日解决，共开放 18 天"
    assert manager.message == (f"{head}，超过 3 天，应不迟于2026年6月22日升级到项目经理，"
                               "但升级记录（escalations）中没有升级到项目经理的记录")
    assert management.message == (f"{head}，超过 7 天，应不迟于2026年6月26日升级到管理层，"
                                   "但升级记录（escalations）中没有升级到管理层的记录")


def test_late_escalation(example_data):
    facts = facts_from(example_data, lambda d: issue(d, "I07")["escalations"][1].update(date=dt.date(2026, 6, 29)))
    [f] = findings(facts)
    assert f.rule == "R-ISS-2" and f.location.endswith("issues[6].escalations[1].date")
    assert f.message == ("问题 I07「历史数据迁移抽样准确率 99.2%，4 条历史订单客户归属与…」应不迟于2026年6月26日"
                         "升级到管理层（开放超过 7 天），实际于2026年6月29日升级，晚了 3 天")


def test_escalation_dated_before_the_issue_was_raised(example_data):
    """Bad input: the record is refused at its date, and does not count as an escalation."""
    facts = facts_from(example_data, lambda d: issue(d, "I07")["escalations"][0].update(date=dt.date(2026, 6, 10)))
    found = findings(facts, "R-ISS-1")
    assert [f.location.rsplit(": ", 1)[1] for f in found] == ["issues[6].escalations[0].date",
                                                              "issues[6].escalations[1].date"]
    assert found[0].message == "问题 I07 的升级日期 2026-06-10 早于问题的提出日期 2026-06-18：问题提出之前不能升级"
    # the 管理层 escalation of 6月26日 covers the 项目经理 level, but too late for it
    assert found[1].message.endswith("应不迟于2026年6月22日升级到项目经理（开放超过 3 天），实际于2026年6月26日升级，晚了 4 天")


def test_escalation_to_someone_else_than_the_manager(example_data):
    facts = facts_from(example_data, lambda d: issue(d, "I01")["escalations"][0].update(to="刘洋"))
    [f] = findings(facts)
    assert f.location.endswith("issues[0].escalations[0].to")
    assert f.message == "问题 I01 升级到项目经理的对象应为项目经理 张伟（organisation.manager），记录为 刘洋"


def test_resolution_must_be_recorded(example_data):
    def breaks(d):
        issue(d, "I02").pop("resolution")
        issue(d, "I03").pop("resolved")
        issue(d, "I04")["status"] = "处理中"
    messages = {f.location.rsplit(": ", 1)[1]: f.message for f in findings(facts_from(example_data, breaks), "R-ISS-3")}
    assert messages == {
        "issues[1].status": "问题 I02 状态为已解决，缺少解决方式（resolution）",
        "issues[2].status": "问题 I03 状态为已解决，缺少解决日期（resolved）",
        "issues[3].resolved": "问题 I04 已填写解决日期 2026-04-22，但状态为处理中：已解决的问题状态应为已解决",
    }


def test_owner_who_is_the_manager_is_at_that_level(example_data):
    """I03 is the 项目经理's own issue: no escalation to himself is asked for."""
    facts = facts_from(example_data, lambda d: issue(d, "I03").pop("escalations"))
    [f] = findings(facts)
    assert f.rule == "R-ISS-2" and "I03" in f.message  # 8 days: 管理层 still needed


def test_thresholds_come_from_the_configuration(example_data):
    """With 5 / 10 days, I01 (7 days) needs only the 项目经理 and I05 (10 days) no longer 管理层."""
    def strip_management(d):
        for i in d["issues"]:
            i["escalations"] = [e for e in i.get("escalations", []) if e["level"] != "管理层"]
    facts = facts_from(example_data, strip_management)
    assert {f.message.split("「")[0] for f in findings(facts, "R-ISS-2")} == {
        "问题 I02", "问题 I03", "问题 I05", "问题 I06", "问题 I07"}
    facts.settings.issues.escalate_manager_days = 5
    facts.settings.issues.escalate_management_days = 10
    facts.__dict__.pop("_derived", None)
    assert {f.message.split("「")[0] for f in findings(facts, "R-ISS-2")} == {"问题 I02", "问题 I07"}
    rows = {r["id"]: r for r in context(facts, None)["issues"]}
    assert rows["I05"]["required"] == "项目经理" and rows["I07"]["required"] == "管理层"
    assert rows["I01"]["required"] == "项目经理"


def test_midway_open_issue_follows_the_status_date():
    """I06 (raised 11月18日, unresolved) is 6 days old on 11月24日; on 11月27日 it is 9 days old and
    owes 管理层 an escalation it does not have."""
    facts = midway_facts()
    facts.today = dt.date(2026, 11, 27)
    [f] = findings(facts)
    assert f.rule == "R-ISS-2" and f.location.endswith("issues[5].escalations")
    assert f.message == ("问题 I06「金蝶云星空部分历史入库单缺少批次号，入库单接口须确定缺失批次…」截至2026年11月27日已开放 9 天，"
                         "超过 7 天，应不迟于2026年11月26日升级到管理层，但升级记录（escalations）中没有升级到管理层的记录")


def _check(tmp_path, slug: str, edit) -> str:
    root = make_workspace(tmp_path, (slug, ROOT / "projects" / slug))
    edit(root / "projects" / slug)
    result = cli(root, "check", slug)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    return result.output + (result.stderr if result.stderr_bytes is not None else "")


def test_duplicate_issue_id_is_a_located_error(tmp_path):
    def edit(folder):
        path = folder / "issues.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("  - id: I02", "  - id: I01"), encoding="utf-8")
    out = _check(tmp_path, "huaxing-crm", edit)
    assert "projects/huaxing-crm/issues.yaml" in out and "问题编号 I01 重复" in out


def test_issue_written_in_a_weekly_report_is_refused_with_the_way_out(tmp_path):
    def edit(folder):
        path = folder / "weekly" / "2026-W18.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "issues:\n  - description: 接口死锁\n    owner: 孙磊\n",
                        encoding="utf-8")
    out = _check(tmp_path, "huaxing-crm", edit)
    assert "projects/huaxing-crm/weekly/2026-W18.yaml" in out
    assert "weekly[15].issues: 周报不再填写问题（如「接口死锁」）：问题登记在问题清单（issues.yaml 的 issues）中" in out


# -- the XLSX register ---------------------------------------------------------------------------

@pytest.mark.clients
def test_register_formulas_equal_the_pdf_and_follow_the_status_date(examples_built, tmp_path):
    root, _ = examples_built
    folder = root / "output" / MIDWAY
    xlsx = folder / "ISS_问题清单_V1.1.xlsx"
    pdf = squash(pdf_text(folder / "ISS_问题清单_V1.1.pdf")[0])
    values = recalculated(xlsx)
    assert stale_formulas(xlsx, values) == []
    ws = values["问题清单"]
    header = [c.value for c in ws[1]]
    col = {h: header.index(h) for h in header}
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row[0] in (None, "合计"):
            continue
        age, required = row[col["已开放天数"]], row[col["应达级别"]]
        # the PDF row ends with 已开放天数 then 应达级别
        assert squash(f"{int(age)}{required}") in pdf and row[0] in pdf
    # a PM moves the status date on: I06 is then 12 days old and owes 管理层
    copy_path = tmp_path / "moved.xlsx"
    shutil.copy(xlsx, copy_path)
    wb = openpyxl.load_workbook(copy_path)
    info = wb["文档信息"]
    [cell] = [r[1] for r in info.iter_rows() if r[0].value == "状态日期"]
    cell.value = dt.datetime(2026, 11, 30)
    wb.save(copy_path)
    moved = recalculated(copy_path)["问题清单"]
    i06 = next(r for r in moved.iter_rows(min_row=2, values_only=True) if r[0] == "I06")
    assert (int(i06[col["已开放天数"]]), i06[col["应达级别"]]) == (12, "管理层")


@pytest.mark.clients
def test_register_read_back(examples_built):
    root, _ = examples_built
    wb = openpyxl.load_workbook(root / "output" / MIDWAY / "ISS_问题清单_V1.1.xlsx")
    assert wb.sheetnames[:4] == ["文档信息", "问题清单", "升级记录", "解决情况"]
    ws = wb["问题清单"]
    assert ws.freeze_panes == "A2" and ws.tables  # an Excel table: header filters included
    assert ws.page_setup.orientation == "landscape"
    lists = {re.match("[A-Z]+", str(dv.sqref)).group(): dv.formula1 for dv in ws.data_validations.dataValidation}
    header = [c.value for c in ws[1]]
    letter = {h: openpyxl.utils.get_column_letter(header.index(h) + 1) for h in header}
    assert {letter["状态"], letter["当前级别"], letter["责任人"]} <= set(lists)
    [rule] = [r for rng in ws.conditional_formatting for r in rng.rules]
    assert "管理层" in rule.formula[0] and rule.dxf.fill.fgColor.rgb.endswith("F4B6B0")
    inputs = {r[0].value: r[1].value for r in wb["文档信息"].iter_rows() if r[0].value}
    assert inputs["项目经理升级天数"] == 3 and inputs["管理层升级天数"] == 7
