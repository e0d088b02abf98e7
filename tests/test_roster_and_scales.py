"""What the documents assert is true (issue 10): every person named is on the roster, including
修订记录 authors, the OPP decision chain and the communication audiences (R-COM-4, with declared
``groups``); no placeholder typed in the data (R-COM-6, data part, which catches what ``salespm new``
leaves); survey scores, NPS and risk ratings stay on their scales (validation errors)."""

from __future__ import annotations

import dataclasses

import pytest

from salespm_docs.artifacts.registry import REGISTRY, load_all
from salespm_docs.build import Workspace, load_facts
from salespm_docs.errors import DataError
from salespm_docs.model.control import Revision
from salespm_docs.model.core import CommItem
from salespm_docs.model.lifecycle import Acceptance, DecisionMaker
from salespm_docs.rules import RULES, names_in, run_data_rules
from salespm_docs.scaffold import new_project

from conftest import EXAMPLES, ROOT, cli, facts_from, make_workspace

load_all()
CHT, OPP, WEEK, RET = (REGISTRY[c] for c in ("CHT", "OPP", "WEEK", "RET"))
NOT_ON_ROSTER = "「{}」不在项目名册（team）或客户联系人（client.contacts）中"
NOT_ON_ROSTER_NOR_GROUP = ("「{}」既不在项目名册（team）或客户联系人（client.contacts）中，也不是已声明的分组（groups）；"
                           "请把此人加入 team 或 client.contacts，或在 groups 中声明该分组")


def found(facts, artifact, rule: str, key: str | None = None) -> list[tuple[str, str]]:
    """(key path, message) of each finding of ``rule`` on one document (the file:line cut off)."""
    return [(f.location.split(": ", 1)[1], f.message) for f in run_data_rules(facts, artifact, key, artifact.code)
            if f.rule == rule]


def problems(data: dict, mutate) -> list[str]:
    """The located messages a mutated copy of the example is refused with."""
    with pytest.raises(DataError) as info:
        facts_from(data, mutate)
    return [str(p) for p in info.value.problems]


# -- R-COM-4: every person field is found, wherever it is declared ---------------------------

@pytest.mark.parametrize("model, field", [(Revision, "author"), (DecisionMaker, "name"),
                                          (Acceptance, "participants"), (CommItem, "audience")])
def test_every_kind_of_person_field_is_found(model, field):
    """A required ``author: Person`` keeps its marker in the field metadata, not in the annotation."""
    from salespm_docs.rules import _person_ref

    info = model.model_fields[field]
    assert _person_ref(info.annotation, info.metadata) is not None


def test_examples_are_clean(example_data):
    facts = facts_from(example_data)
    for code in ("CHT", "OPP", "RET"):
        assert found(facts, REGISTRY[code], "R-COM-4") == [], code
        assert found(facts, REGISTRY[code], "R-COM-6") == [], code


def test_revision_author_is_checked(example_data):
    facts = facts_from(example_data, lambda d: d["documents"]["CHT"]["revisions"][1].update(author="路人甲"))
    [f] = [f for f in run_data_rules(facts, CHT, None, "CHT") if f.rule == "R-COM-4"]
    assert f.location == "projects/huaxing-crm/documents.yaml:13: documents.CHT.revisions[1].author"
    assert f.message == NOT_ON_ROSTER.format("路人甲")


def test_weekly_revision_author_is_checked_in_its_own_week_only(example_data):
    def mutate(d):
        week = next(w for w in d["weekly"] if w["week"] == "2026-W18")
        week["document"]["revisions"][0]["author"] = "路人乙"
    facts = facts_from(example_data, mutate)
    i = next(i for i, w in enumerate(facts.project.weekly) if w.week == "2026-W18")
    assert found(facts, WEEK, "R-COM-4", "2026-W18") == [
        (f"weekly[{i}].document.revisions[0].author", NOT_ON_ROSTER.format("路人乙"))]
    assert found(facts, WEEK, "R-COM-4", "2026-W19") == []


