"""SAT 满意度问卷: the blank form (DOCX/PDF text, XLSX drop-downs read back), the results summary's
figures against an independent computation from surveys.yaml, R-SAT-1…3 with exact messages and
locations, a survey answer of 6 through the CLI, RET's CSAT from the same computation, declared reads."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import pytest
import yaml
from openpyxl import load_workbook

from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.artifacts.sat import SECTIONS
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.facts import Facts
from salespm_docs.figures import outcomes
from salespm_docs.figures import satisfaction as fig
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLES, ROOT, cli, example_facts, make_workspace
from xlsx_tools import recalculated

load_all()
SAT = REGISTRY["SAT"]
HUAXING, YUANHANG = "huaxing-crm", "yuanhang-srm"
DIMS = ("交付质量", "进度", "沟通响应", "团队专业度", "培训/售后")


def facts_of(slug: str, mutate=None) -> Facts:
    return example_facts(slug, mutate, default=dt.date(2026, 7, 31))


def findings(facts: Facts, key: str, rule: str) -> list[tuple[str, str]]:
    return [(f.location, f.message) for f in run_data_rules(facts, SAT, key, f"SAT {key}") if f.rule == rule]


def render(slug: str, key: str, folder) -> tuple[list, dict]:
    ws = Workspace(ROOT)
    facts = load_facts(ws, slug)
    folder.mkdir(parents=True, exist_ok=True)
    result = Renderer(ws).render(facts, Instance(SAT, key), folder)
    return result.findings, {f.format: f.path for f in result.files}


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("sat")
    out = {}
    for slug, key in ((HUAXING, "问卷"), (HUAXING, "2026-06-24")):
        found, files = render(slug, key, base / key)
        out[key] = (found, docx_text(files["docx"]).text, pdf_text(files["pdf"])[0], files)
    return out


def raw_surveys(slug: str) -> list[dict]:
    return yaml.safe_load((ROOT / "projects" / slug / "surveys.yaml").read_text(encoding="utf-8"))["surveys"]


# -- instances ---------------------------------------------------------------------------------

def test_instances_are_the_form_and_one_summary_per_survey():
    assert SAT.instances(facts_of(HUAXING).project) == ["问卷", "2026-04-10", "2026-06-24"]
    assert SAT.instances(facts_of(YUANHANG).project) == ["问卷", "2026-11-13"]
    facts = facts_of(HUAXING)
    assert SAT.full_title(facts, "问卷") == "满意度问卷（空白问卷）"
    assert SAT.full_title(facts, "2026-06-24") == "满意度问卷（收尾阶段调研结果，2026年6月24日）"
    assert facts.control("SAT", "问卷")[0].number == "HX-P2026017-SAT-01"
    assert facts.control("SAT", "2026-06-24")[0].number == "HX-P2026017-SAT-03"
    assert facts.settings.is_client_facing("SAT")


# -- the blank form ------------------------------------------------------------------------------

def test_form_text(docs):
    found, docx, pdf, _ = docs["问卷"]
    assert [f for f in found if f.severity == "E"] == []
    for text in (docx, pdf):
        flat = squash(text)
        for heading in ("一、填写说明", "二、满意度评分", "三、推荐意愿（NPS）", "四、意见与建议", "五、答卷人信息"):
            assert squash(heading) in flat
        for d in DIMS:
            assert squash(d) in flat
        for label in ("1分非常不满意", "2分不满意", "3分一般", "4分满意", "5分非常满意"):
            assert label in flat
        assert squash("0 = 完全不可能，10 = 非常可能") in flat
        assert text.count("□") == 5 * 5 + 11
        assert "☐" not in text
        for line in ("答卷人姓名", "填写日期", "最需要改进的方面"):
            assert line in flat
        # client-facing: no results, no figures of ours
        assert "CSAT" not in text and "黄志强" not in text


def test_form_xlsx_has_drop_downs(docs):
    path = docs["问卷"][3]["xlsx"]
    wb = load_workbook(path)
    ws = wb["答卷"]
    headers = [c.value for c in ws[1]]
    assert headers == ["答卷人", *DIMS, "推荐意愿", "意见与建议"]
    assert ws.max_row == 1  # blank: no answers
    info = [str(c.value) for row in wb["文档信息"].iter_rows() for c in row if c.value is not None]
    assert "评分说明" in info and "1 = 非常不满意，2 = 不满意，3 = 一般，4 = 满意，5 = 非常满意" in info
    assert "0 = 完全不可能推荐，10 = 非常可能推荐" in info
    lists = wb["列表"]
    by_range = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        _, ref = dv.formula1.split("!")
        cells = lists[ref.replace("$", "")]
        values = [int(c[0].value) for c in cells]
        by_range[str(dv.sqref)] = values
    assert by_range == {"B2:B101": [1, 2, 3, 4, 5], "C2:C101": [1, 2, 3, 4, 5], "D2:D101": [1, 2, 3, 4, 5],
                        "E2:E101": [1, 2, 3, 4, 5], "F2:F101": [1, 2, 3, 4, 5], "G2:G101": list(range(11))}


@pytest.mark.clients
def test_libreoffice_opens_the_blank_form(docs):
    """LibreOffice Calc (installed when missing: a missing client fails, it is never skipped) opens
    the blank form and saves it again with its answer sheet's header row, and no answer."""
    ws = recalculated(docs["问卷"][3]["xlsx"])["答卷"]
    assert [c.value for c in ws[1]] == ["答卷人", *DIMS, "推荐意愿", "意见与建议"]
    assert all(c.value is None for row in ws.iter_rows(min_row=2) for c in row)  # blank: no answers


