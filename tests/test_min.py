"""MIN 会议纪要: the minutes as a PM reads them (rendered DOCX and PDF), R-MIN-1 on broken data with
its exact messages and locations, a badly named or dated meetings file through the CLI, and the open
action items of the minutes in the 周进度报告 (rendered text) until they are closed."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
import yaml

from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.artifacts.min import SECTIONS
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.facts import Facts
from salespm_docs.figures import actions as fig
from salespm_docs.figures.progress import week_bounds
from salespm_docs.incremental import Fingerprints
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLES, ROOT, cli, example_facts, in_order, make_workspace

load_all()
MIN, WEEK = REGISTRY["MIN"], REGISTRY["WEEK"]
HUAXING, YUANHANG = "huaxing-crm", "yuanhang-srm"
UAT = "2026-04-13-weekly"          # huaxing meetings[3]
UAT_FILE = "projects/huaxing-crm/meetings/2026-04-13-weekly.yaml"
STRANGER = "既不是项目组成员（team）也不是客户联系人（client.contacts）：请改正姓名；客户方人员请先加入 client.contacts"


def facts_of(slug: str, mutate=None, today: dt.date | None = None) -> Facts:
    """Facts of (a mutated copy of) an example; the status date is the project's, else ``today``."""
    return example_facts(slug, mutate, today=today, default=dt.date(2026, 7, 31))


def meeting(data: dict, ident: str) -> dict:
    return next(m for m in data["meetings"] if m["id"] == ident)


def raw(slug: str, ident: str) -> dict:
    return yaml.safe_load((ROOT / "projects" / slug / "meetings" / f"{ident}.yaml").read_text(encoding="utf-8"))


def findings(facts: Facts, key: str, rule: str | None = None) -> list[tuple[str, str]]:
    return [(f.location, f.message) for f in run_data_rules(facts, MIN, key, f"MIN {key}")
            if rule is None or f.rule == rule]


def render(root, slug: str, code: str, key: str, folder) -> tuple[list, dict]:
    ws = Workspace(root)
    facts = load_facts(ws, slug)
    folder.mkdir(parents=True, exist_ok=True)
    result = Renderer(ws).render(facts, Instance(REGISTRY[code], key), folder)
    return result.findings, {f.format: f.path for f in result.files}


# -- the rendered minutes ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def minutes(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("min")
    out = {}
    for slug, key in ((HUAXING, "2026-01-09-kickoff"), (YUANHANG, "2026-11-17-weekly")):
        found, files = render(ROOT, slug, "MIN", key, base / key)
        out[key] = (found, docx_text(files["docx"]), pdf_text(files["pdf"])[0], files)
    return out


@pytest.mark.parametrize("key", ["2026-01-09-kickoff", "2026-11-17-weekly"])
def test_rendered_minutes_are_clean_with_every_section(minutes, key):
    found, docx, pdf, files = minutes[key]
    assert found == []
    assert in_order(docx.text, SECTIONS) and in_order(pdf, SECTIONS)
    assert files["docx"].name == f"MIN_会议纪要_{key}_V1.0.docx"


def test_title_names_the_meeting_not_the_file(minutes):
    """The key is the file stem (an ISO date, R-COM-7 would flag it in prose): the title shows the
    meeting's date and name instead."""
    _, docx, pdf, _ = minutes["2026-01-09-kickoff"]
    for text in (docx.text, pdf):
        assert "会议纪要（2026年1月9日项目启动会）" in squash(text)
        assert "2026-01-09-kickoff" not in text
    assert "HX-P2026017-MIN-01" in docx.text and "HX-P2026017-MIN-01" in pdf


def test_meeting_information_groups_attendees_by_party_with_roles(minutes):
    _, docx, pdf, _ = minutes["2026-01-09-kickoff"]
    [info] = [t for t in docx.tables if t and t[0][0] == "会议名称"]
    rows = dict((r[0], r[1]) for r in info)
    assert rows["会议名称"] == "项目启动会"
    assert rows["时间"] == "2026年1月9日 9:30–11:30"
    assert rows["地点"] == "华星精密总部行政楼 301 会议室（宁波北仑）"
    assert rows["主持"] == "张伟（乙方·项目经理）"
    assert rows["记录"] == "吴芳（乙方·销售运营）"
    assert rows["参会人（甲方）"] == "华星精密：黄志强（信息化总监）、林晓（销售管理部经理）、马骏（IT 主管）、何静（财务经理）"
    assert rows["参会人（乙方）"] == ("杭州华信数智科技有限公司：王建国（项目发起人）、张伟（项目经理）、李娜（销售负责人）、"
                                 "陈刚（技术负责人）、刘洋（交付负责人）、吴芳（销售运营）")
    flat = squash(pdf)
    for value in rows.values():
        assert squash(value) in flat


