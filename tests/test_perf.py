"""PERF 团队绩效评估: the evaluation as a sponsor reads it (rendered DOCX and PDF) against an
independent computation from performance.yaml and the configured bands, a changed band changing
the grade, R-PERF-1…3 on broken data with exact messages and locations (the 90% weight total among
them, also through the CLI), validation errors, and the declared reads."""

from __future__ import annotations

import copy
import sys
from decimal import ROUND_HALF_UP, Decimal

import pytest
import yaml

from salespm_docs.artifacts.perf import SECTIONS
from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLES, ROOT, cli, facts_from, in_order, make_workspace

load_all()
PERF = REGISTRY["PERF"]
HUAXING = "huaxing-crm"
FILE = f"projects/{HUAXING}/performance.yaml"


def raw() -> dict:
    return yaml.safe_load((ROOT / "projects" / HUAXING / FILE.split("/", 2)[2]).read_text(encoding="utf-8"))["performance"]


def team() -> dict[str, str]:
    data = yaml.safe_load((ROOT / "projects" / HUAXING / "project.yaml").read_text(encoding="utf-8"))
    return {m["name"]: m["role"] for m in data["team"]}


def bands(text: str | None = None) -> list[tuple[Decimal, str]]:
    data = yaml.safe_load(text or (ROOT / "salespm_docs" / "defaults.yaml").read_text(encoding="utf-8"))
    return [(Decimal(str(b["min"])), b["grade"]) for b in data["performance"]["bands"]]


def expected_rows(band_list=None) -> list[list[str]]:
    """The result table computed here, from the YAML alone: Σ weight × score / 100, half up to 0.1."""
    perf, roles, band_list = raw(), team(), band_list or bands()
    weights = {d["name"]: Decimal(str(d["weight"])) for d in perf["dimensions"]}
    rows = []
    for n, e in enumerate(perf["evaluations"], 1):
        total = (sum(weights[d] * Decimal(str(e["scores"][d])) for d in weights) / 100).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)
        grade = next(g for low, g in band_list if total >= low)
        pairs = [f"{d} {e['scores'][d]}" for d in weights]
        scores = "；".join(pairs[:2]) + "\n" + "；".join(pairs[2:])      # two pairs a line
        rows.append([str(n), e["name"], roles[e["name"]], scores, f"{total:f}", grade, e["comment"]])
    return rows


def render(root, folder) -> tuple[list, dict]:
    ws = Workspace(root)
    facts = load_facts(ws, HUAXING)
    folder.mkdir(parents=True, exist_ok=True)
    result = Renderer(ws).render(facts, Instance(PERF, None), folder)
    return result.findings, {f.format: f.path for f in result.files}


def table(docx, first: list[str]) -> list[list[str]]:
    [found] = [t for t in docx.tables if t and t[0][:len(first)] == first]
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    found, files = render(ROOT, tmp_path_factory.mktemp("perf"))
    return found, docx_text(files["docx"]), pdf_text(files["pdf"])[0], files


# -- the rendered evaluation ---------------------------------------------------------------------

def test_rendered_evaluation_is_clean_with_every_section(rendered):
    found, docx, pdf, files = rendered
    assert found == []
    assert in_order(docx.text, SECTIONS) and in_order(pdf, SECTIONS)
    assert files["docx"].name == "PERF_团队绩效评估_V1.0.docx"
    for text in (docx.text, pdf):
        assert "HX-P2026017-PERF-01" in text and "秘密" in text and "None" not in text and "草稿" not in text


def test_result_table_equals_an_independent_computation_from_the_yaml(rendered):
    _, docx, pdf, _ = rendered
    rows = table(docx, ["序号", "姓名", "角色", "维度得分"])
    assert [squash(c) for c in rows[0]] == ["序号", "姓名", "角色", "维度得分", "加权总分", "等级", "评语"]
    want = expected_rows()
    assert [[squash(c) for c in r] for r in rows[1:]] == [[squash(c) for c in r] for r in want]
    # spot values worked by hand: 张伟 .35×92 + .25×90 + .2×93 + .2×95 = 92.3; 陈刚 83.95 → 84.0 (half up)
    assert {r[1]: (r[4], r[5]) for r in want}["张伟"] == ("92.3", "优秀")
    assert {r[1]: (r[4], r[5]) for r in want}["陈刚"] == ("84.0", "良好")
    assert {r[1]: (r[4], r[5]) for r in want}["周婷"] == ("76.3", "合格")
    flat = squash(pdf)
    for r in want:
        assert squash("".join(r[1:6])) in flat, r[1]


