"""Thresholds live in one file; the company overrides them, the project overrides the company."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

from salespm_docs.build import Workspace, load_facts
from salespm_docs.config import DEFAULTS, load_settings
from salespm_docs.errors import ConfigError

from conftest import EXAMPLE, FIXTURES, ROOT, cli, make_workspace


def test_every_threshold_of_the_catalogue_has_a_default():
    s = load_settings(ROOT)
    assert s.acceptance.pass_rate_target == 95
    assert s.payment.cycle_days_target == 30
    assert (s.payment.final_ratio, s.payment.final_due_days) == (70, 15)
    assert s.change.overrun_percent == 10
    assert (s.issues.escalate_manager_days, s.issues.escalate_management_days) == (3, 7)
    assert (s.feasibility.proceed_min, s.feasibility.conditional_min) == (4, 3)
    assert (s.risk_matrix.high_min, s.risk_matrix.medium_min) == (15, 5)
    assert s.communication.required == {"周例会": "每周", "月度复盘会": "每月", "周进度报告": "每周"}
    assert s.wbs.levels == 3
    assert s.classifications == ["公开", "内部", "秘密", "机密"]
    assert DEFAULTS.name == "defaults.yaml"


def test_company_then_project_override(tmp_path):
    root = make_workspace(tmp_path, ("minimal", FIXTURES / "minimal"))
    (root / "salespm.yaml").write_text("payment:\n  cycle_days_target: 45\nrisk_matrix:\n  high_min: 16\n",
                                       encoding="utf-8")
    folder = root / "projects" / "minimal"
    company = load_settings(root, folder)
    assert company.payment.cycle_days_target == 45 and company.risk_matrix.high_min == 16
    assert company.payment.final_ratio == 70  # untouched keys keep their defaults
    (folder / "config.yaml").write_text("payment:\n  cycle_days_target: 20\n", encoding="utf-8")
    project = load_settings(root, folder)
    assert project.payment.cycle_days_target == 20 and project.risk_matrix.high_min == 16


def test_a_company_threshold_changes_a_verdict(tmp_path):
    from salespm_docs.artifacts.registry import REGISTRY, load_all
    from salespm_docs.rules import run_data_rules

    load_all()
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    facts = load_facts(Workspace(root), EXAMPLE)
    assert facts.settings.risk_level(3, 5) == "高"
    assert not [f for f in run_data_rules(facts, REGISTRY["OPP"], None, "OPP") if f.rule == "R-OPP-3"]
    (root / "salespm.yaml").write_text("feasibility:\n  proceed_min: 4.2\n", encoding="utf-8")
    facts = load_facts(Workspace(root), EXAMPLE)
    assert facts.settings.feasibility_conclusion(Decimal("4.1")) == "有条件推进"
    assert [f.rule for f in run_data_rules(facts, REGISTRY["OPP"], None, "OPP") if f.rule == "R-OPP-3"]


def test_unknown_key_in_a_config_file_is_located(tmp_path):
    root = make_workspace(tmp_path, ("minimal", FIXTURES / "minimal"))
    (root / "salespm.yaml").write_text("payment:\n  cycle_day_target: 45\n", encoding="utf-8")
    result = cli(root, "check", "minimal")
    assert result.exit_code == 2
    assert result.stderr == ("错误：配置文件有误（共 1 处）：\n"
                             "  salespm.yaml:2: payment.cycle_day_target: 未知字段「cycle_day_target」；"
                             "是否想写「cycle_days_target」？\n")


def test_wrong_type_in_a_project_config_is_located(tmp_path):
    root = make_workspace(tmp_path, ("minimal", FIXTURES / "minimal"))
    (root / "projects" / "minimal" / "config.yaml").write_text("acceptance:\n  pass_rate_target: 120\n",
                                                                encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(root, root / "projects" / "minimal")
    assert str(info.value) == ("配置文件有误（共 1 处）：\n  projects/minimal/config.yaml:2: acceptance.pass_rate_target: "
                               "百分数应在 0–100 之间，实际为 120")


# -- the working-day calendar ------------------------------------------------------------------

def _deviation_of_4_2_2_in_w14(root) -> int:
    from salespm_docs.figures.progress import snapshot

    facts = load_facts(Workspace(root), EXAMPLE)
    return next(r for r in snapshot(facts, "2026-W14").rows if r.code == "4.2.2").deviation


def test_configured_holidays_and_make_up_days_change_the_working_days(tmp_path):
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    # planned end 2026-04-03 (Fri), forecast 2026-04-08 (Wed); 04-04…04-06 are 清明 holidays
    assert _deviation_of_4_2_2_in_w14(root) == 2
    (root / "salespm.yaml").write_text("calendar:\n  holidays: [2026-04-07]\n", encoding="utf-8")
    assert _deviation_of_4_2_2_in_w14(root) == 1
    (root / "salespm.yaml").write_text("calendar:\n  workdays: [2026-04-05]\n", encoding="utf-8")
    assert _deviation_of_4_2_2_in_w14(root) == 3


def test_a_day_cannot_be_both_holiday_and_working_day(tmp_path):
    root = make_workspace(tmp_path, ("minimal", FIXTURES / "minimal"))
    (root / "salespm.yaml").write_text(
        "calendar:\n  holidays: [2027-01-01]\n  workdays: [2027-01-01]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(root)
    assert str(info.value) == ("配置文件有误（共 1 处）：\n  salespm.yaml:1: calendar: 同一天不能既是放假日（holidays）"
                               "又是调休上班日（workdays）：2027-01-01")


@pytest.mark.slow
def test_years_without_holiday_data_are_pointed_out(tmp_path):
    slug = "yuanhang-srm"  # runs into 2027, which chinesecalendar does not cover yet
    root = make_workspace(tmp_path, (slug, ROOT / "projects" / slug))
    assert "提示" not in cli(root, "check", slug, "--only", "WBS").stdout  # its config.yaml names 2027's 元旦
    (root / "projects" / slug / "config.yaml").unlink()
    # the notice is about the plan's years (project.yaml, wbs.yaml): the other data only adds documents
    for path in (root / "projects" / slug).iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        elif path.name not in ("project.yaml", "wbs.yaml", "documents.yaml"):
            path.unlink()
    result = cli(root, "build", slug)
    assert result.exit_code == 0
    notice = ("项目日期涉及 2027 年，chinesecalendar 尚未收录其法定节假日，工作日暂按周一至周五计算"
              "（计划工期、偏差天数、缺周检查都受影响）。国务院办公厅公布安排后，请在 salespm.yaml"
              "（或 projects/yuanhang-srm/config.yaml）的 calendar.holidays 与 calendar.workdays 中补充。")
    assert f"提示：{notice}" in result.stdout.replace("\n", "")
    report = (root / "output" / slug / "完整性报告.md").read_text(encoding="utf-8")
    assert f"## 提示\n\n- {notice}\n" in report