def test_action_table_against_the_yaml_with_status_at_the_status_date(minutes):
    """yuanhang's status date is 2026-11-24: closed items show 已关闭 and the date, the others 未关闭;
    甲方 for a client contact, 乙方 for our team."""
    _, docx, pdf, _ = minutes["2026-11-17-weekly"]
    [table] = [t for t in docx.tables if t and t[0][:3] == ["序号", "事项", "责任人"]]
    assert table[0] == ["序号", "事项", "责任人", "所属", "期限", "状态", "说明"]
    written = raw(YUANHANG, "2026-11-17-weekly")["actions"]
    assert len(table) - 1 == len(written) == 5
    for n, (row, a) in enumerate(zip(table[1:], written), 1):
        closed = a.get("closed")
        assert row[:5] == [str(n), a["item"], a["owner"], "甲方" if a["owner"] == "许静" else "乙方", a["due"].isoformat()]
        assert row[5].split() == (["已关闭", closed.isoformat()] if closed else ["未关闭"])
    assert "本次会议形成待办事项5项；截至2026年11月24日已关闭2项，未关闭3项" in squash(docx.text)
    assert "本次会议形成待办事项5项；截至2026年11月24日已关闭2项，未关闭3项" in squash(pdf)
    for a in written:
        assert squash(a["item"]) in squash(pdf)


def test_broken_minute_renders_without_none_and_is_a_draft(tmp_path):
    """An action without owner and due date, and a stranger among the attendees: the document still
    reads (— where a value is missing, the stranger under 其他参会人), the findings say why."""
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    path = root / "projects" / HUAXING / "meetings" / f"{UAT}.yaml"
    text = path.read_text(encoding="utf-8").replace("    owner: 赵敏\n    due: 2026-04-27\n", "")
    path.write_text(text.replace("郑华]", "郑华, 路人甲]"), encoding="utf-8")
    found, files = render(root, HUAXING, "MIN", UAT, tmp_path / "out")
    assert sorted((f.rule, f.message) for f in found if f.rule == "R-MIN-1") == sorted([
        ("R-MIN-1", f"待办事项「{ITEM}」缺少责任人（owner）"), ("R-MIN-1", f"待办事项「{ITEM}」缺少期限（due）"),
        ("R-MIN-1", f"参会人「路人甲」{STRANGER}")])
    docx, pdf = docx_text(files["docx"]), pdf_text(files["pdf"])[0]
    for text in (docx.text, pdf):
        assert "None" not in text and "草稿" in text
        assert "其他参会人：路人甲。" in squash(text)
    [table] = [t for t in docx.tables if t and t[0][:3] == ["序号", "事项", "责任人"]]
    assert table[2][:5] == ["2", ITEM, "—", "—", "—"]


def test_overdue_item_says_so_as_of_the_status_date():
    facts = facts_of(YUANHANG, today=dt.date(2026, 11, 26))
    rows = REGISTRY["MIN"].context(facts, "2026-11-17-weekly")["actions"]
    assert [r["status"] for r in rows] == ["未关闭", "已关闭", "已关闭", "已逾期", "未关闭"]


# -- R-MIN-1 -----------------------------------------------------------------------------------

def test_examples_have_no_findings_on_their_minutes():
    for slug in EXAMPLES:
        facts = facts_of(slug)
        for m in facts.project.meetings:
            assert findings(facts, m.id) == [], (slug, m.id)


ITEM = "编写历史数据迁移方案（含试迁移窗口与回退方案）并提交客户 IT 部评审"


def _action(field, value):
    def mutate(d):
        a = meeting(d, UAT)["actions"][1]
        if value is None:
            del a[field]
        else:
            a[field] = value
    return mutate