def test_weights_distribution_and_exclusions_as_shown(rendered):
    _, docx, pdf, _ = rendered
    weights = table(docx, ["序号", "维度", "权重"])
    assert [r[1:3] for r in weights[1:]] == [["任务质量", "35%"], ["进度", "25%"], ["协作", "20%"], ["客户评价", "20%"],
                                             ["", "100%"]]
    want = expected_rows()
    dist = table(docx, ["等级", "加权总分区间", "人数"])
    by_grade = {g: [r[1] for r in want if r[5] == g] for _, g in bands()}
    assert [r[:3] for r in dist[1:-1]] == [["优秀", "≥ 90", "2"], ["良好", "80–90", "6"], ["合格", "60–80", "1"],
                                           ["待改进", "< 60", "0"]]
    for r in dist[1:-1]:
        assert r[2] == str(len(by_grade[r[0]]))
        assert r[4] == ("、".join(by_grade[r[0]]) or "—")
    assert dist[-1][:3] == ["合计", "", "9"]
    excluded = table(docx, ["姓名", "角色", "不参加评估的理由"])
    assert [r[:2] for r in excluded[1:]] == [["王建国", "项目发起人"], ["钱雅琴", "财务经理"], ["邵文博", "法务经理"]]
    # every member of the team is either evaluated or excluded with a reason, in the document itself
    assert {r[1] for r in want} | {r[0] for r in excluded[1:]} == set(team())
    for text in (docx.text, pdf):
        flat = squash(text)
        assert squash("本次评估覆盖项目组名册中的 12 名成员：评估 9 人，3 人不参加评估") in flat
        assert squash("等级区间：≥ 90 分为优秀；80–90 分为良好；60–80 分为合格；< 60 分为待改进") in flat
        for x in raw()["exclusions"]:
            assert squash(x["reason"]) in flat


def test_a_changed_band_in_the_project_config_changes_the_grade(tmp_path):
    """优秀 from 92 instead of 90 (project config.yaml): 刘洋 (90.1) becomes 良好, 张伟 (92.3) stays 优秀."""
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    text = ("performance:\n  bands:\n    - {min: 92, grade: 优秀}\n    - {min: 80, grade: 良好}\n"
            "    - {min: 60, grade: 合格}\n    - {min: 0, grade: 待改进}\n")
    (root / "projects" / HUAXING / "config.yaml").write_text(text, encoding="utf-8")
    found, files = render(root, tmp_path / "out")
    assert found == []
    docx, pdf = docx_text(files["docx"]), pdf_text(files["pdf"])[0]
    want = expected_rows(bands(text))
    assert {r[1]: r[5] for r in want}["刘洋"] == "良好" and {r[1]: r[5] for r in want}["张伟"] == "优秀"
    rows = table(docx, ["序号", "姓名", "角色", "维度得分"])
    assert [r[5] for r in rows[1:]] == [r[5] for r in want]
    assert squash("≥ 92 分为优秀；80–92 分为良好") in squash(pdf)
    assert squash("刘洋交付负责人" + want[3][3] + "90.1良好") in squash(pdf)


# -- rules on broken data ------------------------------------------------------------------------

def line_of(text: str, start: int = 0) -> int:
    lines = (ROOT / FILE).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if n > start and line.strip().startswith(text))


def findings(data: dict, mutate, rule: str | None = None) -> list[tuple[str, str]]:
    facts = facts_from(data, mutate)
    return [(f.location, f.message) for f in run_data_rules(facts, PERF, None, "PERF")
            if rule is None or f.rule == rule]


def evaluation(data: dict, name: str) -> dict:
    return next(e for e in data["performance"]["evaluations"] if e["name"] == name)


def test_the_example_passes_every_rule(example_data):
    assert findings(example_data, None) == []


