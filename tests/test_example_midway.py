"""The second bundled example, yuanhang-srm: a project mid-way (stage 执行) on 2026-11-24.

What ``salespm status`` and ``salespm build`` show for it: the 启动 documents complete, weekly reports
up to the last complete week, and no 收尾 document asked for (their data does not exist yet).
"""

from __future__ import annotations

import datetime as dt

import pytest

from salespm_docs.artifacts.registry import REGISTRY, buildable
from salespm_docs.build import Workspace, build, load_facts
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.figures import progress
from salespm_docs.rules import run_data_rules
from salespm_docs.status import statuses

from conftest import ROOT, _copy_of_built, make_workspace

SLUG = "yuanhang-srm"
NAME = "远航供应链 SRM 供应商协同平台项目"
CLIENT = "宁波远航供应链管理有限公司"
TODAY = dt.datetime(2026, 11, 24, tzinfo=dt.timezone.utc)
WEEKS = [f"2026-W{n}" for n in range(37, 48)]
CLOSING = {"ACC", "RET", "PERF", "SALES"}


def epoch(day: dt.datetime) -> str:
    return str(int(day.timestamp()))


@pytest.fixture
def today(monkeypatch):
    """Fix "today" at 2026-11-24 (a Tuesday of 2026-W48) for one test."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(TODAY))


@pytest.fixture(scope="module")
def midway(tmp_path_factory):
    """The example built on 2026-11-24: (workspace root, output folder, BuildResult). Its status date
    is pinned, so the session's shared build is its build on any day: this one reuses every file."""
    root = _copy_of_built(tmp_path_factory, "midway")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", epoch(TODAY))
        result = build(root, SLUG)
    return root, root / "output" / SLUG, result


def text_of(out, code: str) -> tuple[str, str]:
    """(DOCX text, PDF text) of a one-per-project document, whitespace removed."""
    stem = f"{code}_{REGISTRY[code].title}_V1.0"
    return squash(docx_text(out / f"{stem}.docx").text), squash(pdf_text(out / f"{stem}.pdf")[0])


# -- status ---------------------------------------------------------------------------------

def test_status_shows_stage_execution_with_initiation_documents_complete(tmp_path, today):
    root = make_workspace(tmp_path, (SLUG, ROOT / "projects" / SLUG))
    [s] = statuses(root, SLUG)
    assert s.error is None
    assert (s.name, s.stage) == (NAME, "执行")
    rows = {(d.artifact.code, d.key): d for d in s.documents}
    assert rows[("OPP", None)].state == "complete" and rows[("OPP", None)].due
    assert rows[("CHT", None)].state == "complete" and rows[("CHT", None)].due
    # No acceptance or retrospective data yet: ACC and RET are not listed. The 回款跟踪表 (收尾) is,
    # since the contract's payments are tracked from the first one, but it is not due before 收尾.
    assert [d for d in s.documents if d.artifact.code in CLOSING] == []
    assert [(d.artifact.code, d.due) for d in s.documents if d.artifact.stage == "收尾"] == [("PAY", False)]
    # The weekly reports run from the first week up to the last complete week before today.
    weeks = [(d.key, d.state) for d in s.documents if d.artifact.code == "WEEK"]
    assert weeks == [(w, "complete") for w in WEEKS]
    # 执行 and 监控 run together: the weekly reports are due from the start of 执行
    assert {d.artifact.code for d in s.documents if d.due} == {"INIT", "OPP", "CHT", "PLAN", "WBS", "GNT", "RES", "RISK",
                                                               "COM", "STRAT", "WEEK", "PRG", "ISS",
                                                               "REQ", "SOL", "CTR", "MIN", "CHG", "MAIL", "SAT"}
    assert all(d.state == "complete" for d in s.documents)


# -- build ----------------------------------------------------------------------------------

def test_build_produces_complete_initiation_documents_and_no_error(midway):
    _, out, result = midway
    assert [str(f) for f in result.errors()] == []
    built = {d.instance.label: d for d in result.documents}
    for code in ("OPP", "CHT"):
        doc = built[code]
        assert doc.complete
        assert sorted(f.format for f in doc.files) == ["docx", "pdf"]
        assert all(f.path.is_file() and f.path.stat().st_size > 0 for f in doc.files)
    assert sorted(k for k in built if k.startswith("WEEK")) == [f"WEEK {w}" for w in WEEKS]
    assert all(d.complete for d in result.documents)


def test_build_lists_the_closing_documents_as_missing_data(midway):
    """The closing documents have no data yet, nor has the 阶段性验收报告: no phase has been accepted
    (UAT is in December). The build skips them; ``status`` lists PACC as not due (occasional)."""
    _, _, result = midway
    assert {a.code for a in result.missing} == CLOSING | {"PACC"}
    assert {a.stage for a in result.missing if a.code in CLOSING} == {"收尾"}


def test_charter_shows_the_project_figures(midway):
    _, out, _ = midway
    for text in text_of(out, "CHT"):
        assert squash(NAME) in text and CLIENT in text
        assert "HX-P2026042-CHT-01" in text
        assert "人民币壹佰叁拾捌万元整" in text and "¥1,380,000.00" in text
        for milestone in ("项目启动会", "需求确认", "方案评审通过", "UAT通过", "系统上线", "最终验收"):
            assert milestone in text
        assert "徐明辉" in text and "王建国" in text and "陈志远" in text