@pytest.mark.parametrize("mutate, where, message", [
    (_action("owner", None), "27: meetings[3].actions[1]", f"待办事项「{ITEM}」缺少责任人（owner）"),
    (_action("due", None), "27: meetings[3].actions[1]", f"待办事项「{ITEM}」缺少期限（due）"),
    (_action("owner", "王小明"), "28: meetings[3].actions[1].owner", f"待办事项「{ITEM}」的责任人「王小明」{STRANGER}"),
    (_action("due", "2026-04-10"), "29: meetings[3].actions[1].due", f"待办事项「{ITEM}」的期限 2026-04-10 早于会议日期 2026-04-13"),
    (_action("closed", "2026-04-12"), "30: meetings[3].actions[1].closed",
     f"待办事项「{ITEM}」的关闭日期 2026-04-12 早于会议日期 2026-04-13"),
    (_action("closed", "2026-08-03"), "30: meetings[3].actions[1].closed",
     f"待办事项「{ITEM}」的关闭日期 2026-08-03 在状态日期2026年7月31日之后：尚未关闭的事项不填关闭日期（closed）"),
    (lambda d: meeting(d, UAT).update(chair="张卫"), "7: meetings[3].chair", f"主持人「张卫」{STRANGER}"),
    (lambda d: meeting(d, UAT).update(recorder="赵明"), "8: meetings[3].recorder", f"记录人「赵明」{STRANGER}"),
    (lambda d: meeting(d, UAT)["attendees"].__setitem__(2, "黄总"), "9: meetings[3].attendees[2]",
     f"参会人「黄总」{STRANGER}"),
    (lambda d: meeting(d, UAT).update(date="2026-08-04", actions=[]), "2: meetings[3].date",
     "会议日期 2026-08-04 在状态日期2026年7月31日之后：会议纪要只记已召开的会议"),
], ids=["no-owner", "no-due", "owner-unknown", "due-before-meeting", "closed-before-meeting", "closed-future",
        "chair", "recorder", "attendee", "meeting-future"])
def test_r_min_1_on_broken_minutes(mutate, where, message):
    facts = facts_of(HUAXING, mutate)
    assert findings(facts, UAT) == [(f"{UAT_FILE}:{where}", message)]
    assert all(f.rule == "R-MIN-1" and f.severity == "E" for f in run_data_rules(facts, MIN, UAT, "MIN"))


def test_one_finding_per_stranger_not_a_pair_with_r_com_4():
    """The people of a minute are R-MIN-1's (a message naming their role), so R-COM-4 stays silent
    about them, and no weekly report carrying the minutes' items reports the name again."""
    def mutate(d):
        meeting(d, UAT)["attendees"][0] = "路人甲"
        meeting(d, UAT)["actions"][0]["owner"] = "路人乙"
    facts = facts_of(HUAXING, mutate)
    found = run_data_rules(facts, MIN, UAT, "MIN")
    assert [(f.rule, f.location.split(": ")[-1]) for f in found] == [
        ("R-MIN-1", "meetings[3].attendees[0]"), ("R-MIN-1", "meetings[3].actions[0].owner")]
    week = run_data_rules(facts, WEEK, "2026-W16", "WEEK")
    assert [f for f in week if "路人" in f.message] == []


def test_a_client_contact_owner_goes_to_the_client_side():
    facts = facts_of(HUAXING)
    by_owner = {a.owner: a.client for a in fig.of_meeting(facts, UAT)}
    assert by_owner == {"林晓": True, "赵敏": False, "孙磊": False}


# -- bad meetings files through the CLI --------------------------------------------------------

def _check(tmp_path, edit) -> str:
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    edit(root / "projects" / HUAXING / "meetings")
    result = cli(root, "check", HUAXING)
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 2 and "Traceback" not in out
    return out


def test_meetings_file_whose_date_does_not_match_its_name(tmp_path):
    def edit(folder):
        path = folder / "2026-04-07-weekly.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("date: 2026-04-07", "date: 2026-04-08"),
                        encoding="utf-8")
    out = _check(tmp_path, edit)
    assert ("projects/huaxing-crm/meetings/2026-04-07-weekly.yaml:2: meetings[2].date: 会议日期 2026-04-08 "
            "与文件名中的日期 2026-04-07 不一致：请改正 date，或把文件改名为 2026-04-08-weekly.yaml") in out
    assert "共 1 处" in out