def test_a_weight_total_of_90_percent(example_data):
    def ninety(d):
        d["performance"]["dimensions"][3]["weight"] = 10
    found = findings(example_data, ninety, "R-PERF-1")
    assert (f"{FILE}:{line_of('dimensions:')}: performance.dimensions", "评估维度权重之和为 90%，应为 100%") in found
    # the typed total of 张伟 no longer matches either: the recomputation is on the data as written
    assert (f"{FILE}:{line_of('total:')}: performance.evaluations[0].total",
            "张伟的加权总分填写为 92.3，按权重重算为 82.8（Σ 权重 × 得分，保留一位小数）：文档显示重算结果，请改正或删除 total") in found


def test_scores_outside_the_scale_missing_or_unknown(example_data):
    def breaks(d):
        scores = evaluation(d, "李娜")["scores"]
        scores["任务质量"] = 120
        del scores["协作"]
        scores["出勤"] = 90
        evaluation(d, "孙磊")["scores"]["进度"] = -5
    found = dict((m, loc) for loc, m in findings(example_data, breaks, "R-PERF-1"))
    li = line_of("- name: 李娜")
    assert found["李娜的「任务质量」得分 120 超出评分范围 0–100（百分制）"] == (
        f"{FILE}:{li + 1}: performance.evaluations[1].scores.任务质量")
    assert found["李娜缺少维度「协作」的得分（scores.协作）"] == f"{FILE}:{li + 1}: performance.evaluations[1].scores"
    assert found["李娜的得分维度「出勤」不在评估维度（dimensions）中：可用维度为 任务质量、进度、协作、客户评价"].endswith(
        "performance.evaluations[1].scores.出勤")
    assert found["孙磊的「进度」得分 −5 超出评分范围 0–100（百分制）"].endswith("performance.evaluations[5].scores.进度")
    assert len(found) == 4


def test_a_typed_total_or_grade_must_match_the_recomputation(example_data):
    def typed(d):
        evaluation(d, "张伟")["total"] = 93
        evaluation(d, "陈刚").update(total=Decimal("83.9"), grade="优秀")
    found = findings(example_data, typed, "R-PERF-1")
    assert [m for _, m in found] == [
        "张伟的加权总分填写为 93，按权重重算为 92.3（Σ 权重 × 得分，保留一位小数）：文档显示重算结果，请改正或删除 total",
        "陈刚的加权总分填写为 83.9，按权重重算为 84.0（Σ 权重 × 得分，保留一位小数）：文档显示重算结果，请改正或删除 total",
        "陈刚的等级填写为「优秀」，按加权总分 84.0 与等级区间（≥ 90 优秀，80–90 良好，60–80 合格，< 60 待改进）应为「良好」"]
    assert [loc.rsplit(": ", 1)[1] for loc, _ in found] == [
        "performance.evaluations[0].total", "performance.evaluations[2].total", "performance.evaluations[2].grade"]
    # the exact figure, written with trailing zeros, is accepted
    assert findings(example_data, lambda d: evaluation(d, "陈刚").update(total=Decimal("84.0"), grade="良好"), "R-PERF-1") == []


def test_every_team_member_is_evaluated_or_excluded_with_a_reason(example_data):
    def drops(d):
        perf = d["performance"]
        perf["evaluations"] = [e for e in perf["evaluations"] if e["name"] != "孙磊"]
        perf["exclusions"] = [x for x in perf["exclusions"] if x["name"] != "钱雅琴"]
    found = findings(example_data, drops, "R-PERF-2")
    assert found == [(f"{FILE}:{line_of('evaluations:')}: performance.evaluations",
                      "项目组名册（team）中以下成员既没有评估，也没有列入不参加评估人员（exclusions）并说明理由："
                      "孙磊（开发工程师）、钱雅琴（财务经理）")]