def test_decision_chain_names_are_people_on_the_roster(example_data):
    facts = facts_from(example_data, lambda d: d["opportunity"]["decision_chain"][2].update(name="钱多多"))
    assert found(facts, OPP, "R-COM-4") == [("opportunity.decision_chain[2].name", NOT_ON_ROSTER.format("钱多多"))]


@pytest.mark.parametrize("slug", EXAMPLES)
def test_examples_decision_chain_are_client_contacts(slug):
    facts = load_facts(Workspace(ROOT), slug)
    contacts = {c.name: c for c in facts.project.client.contacts}
    for person in facts.project.opportunity.decision_chain:
        assert person.name in contacts, person.name
        assert contacts[person.name].title == person.title


def test_audience_entry_neither_person_nor_group(example_data):
    facts = facts_from(example_data, lambda d: d["communication"][0]["audience"].append("客户全体"))
    assert found(facts, CHT, "R-COM-4") == [("communication[0].audience[3]", NOT_ON_ROSTER_NOR_GROUP.format("客户全体"))]


def _line(prefix: str, nth: int = 0) -> int:
    """The line of the example's project.yaml starting with ``prefix`` (its ``nth`` occurrence)."""
    lines = (ROOT / "projects" / "huaxing-crm" / "project.yaml").read_text(encoding="utf-8").splitlines()
    return [n for n, line in enumerate(lines, 1) if line.startswith(prefix)][nth]


def test_audience_group_must_be_declared(example_data):
    facts = facts_from(example_data, lambda d: d.pop("groups"))
    [f, g] = [f for f in run_data_rules(facts, CHT, None, "CHT") if f.rule == "R-COM-4"]
    assert f.location == f"projects/huaxing-crm/project.yaml:{_line('    audience:', 0)}: communication[0].audience[0]"
    assert f.message == NOT_ON_ROSTER_NOR_GROUP.format("项目组全体")
    assert g.location == f"projects/huaxing-crm/project.yaml:{_line('    audience:', 1)}: communication[1].audience[2]"


def test_a_person_field_does_not_take_a_group(example_data):
    facts = facts_from(example_data, lambda d: d["communication"][0].update(owner="项目组全体"))
    assert found(facts, CHT, "R-COM-4") == [("communication[0].owner", NOT_ON_ROSTER.format("项目组全体"))]


def test_audience_is_checked_for_a_document_reading_everything(example_data):
    everything = dataclasses.replace(CHT, depends_on=("*",))
    facts = facts_from(example_data, lambda d: d["communication"][1]["audience"].append("路人丙"))
    assert ("communication[1].audience[3]", NOT_ON_ROSTER_NOR_GROUP.format("路人丙")) in found(facts, everything, "R-COM-4")
    assert not any(p.startswith("communication") for p, _ in found(facts, OPP, "R-COM-4"))  # OPP shows no plan


def test_group_members_are_on_the_roster(example_data):
    def mutate(d):
        d["groups"]["管理层"] = {"members": ["王建国", "黄志强", "外人丁"]}
        d["communication"][2]["audience"] = ["管理层", "张伟"]
    facts = facts_from(example_data, mutate)
    assert found(facts, CHT, "R-COM-4") == [("groups.管理层.members[2]", NOT_ON_ROSTER.format("外人丁"))]


def test_group_says_who_and_is_not_a_person(example_data):
    assert problems(example_data, lambda d: d["groups"].update(空组={})) == [
        f"projects/huaxing-crm/project.yaml:{_line('groups:')}: groups.空组: 分组须列出成员（members）或写明说明（description），不能为空"]
    assert problems(example_data, lambda d: d["groups"].update(林晓={"members": ["林晓"]})) == [
        f"projects/huaxing-crm/project.yaml:{_line('groups:')}: groups: 分组名「林晓」与名册（team）或客户联系人（client.contacts）中的人重名，"
        "请换一个分组名"]