def test_meetings_file_without_a_date_in_its_name(tmp_path):
    def edit(folder):
        (folder / "2026-04-07-weekly.yaml").rename(folder / "weekly-15.yaml")
    out = _check(tmp_path, edit)
    assert ("projects/huaxing-crm/meetings/weekly-15.yaml: 会议纪要文件名应为「日期-简称.yaml」，"
            "如 2026-03-05-kickoff.yaml（日期在前，ISO 格式），而不是「weekly-15.yaml」") in out
    assert "共 1 处" in out  # not a second error about the missing id


# -- open action items in the weekly reports ---------------------------------------------------

def _expected_open(slug: str, week: str) -> list[tuple[str, str]]:
    """(owner, item) of every action item the report of ``week`` must carry, straight from the YAML."""
    start, end = week_bounds(week)
    found = []
    for path in sorted((ROOT / "projects" / slug / "meetings").glob("*.yaml")):
        m = yaml.safe_load(path.read_text(encoding="utf-8"))
        if m["date"] > end:
            continue
        found += [(a["owner"], a["item"]) for a in m["actions"] if a.get("closed") is None or a["closed"] > end]
    return found


@pytest.mark.parametrize("slug", EXAMPLES)
def test_every_week_carries_exactly_the_open_items_once(slug):
    facts = facts_of(slug)
    contacts = {c.name for c in facts.project.client.contacts}
    carried = 0
    for w in facts.project.weekly:
        ctx = WEEK.context(facts, w.week)
        for owner, item in _expected_open(slug, w.week):
            if owner in contacts:
                rows = [r for r in ctx["client_actions"] if r["contact"] == owner and fig.same_words(r["item"], item)]
                assert len(rows) == 1 and rows[0]["source"], (w.week, item)
            else:
                lines = [x for x in ctx["next"] if squash(item) in squash(x)]
                assert len(lines) == 1 and "待办）" in lines[0], (w.week, item, ctx["next"])
            carried += 1
        marked = [r for r in ctx["client_actions"] if r["source"]] + [x for x in ctx["next"] if "待办）" in x]
        assert len(marked) == len(_expected_open(slug, w.week)), w.week
    assert carried >= 5


def test_weekly_file_row_is_marked_not_repeated():
    """W02 lists 林晓's 访谈名单 in its file and the kick-off minutes have it open: one row, marked;
    马骏's U9 文档 is only in the minutes: a row of its own. 张伟's plan is a line of W02's 下周计划:
    marked; 李娜's 调研计划 is only in the minutes: a line with owner and due date."""
    ctx = WEEK.context(facts_of(HUAXING), "2026-W02")
    assert [(r["item"], r["contact"], r["due"], r["source"], r["title"]) for r in ctx["client_actions"]] == [
        ("提供三个大区销售骨干访谈名单并安排访谈时间", "林晓", dt.date(2026, 1, 13), "1月9日项目启动会待办", "销售管理部经理"),
        ("提供用友 U9 接口文档与数据字典", "马骏", dt.date(2026, 1, 20), "1月9日项目启动会待办", "IT 主管")]
    assert ctx["next"] == ["编制项目管理方案与进度计划（WBS 三级分解）（1月9日项目启动会待办）",
                           "启动销售业务调研，完成华东大区用户访谈", "与客户 IT 部确认 ERP 系统调研安排",
                           "编制业务调研计划与访谈提纲（李娜，1月12日前；1月9日项目启动会待办）"]


@pytest.fixture(scope="module")
def weeks(tmp_path_factory) -> dict:
    """Rendered text (DOCX, PDF) of huaxing W17, which carries 赵敏's 迁移方案 (4月13日 meeting, closed
    4月27日), of yuanhang W47 (items open at the status date), and of W17 once the item is closed on
    4月24日, a day before the week's end."""
    base = tmp_path_factory.mktemp("weeks")
    out = {}
    for slug, week in ((HUAXING, "2026-W17"), (YUANHANG, "2026-W47")):
        found, files = render(ROOT, slug, "WEEK", week, base / slug / week)
        out[week] = (found, docx_text(files["docx"]).text, pdf_text(files["pdf"])[0])
    root = make_workspace(base / "closed", (HUAXING, ROOT / "projects" / HUAXING))
    path = root / "projects" / HUAXING / "meetings" / f"{UAT}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("closed: 2026-04-27", "closed: 2026-04-24"), encoding="utf-8")
    found, files = render(root, HUAXING, "WEEK", "2026-W17", base / "closed-out")
    out["W17-closed"] = (found, docx_text(files["docx"]).text, pdf_text(files["pdf"])[0])
    return out