def test_nobody_off_the_team_and_nobody_twice(example_data):
    def strangers(d):
        perf = d["performance"]
        perf["evaluations"].append({"name": "黄志强", "scores": {"任务质量": 90, "进度": 90, "协作": 90, "客户评价": 90},
                                    "comment": "客户方负责人"})
        evaluation(d, "郑华")["role"] = "质量总监"
        perf["exclusions"].append({"name": "路人甲", "reason": "不是项目组成员"})
        perf["exclusions"].append({"name": "周婷", "reason": "已离职"})
    found = findings(example_data, strangers, "R-PERF-2")
    assert [(loc.rsplit(": ", 1)[1], m) for loc, m in found] == [
        ("performance.evaluations[6].name", "周婷既有评估又列在不参加评估人员（exclusions）中，只能选其一"),
        ("performance.evaluations[8].role", "郑华的角色填写为「质量总监」，与名册（team）中的「质量经理」不一致"),
        ("performance.evaluations[9].name",
         "被评估人「黄志强」不在项目组名册（team）中：只评估项目组成员，请改正姓名或先加入 team"),
        ("performance.exclusions[3].name", "不参加评估人员「路人甲」不在项目组名册（team）中")]


def test_a_public_classification_is_refused(example_data):
    found = findings(example_data, lambda d: d["documents"]["PERF"].update(classification="公开"), "R-PERF-3")
    assert [(loc.rsplit(": ", 1)[1], m) for loc, m in found] == [
        ("documents.PERF.classification",
         "团队绩效评估含个人评分与评语，密级不能为「公开」，应为内部、秘密或机密")]
    assert found[0][0].startswith(f"projects/{HUAXING}/documents.yaml:")


# -- through the CLI -----------------------------------------------------------------------------

def _check(tmp_path, edit) -> tuple[int, str]:
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    path = root / FILE
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = cli(root, "check", HUAXING, "--only", "PERF")
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in out
    return result.exit_code, out


def test_cli_reports_the_90_percent_weight_total_at_its_line(tmp_path):
    code, out = _check(tmp_path, lambda t: t.replace("weight: 20\n      criteria: 满意度调查", "weight: 10\n      criteria: 满意度调查"))
    assert code != 0
    assert f"{FILE}:{line_of('dimensions:')}" in out and "评估维度权重之和为 90%，应为 100%" in out


def test_cli_refuses_a_member_evaluated_twice_as_a_located_error(tmp_path):
    code, out = _check(tmp_path, lambda t: t.replace("    - name: 李娜\n", "    - name: 张伟\n"))
    assert code != 0
    assert FILE in out and "被评估人 张伟 重复：每名成员只评估一次" in out


# -- declared reads ------------------------------------------------------------------------------

def test_declared_reads():
    sys.path.insert(0, str(ROOT / "tests"))
    from test_declared_reads import check_declarations, instances_of

    examples = {slug: load_facts(Workspace(ROOT), slug) for slug in EXAMPLES}
    runs = instances_of(examples, PERF)
    assert [f.slug for f, _ in runs] == [HUAXING]          # the midway project has no evaluation yet
    assert check_declarations(PERF, runs) == []


def test_bands_out_of_order_in_the_config_are_a_located_error(tmp_path):
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    (root / "projects" / HUAXING / "config.yaml").write_text(
        "performance:\n  bands:\n    - {min: 60, grade: 合格}\n    - {min: 90, grade: 优秀}\n    - {min: 0, grade: 待改进}\n",
        encoding="utf-8")
    result = cli(root, "check", HUAXING, "--only", "PERF")
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code != 0 and "Traceback" not in out
    assert f"projects/{HUAXING}/config.yaml" in out and "等级区间应按下限（min）从高到低排列，且下限各不相同" in out


def test_a_missing_score_leaves_the_total_not_applicable_never_none(example_data):
    from salespm_docs.artifacts.perf import context

    facts = facts_from(example_data, lambda d: evaluation(d, "李娜")["scores"].pop("协作"))
    row = context(facts, None)["rows"][1]
    assert (row["name"], row["total"], row["grade"]) == ("李娜", None, None)
    assert row["scores"] + "；" + row["scores_more"] == "任务质量 80；进度 88；协作 未评；客户评价 88"
    assert [g["count"] for g in context(facts, None)["distribution"]] == [2, 5, 1, 0]
    assert context(facts, None)["perf"]["graded"] == 8      # the 合计 of the distribution adds up