def test_results_xlsx_keeps_the_answers(docs):
    wb = load_workbook(docs["2026-06-24"][3]["xlsx"])
    ws = wb["答卷"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_row=ws.max_row)]
    raw = raw_surveys(HUAXING)[1]["responses"]
    assert [[r[0], *r[1:7]] for r in rows] == [[x["respondent"], *(x["scores"][d] for d in DIMS), x["nps"]]
                                               for x in raw]


# -- the results summary ---------------------------------------------------------------------------

def _independent(survey: dict) -> dict:
    scores = {d: [r["scores"][d] for r in survey["responses"]] for d in DIMS}
    every = [s for xs in scores.values() for s in xs]
    nps = [r["nps"] for r in survey["responses"] if r.get("nps") is not None]
    pct = lambda a, b: Decimal(a * 100 / b).quantize(Decimal("0.1"))  # noqa: E731
    return {"csat": pct(sum(s >= 4 for s in every), len(every)),
            "nps": pct(sum(s >= 9 for s in nps) - sum(s <= 6 for s in nps), len(nps)),
            "dims": {d: pct(sum(s >= 4 for s in xs), len(xs)) for d, xs in scores.items()}}


@pytest.mark.parametrize("slug", [HUAXING, YUANHANG])
def test_figures_per_survey_and_dimension_match_an_independent_computation(slug):
    facts = facts_of(slug)
    for raw, survey in zip(raw_surveys(slug), facts.project.surveys):
        want = _independent(raw)
        assert fig.csat(survey) == want["csat"] == outcomes.survey_csat(survey)
        assert fig.nps(survey) == want["nps"] == outcomes.survey_nps(survey)
        assert {r.name: r.csat for r in fig.dimension_rows(survey)} == want["dims"]


def test_known_figures():
    h = facts_of(HUAXING).project.surveys
    assert (fig.csat(h[0]), fig.nps(h[0])) == (Decimal("80.0"), Decimal("0.0"))
    assert (fig.csat(h[1]), fig.nps(h[1])) == (Decimal("88.0"), Decimal("40.0"))
    y = facts_of(YUANHANG).project.surveys[0]
    assert (fig.csat(y), fig.nps(y)) == (Decimal("80.0"), Decimal("0.0"))
    # RET reads the latest survey through the same computation
    assert outcomes.csat(facts_of(HUAXING)) == Decimal("88.0")


def test_results_text(docs):
    found, docx, pdf, _ = docs["2026-06-24"]
    assert [f for f in found if f.severity == "E"] == []
    for text in (docx, pdf):
        flat = squash(text)
        for section in SECTIONS:
            assert squash(section) in flat
        assert squash("88.0%（4–5 分答案 22 个 / 全部评分答案 25 个）") in flat
        assert squash("40（（推荐者 2 人 − 贬损者 0 人）÷ 作答 5 人 × 100）") in flat
        assert squash("培训/售后 5 0 1 1 3 0 3.40 60.0% 1") in flat
        assert "培训内容复杂度反馈较高" in flat and "增加实操环节" in flat
        assert squash("林晓（销售管理部经理）「培训/售后」2 分（措施 1）") in flat
        assert "培训内容偏复杂，一线销售不易掌握" in flat


# -- rules -----------------------------------------------------------------------------------------