def test_names_in_says_where_a_group_may_stand(example_data):
    facts = facts_from(example_data)
    refs = {path: ref.groups for path, _, ref in names_in(facts.project.communication, ("communication",))}
    assert refs[("communication", 0, "audience", 0)] is True
    assert refs[("communication", 0, "owner")] is False


# -- R-COM-6 on the data: placeholders typed in the data ---------------------------------------

def test_rule_is_registered():
    assert RULES["R-COM-6"].severity == "E"


def test_placeholder_in_a_field_is_located(example_data):
    facts = facts_from(example_data, lambda d: d["risks"][2].update(actions="【待填】"))
    [f] = [f for f in run_data_rules(facts, CHT, None, "CHT") if f.rule == "R-COM-6"]
    assert f.location.startswith("projects/huaxing-crm/risks.yaml:")
    assert f.location.endswith(": risks[2].actions")
    assert f.message == "risks[2].actions 仍含占位内容「【待填】」，请填写实际内容"


@pytest.mark.parametrize("text, word", [("接口方案 TODO 待定", "TODO"), ("联系人XXX确认", "XXX"),
                                        ("【待填】客户全称", "【待填】")])
def test_placeholder_inside_text(example_data, text, word):
    facts = facts_from(example_data, lambda d: d["scope"]["included"].insert(0, text))
    assert found(facts, CHT, "R-COM-6") == [
        ("scope.included[0]", f"scope.included[0] 仍含占位内容「{word}」（现为「{text}」），请填写实际内容")]


@pytest.mark.parametrize("text", ["TODOS 列表", "todo", "XXXL 号工服", "None", "nan", "inf", "待填写"])
def test_words_that_are_not_placeholders(example_data, text):
    facts = facts_from(example_data, lambda d: d["scope"]["included"].insert(0, text))
    assert found(facts, CHT, "R-COM-6") == []


def test_placeholder_in_the_control_block(example_data):
    facts = facts_from(example_data, lambda d: d["documents"]["OPP"]["revisions"][0].update(summary="TODO"))
    assert found(facts, OPP, "R-COM-6") == [
        ("documents.OPP.revisions[0].summary", "documents.OPP.revisions[0].summary 仍含占位内容「TODO」，请填写实际内容")]
    assert found(facts, CHT, "R-COM-6") == []


def test_placeholder_in_data_the_document_does_not_show(example_data):
    facts = facts_from(example_data, lambda d: d["opportunity"].update(summary="【待填】"))
    assert found(facts, CHT, "R-COM-6") == []
    assert [p for p, _ in found(facts, OPP, "R-COM-6")] == ["opportunity.summary"]


def test_placeholder_in_one_week_concerns_that_week_only(example_data):
    def mutate(d):
        next(w for w in d["weekly"] if w["week"] == "2026-W18")["done"][0] = "XXX"
    facts = facts_from(example_data, mutate)
    i = next(i for i, w in enumerate(facts.project.weekly) if w.week == "2026-W18")
    assert [p for p, _ in found(facts, WEEK, "R-COM-6", "2026-W18")] == [f"weekly[{i}].done[0]"]
    assert found(facts, WEEK, "R-COM-6", "2026-W19") == []


SKELETON_PLACEHOLDERS = ["project.name", "project.background", "project.purpose", "client.name",
                         "client.contacts[0].name", "client.contacts[0].title", "team[0].name", "team[1].name",
                         "organisation.sponsor", "organisation.manager", "organisation.manager_authority"]


def test_new_project_reports_its_placeholders(tmp_path):
    root = make_workspace(tmp_path)
    new_project(root, "demo")
    facts = load_facts(Workspace(root), "demo")  # the skeleton is valid data
    placeholders = found(facts, CHT, "R-COM-6")
    assert [p for p, _ in placeholders] == SKELETON_PLACEHOLDERS
    assert placeholders[0][1] == "project.name 仍含占位内容「【待填】」（现为「【待填】项目名称」），请填写实际内容"
    assert found(facts, CHT, "R-COM-4") == []  # its names are its own roster's, its group is declared
    result = cli(root, "status", "demo")
    assert result.exit_code == 0
    assert "不完整" in result.stdout