MIGRATION = f"{ITEM}（赵敏，4月27日前；4月13日第 16 周周例会待办）"


def test_open_item_from_the_meeting_week_until_the_week_it_is_closed():
    """Meeting 4月13日 (W16), closed 4月27日 (a Monday): carried by W16 and W17, not by W15 (before
    the meeting) nor by W18 (closed on or before its Sunday)."""
    facts = facts_of(HUAXING)
    shown = {w: MIGRATION in WEEK.context(facts, w)["next"] for w in ("2026-W15", "2026-W16", "2026-W17", "2026-W18")}
    assert shown == {"2026-W15": False, "2026-W16": True, "2026-W17": True, "2026-W18": False}


@pytest.mark.parametrize("week, shown", [("2026-W17", True), ("W17-closed", False)])
def test_open_item_in_the_rendered_report_until_closed(weeks, week, shown):
    found, docx, pdf = weeks[week]
    assert found == []
    assert (squash(MIGRATION) in squash(docx)) is shown
    assert (squash(MIGRATION) in squash(pdf)) is shown
    plan = squash(pdf).split("四、下周计划")[1].split("五、里程碑状态")[0]
    assert (squash(MIGRATION) in plan) is shown


def test_client_item_open_at_the_status_date_in_the_last_report(weeks):
    """yuanhang W47: 许静's 试点供应商名单 (W47 file and 11月17日 minutes, open on 11月24日) is one row
    of 需客户配合事项 marked with the meeting; our team's open items are in 下周计划."""
    found, docx, pdf = weeks["2026-W47"]
    assert found == []
    for text in (docx, pdf):
        flat = squash(text)
        section = flat.split("九、需客户配合事项")[1]
        assert flat.count(squash("提供首批 50 家试点供应商名单与联系人")) == 1
        assert squash("提供首批 50 家试点供应商名单与联系人（11月17日第 47 周周例会待办）") in section
        plan = flat.split("四、下周计划")[1].split("五、里程碑状态")[0]
        assert squash("准备11月26日月度复盘会材料（进度、成本基线与主要风险）（徐明辉，11月25日前；11月17日第 47 周周例会待办）") in plan
        assert squash("编制供应商注册操作指引（PC 端与手机端）（曹琳，12月4日前；11月17日第 47 周周例会待办）") in plan


# -- incremental rebuilds and declared reads ---------------------------------------------------

def _prints(facts: Facts, artifact) -> dict:
    prints = Fingerprints(facts, ROOT / "templates")
    return {k: prints.of(Instance(artifact, k)) for k in artifact.instances(facts.project)}


def test_a_meeting_edit_rebuilds_only_the_weeks_it_touches_and_its_own_minute():
    before_w, before_m = _prints(facts_of(HUAXING), WEEK), _prints(facts_of(HUAXING), MIN)
    closed = facts_of(HUAXING, lambda d: meeting(d, UAT)["actions"][1].update(closed="2026-04-24"))
    assert {k for k, v in _prints(closed, WEEK).items() if v != before_w[k]} == {"2026-W17"}
    assert {k for k, v in _prints(closed, MIN).items() if v != before_m[k]} == {UAT}
    wording = facts_of(HUAXING, lambda d: meeting(d, UAT)["discussion"].append("补充说明"))
    assert {k for k, v in _prints(wording, WEEK).items() if v != before_w[k]} == set()
    renamed = facts_of(HUAXING, lambda d: meeting(d, UAT)["actions"][1].update(item="编写历史数据迁移方案"))
    assert {k for k, v in _prints(renamed, WEEK).items() if v != before_w[k]} == {"2026-W16", "2026-W17"}


@pytest.mark.parametrize("code", ["MIN", "WEEK"])
def test_declared_reads(code):
    sys.path.insert(0, str(ROOT / "tests"))
    from test_declared_reads import check_declarations, instances_of

    examples = {slug: load_facts(Workspace(ROOT), slug) for slug in EXAMPLES}
    assert check_declarations(REGISTRY[code], instances_of(examples, REGISTRY[code])) == []
