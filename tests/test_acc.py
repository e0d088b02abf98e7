"""项目验收报告 end to end and R-ACC-1…5: render the example, read DOCX and PDF, break the data per rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from salespm_docs.artifacts.acc import SECTIONS
from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLE, ROOT, facts_from, in_order, make_workspace, write_yaml

load_all()
ACC = REGISTRY["ACC"]
DOCX = "ACC_项目验收报告_V1.0.docx"
PDF = "ACC_项目验收报告_V1.0.pdf"


def render_acc(root: Path, folder: Path):
    """Render only the ACC of the example in ``root`` into ``folder``: (DOCX text, PDF text, result)."""
    ws = Workspace(root)
    facts = load_facts(ws, EXAMPLE)
    folder.mkdir(parents=True, exist_ok=True)
    result = Renderer(ws).render(facts, Instance(ACC), folder)
    return docx_text(folder / DOCX), pdf_text(folder / PDF)[0], result


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = make_workspace(tmp_path_factory.mktemp("acc"), (EXAMPLE, ROOT / "projects" / EXAMPLE))
    return render_acc(root, root / "out")


# -- rendered documents -------------------------------------------------------------------

def test_docx_has_every_section_in_order(rendered):
    docx = rendered[0]
    assert in_order(docx.text, SECTIONS)
    assert [h for h in docx.headings if "、" in h] == [
        "一、项目概况", "二、验收依据", "三、验收范围与交付物清单", "四、验收过程", "五、验收结果",
        "六、遗留问题与整改", "七、验收结论", "八、双方签字盖章"]


def test_pdf_has_every_section_in_order(rendered):
    assert in_order(rendered[1], SECTIONS)


KEY_VALUES = [
    "90%", "有条件通过", "赵敏", "盖章", "HX-P2026017-ACC-01", "9 / 10", "9 / 10 = 90%",
    "人民币肆佰捌拾万元整（¥4,800,000.00）", "HX-XS-2026-017", "需求说明书》HX-P2026017-REQ-01 V1.1", "HX-P2026017-CHT-01 V1.0",
    "2026年6月18日", "2026-07-03", "单位名称（盖章）", "甲方（盖章）", "乙方（盖章）",
    "浙江华星精密制造股份有限公司", "杭州华信数智科技有限公司", "黄志强", "张伟",
    "抽样核对 500 条记录，准确率 99.2%", "较计划完工日期提前 7 个工作日",
]


@pytest.mark.parametrize("value", KEY_VALUES)
def test_key_values_in_docx_and_pdf(rendered, value):
    assert squash(value) in squash(rendered[0].text)
    assert squash(value) in squash(rendered[1])


def test_every_charter_deliverable_has_its_result_in_the_docx(rendered, example_data):
    results = {r["deliverable"]: r["result"] for r in example_data["acceptance"]["results"]}
    table = next(t for t in rendered[0].tables if t[0] == ["编号", "交付物", "验收结果", "说明"])
    rows = {row[0]: (row[1], row[2]) for row in table[1:]}
    assert list(rows) == [d["id"] for d in example_data["deliverables"]]
    for d in example_data["deliverables"]:
        assert rows[d["id"]] == (d["name"], results[d["id"]])
    assert [row[2] for row in table[1:]].count("有条件通过") == 1


def test_every_deliverable_result_in_the_pdf(rendered, example_data):
    flat = squash(rendered[1])
    for d in example_data["deliverables"]:
        assert squash(d["name"]) in flat
    assert flat.count("有条件通过") >= 2   # results table and tally


def test_open_item_row_names_owner_and_deadline(rendered):
    table = next(t for t in rendered[0].tables if t[0][0] == "相关交付物")
    assert table[1][0] == "D6 历史数据迁移"
    assert table[1][2:] == ["赵敏", "2026-07-03"]


@pytest.mark.parametrize("junk", ["{{", "{%", "None", "nan", "TODO", "【待填】", "草稿"])
def test_no_leftovers_and_no_draft_mark(rendered, junk):
    assert junk not in rendered[0].text
    assert junk not in rendered[1]


def test_rendered_example_has_no_findings(rendered):
    assert rendered[2].findings == []


# -- client-facing: the pass rate is a fact, never a verdict against our internal targets ------

INTERNAL = ("未达成", "达成", "对照目标", "通过率目标", "成功标准", "≥95%", "≥ 95%")


def test_no_target_verdict_in_docx_or_pdf(rendered):
    for text in (rendered[0].text, rendered[1]):
        flat = squash(text)
        assert "验收通过率=通过/总数=9/10=90%。" in flat
        for word in INTERNAL:
            assert squash(word) not in flat, word
    assert not [t for t in rendered[0].tables if t[0][0] == "对照目标"]


def test_configured_target_changes_nothing_in_acc(tmp_path):
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    write_yaml(root / "projects" / EXAMPLE / "config.yaml", {"acceptance": {"pass_rate_target": 85}})
    docx, pdf, result = render_acc(root, tmp_path / "out")
    for text in (docx.text, pdf):
        flat = squash(text)
        assert "验收通过率90%" in flat
        for word in INTERNAL:
            assert squash(word) not in flat, word


def test_context_has_the_tally_and_no_targets(example_data):
    facts = facts_from(example_data)
    context = ACC.context(facts, None)
    assert not {"rate_target", "targets"} & set(context)
    assert context["tally"] == {"total": 10, "passed": 9, "conditional": 1, "failed": 0, "unjudged": 0,
                                "pass_rate": context["tally"]["pass_rate"]}
    assert str(context["tally"]["pass_rate"]) == "90.0"
    facts.settings.acceptance.pass_rate_target = 85
    assert ACC.context(facts, None) == context   # the configured target plays no part in ACC


# -- rules ---------------------------------------------------------------------------------

def findings(facts, rule_id=None):
    found = run_data_rules(facts, ACC, None, "ACC")
    return [f for f in found if rule_id is None or f.rule == rule_id]


def messages(data, mutate, rule_id):
    return [f.message for f in findings(facts_from(data, mutate), rule_id)]


def acc(d):
    return d["acceptance"]


def drop_result(d, deliverable):
    acc(d)["results"] = [r for r in acc(d)["results"] if r["deliverable"] != deliverable]


def test_intact_example_has_no_findings(example_data):
    assert findings(facts_from(example_data)) == []


BREAKS = {
    "R-ACC-1": lambda d: drop_result(d, "D9"),
    "R-ACC-2": lambda d: acc(d).update(conclusion="验收通过率 100%，同意通过验收。"),
    "R-ACC-3": lambda d: acc(d)["open_items"][0].pop("owner"),
    "R-ACC-4": lambda d: acc(d)["vendor"].pop("date"),
    "R-ACC-5": lambda d: acc(d)["results"][9].update(completed=dt.date(2026, 6, 22)),
}


@pytest.mark.parametrize("rule_id", sorted(BREAKS))
def test_rule_fires_on_broken_data(example_data, rule_id):
    assert rule_id in {f.rule for f in findings(facts_from(example_data, BREAKS[rule_id]))}


def test_missing_deliverable_result_is_caught_against_the_charter(example_data):
    [f] = findings(facts_from(example_data, BREAKS["R-ACC-1"]), "R-ACC-1")
    assert f.message == "项目章程交付物 D9「运维手册」没有出现在验收结果中（acceptance.results）"
    assert f.location.startswith("projects/huaxing-crm/project.yaml:")
    assert f.location.endswith(": deliverables[8]")
    assert f.severity == "E"


def test_charter_deliverable_added_later_is_caught(example_data):
    new = {"id": "D11", "name": "移动端适配", "acceptance_criteria": "主要页面在移动端可用", "owner": "孙磊"}
    assert messages(example_data, lambda d: d["deliverables"].append(new), "R-ACC-1") == [
        "项目章程交付物 D11「移动端适配」没有出现在验收结果中（acceptance.results）"]


def test_result_for_unknown_or_duplicate_deliverable(example_data):
    def unknown(d):
        acc(d)["results"][2]["deliverable"] = "D99"
    assert "验收结果引用了项目章程中不存在的交付物 D99" in messages(example_data, unknown, "R-ACC-1")

    def twice(d):
        acc(d)["results"].append(dict(acc(d)["results"][0]))
    assert messages(example_data, twice, "R-ACC-1") == ["交付物 D1 的验收结果重复出现"]


def test_open_item_for_unknown_deliverable(example_data):
    found = messages(example_data, lambda d: acc(d)["open_items"][0].update(deliverable="D42"), "R-ACC-1")
    assert "遗留问题引用了项目章程中不存在的交付物 D42" in found


def test_pass_rate_stated_in_conclusion_must_match(example_data):
    assert messages(example_data, BREAKS["R-ACC-2"], "R-ACC-2") == [
        "验收结论中写的验收通过率 100% 与按结果计算的 90%（通过 9 / 总数 10）不符"]
    fine = lambda d: acc(d).update(conclusion="验收通过率 90%，同意通过验收。")
    assert messages(example_data, fine, "R-ACC-2") == []


def test_pass_rate_needs_results_and_a_target(example_data):
    assert "没有验收结果，无法计算验收通过率（通过 / 总数）" in messages(
        example_data, lambda d: acc(d).update(results=[]), "R-ACC-2")
    assert messages(example_data, lambda d: d["success_criteria"][0].pop("target"), "R-ACC-2") == [
        "成功标准 S1 计量验收通过率，但缺少比较符或目标值，验收通过率无从对照"]


def test_conditional_pass_needs_an_open_item(example_data):
    assert messages(example_data, lambda d: acc(d).update(open_items=[]), "R-ACC-3") == [
        "交付物 D6 验收结果为「有条件通过」，但没有对应的遗留问题（acceptance.open_items 中 deliverable: D6）"]
    failed = lambda d: acc(d)["results"][7].update(result="不通过")
    assert any("交付物 D8 验收结果为「不通过」" in m for m in messages(example_data, failed, "R-ACC-3"))


def test_open_item_needs_owner_and_deadline(example_data):
    def strip(d):
        acc(d)["open_items"][0].pop("owner")
        acc(d)["open_items"][0].pop("due")
    [f] = findings(facts_from(example_data, strip), "R-ACC-3")
    assert f.message == "交付物 D6「历史数据迁移」的遗留问题缺少整改责任人（owner）、整改期限（due）"
    assert f.location.startswith("projects/huaxing-crm/acceptance.yaml:")
    assert f.location.endswith(": acceptance.open_items[0]")


def test_both_parties_must_sign(example_data):
    assert messages(example_data, BREAKS["R-ACC-4"], "R-ACC-4") == ["乙方签字盖章缺少签字日期（date）"]
    assert messages(example_data, lambda d: acc(d).pop("client"), "R-ACC-4") == [
        "缺少甲方签字盖章（acceptance.client）"]
    no_org = lambda d: acc(d)["client"].pop("organisation")
    assert messages(example_data, no_org, "R-ACC-4") == ["甲方签字盖章缺少单位名称（organisation）"]


def test_signing_party_must_be_the_right_one(example_data):
    wrong = lambda d: acc(d)["client"].update(organisation="浙江华星精密制造有限公司", representative="李娜")
    assert messages(example_data, wrong, "R-ACC-4") == [
        "甲方单位「浙江华星精密制造有限公司」与客户名称「浙江华星精密制造股份有限公司」不一致",
        "甲方代表「李娜」应为客户联系人（client.contacts）中的人"]
    early = lambda d: acc(d)["vendor"].update(date=dt.date(2026, 6, 17))
    assert messages(example_data, early, "R-ACC-4") == ["乙方签字日期 2026-06-17 早于验收日期 2026-06-18"]


def test_acceptance_not_before_last_completion(example_data):
    [f] = findings(facts_from(example_data, BREAKS["R-ACC-5"]), "R-ACC-5")
    assert f.message == "交付物 D10 的完成日期 2026-06-22 晚于验收日期 2026-06-18：不能验收尚未完成的交付物"
    assert f.location.endswith(": acceptance.results[9].completed")
    assert messages(example_data, lambda d: acc(d)["results"][0].pop("completed"), "R-ACC-5") == [
        "交付物 D1 缺少完成日期（completed），无法核对验收日期"]


def test_missing_result_renders_as_draft_with_the_row_marked(tmp_path):
    root = make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))
    path = root / "projects" / EXAMPLE / "acceptance.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    - deliverable: D9")
    end = text.index("    - deliverable: D10")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    docx, pdf, result = render_acc(root, tmp_path / "out")
    assert "R-ACC-1" in {f.rule for f in result.findings}
    table = next(t for t in docx.tables if t[0] == ["编号", "交付物", "验收结果", "说明"])
    assert ["D9", "运维手册", "未验收", "验收结果中未列出"] in table
    assert "「草稿」" in docx.text and "「草稿」" in pdf
    assert "8 / 10 = 80%" in docx.text    # over the charter deliverables: a missing result is not 通过


def test_full_build_lists_acc_complete(example_build):
    import json
    out, _ = example_build
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = [f for f in manifest["files"] if f["artifact"] == "ACC"]
    assert sorted(f["path"] for f in files) == [DOCX, PDF]
    assert all(f["complete"] for f in files)