def test_examples_have_no_sat_findings():
    for slug in EXAMPLES:
        facts = facts_of(slug)
        for key in SAT.instances(facts.project):
            assert [f for f in run_data_rules(facts, SAT, key, "SAT") if f.rule.startswith("R-SAT")] == []


def test_r_sat_1_an_empty_answer_sheet_and_a_future_survey():
    def mutate(d):
        d["surveys"][1]["responses"].append({"respondent": "郑凯（IT 专员）", "scores": {}})
    facts = facts_of(HUAXING, mutate)
    (loc, msg), = findings(facts, "2026-06-24", "R-SAT-1")
    assert msg == "答卷人「郑凯（IT 专员）」的答卷没有任何评分（scores）和推荐意愿（nps）"
    assert loc.endswith("surveys[1].responses[5]")
    late = facts_of(HUAXING, lambda d: d["surveys"][1].update(date="2026-08-03"))
    (loc, msg), = findings(late, "2026-08-03", "R-SAT-1")
    assert msg.startswith("调研日期 2026-08-03 在状态日期") and loc.endswith("surveys[1].date")


def test_r_sat_1_scale_checked_on_unvalidated_data():
    facts = facts_of(HUAXING)
    facts.project.surveys[1].responses[0].scores["进度"] = 6  # bypassing validation
    (loc, msg), = findings(facts, "2026-06-24", "R-SAT-1")
    assert msg == "答卷人「黄志强（信息化总监）」的「进度」评分为 6，不在 1–5 分的量表内"
    assert loc.startswith("projects/huaxing-crm/surveys.yaml:") and loc.endswith("surveys[1].responses[0].scores.进度")


def test_r_sat_2_typed_figures_must_match():
    def mutate(d):
        d["surveys"][1]["reported"] = {"csat": 92, "nps": 40}
    facts = facts_of(HUAXING, mutate)
    (loc, msg), = findings(facts, "2026-06-24", "R-SAT-2")
    assert msg == "填写的 CSAT 92% 与按答卷重新计算的 88.0% 不一致"
    assert loc.endswith("surveys[1].reported.csat")
    ok = facts_of(HUAXING, lambda d: d["surveys"][1].update(reported={"csat": "88.0%", "nps": 40}))
    assert findings(ok, "2026-06-24", "R-SAT-2") == []


def test_r_sat_3_a_low_score_without_follow_up():
    def mutate(d):
        d["surveys"][1]["follow_ups"][0]["respondents"] = ["马骏"]
    facts = facts_of(HUAXING, mutate)
    (loc, msg), = findings(facts, "2026-06-24", "R-SAT-3")
    assert msg == ("答卷人「林晓（销售管理部经理）」的「培训/售后」评分为 2 分（≤ 2 分的低分），没有跟进措施："
                   "请在 follow_ups 中加一条 dimension 为「培训/售后」（respondents 含「林晓」或留空）的改进措施")
    assert loc.startswith("projects/huaxing-crm/surveys.yaml:") and loc.endswith("surveys[1].responses[1].scores.培训/售后")


def test_r_sat_3_the_follow_up_needs_owner_and_due():
    def mutate(d):
        del d["surveys"][1]["follow_ups"][0]["owner"]
        del d["surveys"][1]["follow_ups"][0]["due"]
    (loc, msg), = findings(facts_of(HUAXING, mutate), "2026-06-24", "R-SAT-3")
    assert msg.startswith("低分项的跟进措施「下次增加实操环节") and msg.endswith("缺少责任人（owner）和完成时间（due）")
    assert loc.endswith("surveys[1].follow_ups[0]")


def test_a_survey_answer_of_6_through_the_cli(tmp_path):
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    path = root / "projects" / HUAXING / "surveys.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("scores: {交付质量: 4, 进度: 3, 沟通响应: 4, 团队专业度: 5, 培训/售后: 4}",
                                 "scores: {交付质量: 4, 进度: 6, 沟通响应: 4, 团队专业度: 5, 培训/售后: 4}"),
                    encoding="utf-8")
    line = next(n for n, x in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "进度: 6" in x)
    result = cli(root, "check", HUAXING)
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 2 and "Traceback" not in out
    assert f"projects/huaxing-crm/surveys.yaml:{line}: surveys[1].responses[2].scores.进度: 评分应在 1–5 之间，实际为 6" in out


def test_declared_reads():
    sys.path.insert(0, str(ROOT / "tests"))
    from test_declared_reads import check_declarations, instances_of

    examples = {slug: load_facts(Workspace(ROOT), slug) for slug in EXAMPLES}
    assert check_declarations(SAT, instances_of(examples, SAT)) == []