def test_opportunity_report_shows_a_conditional_go(midway):
    _, out, _ = midway
    for text in text_of(out, "OPP"):
        assert squash(NAME) in text and "HX-P2026042-OPP-01" in text
        assert "有条件推进" in text
        assert "3.8" in text  # 30%×4 + 20%×3 + 25%×4 + 25%×4
        assert "人民币壹佰玖拾贰万元整" in text  # expected amount ¥1,920,000.00


def test_the_late_design_review_week_is_amber_and_explained(midway):
    _, out, _ = midway
    stem = "WEEK_周进度报告_2026-W44_V1.0"
    for text in (squash(docx_text(out / f"{stem}.docx").text), squash(pdf_text(out / f"{stem}.pdf")[0])):
        assert "HX-P2026042-WEEK-44" in text
        assert "总体状态：黄" in text
        assert "方案评审延期至11月6日复审" in text
        assert "评审未能在10月30日通过" in text          # 延期原因
        assert "11月6日复审；环境部署与基础配置" in text  # 纠正措施


# -- data rules -----------------------------------------------------------------------------

def test_every_built_document_passes_its_data_rules(midway, today):
    root, _, result = midway
    facts = load_facts(Workspace(root), SLUG)
    checked = []
    for doc in result.documents:
        instance = doc.instance
        found = run_data_rules(facts, instance.artifact, instance.key, instance.label)
        assert [str(f) for f in found] == [], instance.label
        checked.append(instance.label)
    assert {"INIT", "OPP", "CHT", "PLAN", "WBS", "GNT", "RES", "RISK", "COM", "STRAT", "PRG", "ISS", "PAY",
            "WEEK 2026-W47"} <= set(checked)
    assert {"REQ", "SOL", "CTR HX-XS-2026-042", "CHG CR-01"} <= set(checked)
    assert len([c for c in checked if c.startswith("MIN ")]) == len(list((ROOT / "projects" / SLUG / "meetings").iterdir()))
    assert len(checked) == 13 + 7 + 2 + 2 * len(WEEKS)  # + REQ, SOL, CTR, CHG, three minutes, SAT ×2, a mail a week


def test_progress_snapshots_tell_the_story(tmp_path, today):
    root = make_workspace(tmp_path, (SLUG, ROOT / "projects" / SLUG))
    facts = load_facts(Workspace(root), SLUG)
    snaps = facts.derive(progress.snapshots)
    assert sorted(snaps) == WEEKS
    statuses_ = {w.week: w.status for w in facts.project.weekly}
    assert [w for w, s in statuses_.items() if s != "绿"] == ["2026-W44"]
    # The one task behind plan: 方案评审, 5 working days late, reported while late and when done.
    assert [(r.code, r.status, r.deviation) for r in snaps["2026-W44"].behind] == [("3.1.3", "滞后", 5)]
    assert [(r.code, r.status, r.deviation) for r in snaps["2026-W45"].behind] == [("3.1.3", "延期完成", 5)]
    assert all(not snaps[w].behind for w in WEEKS if w not in ("2026-W44", "2026-W45"))
    m3 = next(m for m in snaps["2026-W45"].milestones if m.id == "M3")
    assert (m3.status, m3.forecast, m3.deviation) == ("已完成", dt.date(2026, 11, 6), 5)
    # Currently implementing: configuration, portal and ERP interface in progress, on plan.
    active = {r.code: (r.status, r.percent) for r in snaps["2026-W47"].active}
    assert active == {"4.1.2": ("进行中", 80), "4.2.1": ("进行中", 75), "4.2.3": ("进行中", 75)}
    cost = snaps["2026-W47"].cost
    assert cost.budget == 1528000 and cost.actual_cost == 639800  # the baseline after CR-01 (+148,000)
    assert abs(cost.actual_cost - cost.planned_value) / cost.budget < 0.02  # AC close to PV
    assert facts.budget_total == sum(line.amount for line in facts.project.budget.lines)
    assert facts.budget_total <= facts.project.initiation.budget.total  # the approved 立项 budget


def test_a_week_later_the_missing_report_is_flagged(tmp_path, monkeypatch):
    """The example's data is as of its status date (2026-11-24), so it stays complete a week later;
    without the status date, 2026-W48 is missing by 2026-12-01 — a finding about the series, which
    leaves the approved W47 final."""
    from salespm_docs.build import run_series_rules

    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)))
    root = make_workspace(tmp_path, (SLUG, ROOT / "projects" / SLUG))
    week = REGISTRY["WEEK"]

    def found():
        facts = load_facts(Workspace(root), SLUG)
        per_week = [f for key in week.instances(facts.project)
                    for f in run_data_rules(facts, week, key, f"WEEK {key}")]
        return facts, per_week, run_series_rules(facts, week)

    facts, per_week, series = found()
    assert facts.today == dt.date(2026, 11, 24) and per_week == [] and series == []
    project_yaml = root / "projects" / SLUG / "project.yaml"
    text = project_yaml.read_text(encoding="utf-8")
    assert "status_date: 2026-11-24" in text
    project_yaml.write_text(text.replace("status_date: 2026-11-24", ""), encoding="utf-8")
    facts, per_week, series = found()
    assert facts.today == dt.date(2026, 12, 1) and per_week == []
    assert [(f.rule, f.document, f.location) for f in series] == [
        ("R-WEEK-1", "WEEK 系列", f"projects/{SLUG}/weekly/2026-W48.yaml")]
    assert "缺少 2026-W48 的周进度报告（weekly/2026-W48.yaml）" in series[0].message


def test_closing_artifacts_exist_but_have_no_data_here():
    codes = {a.code for a in buildable()}
    assert CLOSING <= codes
    for code in CLOSING:
        assert REGISTRY[code].stage == "收尾"