def test_new_project_with_name_and_client_given(tmp_path):
    root = make_workspace(tmp_path)
    new_project(root, "demo", name="某某 ERP 项目", client="某某股份有限公司")
    paths = [p for p, _ in found(load_facts(Workspace(root), "demo"), CHT, "R-COM-6")]
    assert paths == [p for p in SKELETON_PLACEHOLDERS if p not in ("project.name", "client.name")]


# -- scales: survey scores 1–5, NPS 0–10, risk ratings 1–5, never a boolean ----------------------

SURVEYS = "projects/huaxing-crm/surveys.yaml"


def test_scores_and_nps_out_of_scale_are_refused(example_data):
    def mutate(d):
        first, second = d["surveys"][0]["responses"], d["surveys"][1]["responses"]
        first[0]["scores"]["进度"] = 6
        second[1]["scores"]["培训/售后"] = 0
        first[2]["nps"] = 11
    assert problems(example_data, mutate) == [
        f"{SURVEYS}:7: surveys[0].responses[0].scores.进度: 评分应在 1–5 之间，实际为 6",
        f"{SURVEYS}:16: surveys[0].responses[2].nps: 推荐意愿（NPS）应在 0–10 之间，实际为 11",
        f"{SURVEYS}:43: surveys[1].responses[1].scores.培训/售后: 评分应在 1–5 之间，实际为 0",
    ]


def test_booleans_are_not_scores(example_data):
    def mutate(d):
        d["surveys"][0]["responses"][3]["scores"]["团队专业度"] = True
        d["surveys"][0]["responses"][3]["nps"] = False
    assert problems(example_data, mutate) == [
        f"{SURVEYS}:18: surveys[0].responses[3].scores.团队专业度: 评分应为 1–5 的整数，实际为布尔值 true",
        f"{SURVEYS}:19: surveys[0].responses[3].nps: 推荐意愿（NPS）应为 0–10 的整数，实际为布尔值 false",
    ]


def test_scale_ends_are_accepted(example_data):
    def mutate(d):
        d["surveys"][0]["responses"][0]["scores"].update(进度=1, 交付质量=5)
        d["surveys"][0]["responses"][0]["nps"] = 0
        d["surveys"][0]["responses"][1]["nps"] = 10
    facts = facts_from(example_data, mutate)
    assert facts.project.surveys[0].responses[0].nps == 0


def test_risk_ratings_are_on_the_1_to_5_scale(example_data):
    def mutate(d):
        d["risks"][0]["probability"] = 6
        d["risks"][0]["impact"] = True
    lines = (ROOT / "projects" / "huaxing-crm" / "risks.yaml").read_text(encoding="utf-8").splitlines()
    at = {key: next(n for n, line in enumerate(lines, 1) if line.strip().startswith(f"{key}:"))
          for key in ("probability", "impact")}  # the first risk's lines
    assert problems(example_data, mutate) == [
        f"projects/huaxing-crm/risks.yaml:{at['probability']}: risks[0].probability: 可能性应在 1–5 之间，实际为 6",
        f"projects/huaxing-crm/risks.yaml:{at['impact']}: risks[0].impact: 影响应为 1–5 的整数，实际为布尔值 true",
    ]


def test_scale_is_refused_from_the_command_line(tmp_path):
    root = make_workspace(tmp_path, ("huaxing-crm", ROOT / "projects" / "huaxing-crm"))
    path = root / "projects" / "huaxing-crm" / "surveys.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("scores: {交付质量: 4, 进度: 3,", "scores: {交付质量: 4, 进度: 6,", 1), encoding="utf-8")
    result = cli(root, "check", "huaxing-crm")
    assert result.exit_code == 2
    assert result.stderr == ("错误：项目数据有误（共 1 处）：\n"
                             f"  {SURVEYS}:7: surveys[0].responses[0].scores.进度: 评分应在 1–5 之间，实际为 6\n")
