"""REQ 需求说明书: the document as the client and the PM read it (sections, the requirements by kind,
the 需求跟踪矩阵 requirement → 方案功能 → WBS → 交付物 → 验收结果 against the YAML, the 甲方 / 乙方
block), R-REQ-1…3 on broken data with exact messages and locations, a requirement ID used twice
through the CLI, and the artifact's declared reads. REQ is rendered alone (no whole build)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.artifacts.req import SECTIONS
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.check import squash
from salespm_docs.extract import docx_text, pdf_text
from salespm_docs.figures.trace import trace
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLES, ROOT, cli, facts_from, in_order, make_workspace

load_all()
REQ = REGISTRY["REQ"]
HUAXING, YUANHANG = "huaxing-crm", "yuanhang-srm"


def findings(facts, rule_id: str | None = None) -> list:
    return [f for f in run_data_rules(facts, REQ, None, "REQ") if rule_id is None or f.rule == rule_id]


def located(finding) -> str:
    """``requirements.functional[2]`` of ``projects/huaxing-crm/requirements.yaml:57: requirements.functional[2]``."""
    return finding.location.rsplit(": ", 1)[1]


def raw(slug: str, name: str) -> object:
    data = yaml.safe_load((ROOT / "projects" / slug / f"{name}.yaml").read_text(encoding="utf-8"))
    return data[name] if name != "wbs" else data["wbs"]


def render(root: Path, slug: str, folder: Path):
    ws = Workspace(root)
    facts = load_facts(ws, slug)
    folder.mkdir(parents=True, exist_ok=True)
    result = Renderer(ws).render(facts, Instance(REQ), folder)
    return result, {f.format: f.path for f in result.files}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("req")
    out = {}
    for slug in EXAMPLES:
        result, files = render(ROOT, slug, base / slug)
        out[slug] = (result, files, docx_text(files["docx"]), pdf_text(files["pdf"])[0])
    return out


def matrix(docx) -> dict[str, dict]:
    [table] = [t for t in docx.tables if t and t[0][0].replace("\n", "") == "需求编号"]
    header = [h.replace("\n", "") for h in table[0]]
    return {r[0]: dict(zip(header, r)) for r in table[1:]}


def expected_matrix(slug: str) -> dict[str, dict]:
    """The matrix worked out from the YAML files directly: a requirement's functions are the 功能清单
    rows listing it; their WBS codes; the deliverables of those elements and of the leaves under
    them; each deliverable's result in acceptance.yaml (else 未验收)."""
    reqs = raw(slug, "requirements")
    functions = raw(slug, "solution")["functions"]
    wbs = raw(slug, "wbs")
    project = yaml.safe_load((ROOT / "projects" / slug / "project.yaml").read_text(encoding="utf-8"))
    names = {d["id"]: d["name"] for d in project["deliverables"]}
    order = [d["id"] for d in project["deliverables"]]
    path = ROOT / "projects" / slug / "acceptance.yaml"
    results = ({r["deliverable"]: r["result"] for r in yaml.safe_load(path.read_text(encoding="utf-8"))
                ["acceptance"]["results"]} if path.is_file() else {})
    out = {}
    for kind in ("functional", "non_functional", "interfaces"):
        for r in reqs[kind]:
            mine = [f for f in functions if r["id"] in f["requirements"]]
            codes = sorted({c for f in mine for c in f["wbs"]}, key=lambda c: [int(x) for x in c.split(".")])
            ids = {i["deliverable"] for i in wbs for c in codes
                   if (i["code"] == c or i["code"].startswith(c + ".")) and i.get("deliverable")}
            ids = sorted(ids, key=order.index)
            shown = {results.get(d, "未验收") for d in ids}
            out[r["id"]] = {
                "需求名称": r["title"], "优先级": r["priority"],
                "方案功能": "、".join(f"{f['id']} {f['name']}" for f in mine) or "本期方案未纳入",
                "WBS元素": "、".join(codes) or "不适用",
                "交付物": "、".join(f"{d} {names[d]}" for d in ids) or "不适用",
                "验收结果": (shown.pop() if len(shown) == 1 else
                             "；".join(f"{d} {results.get(d, '未验收')}" for d in ids) if ids else "不适用"),
            }
    return out


# -- the rendered documents ---------------------------------------------------------------------

@pytest.mark.parametrize("slug", EXAMPLES)
def test_sections_in_order_and_no_finding(rendered, slug):
    result, files, docx, pdf = rendered[slug]
    assert set(files) == {"docx", "pdf"}
    assert in_order(docx.text, SECTIONS) and in_order(pdf, SECTIONS)
    assert result.findings == []
    for bad in ("None", "nan", "{{", "{%", "草稿"):
        assert bad not in docx.text and bad not in pdf


@pytest.mark.parametrize("slug", EXAMPLES)
def test_every_requirement_with_priority_and_acceptance(rendered, slug):
    """Each requirement table holds the requirements of its kind, in the YAML's order, with the
    priority and acceptance criterion as written; the counts in the 引言 add up."""
    _, _, docx, pdf = rendered[slug]
    reqs = raw(slug, "requirements")
    flat = squash(pdf)
    for kind in ("functional", "non_functional", "interfaces"):
        ids = [r["id"] for r in reqs[kind]]
        [table] = [t for t in docx.tables if t and t[0][:2] == ["编号", "需求名称"] and t[1][0] == ids[0]]
        assert [row[0] for row in table[1:]] == ids
        for row, r in zip(table[1:], reqs[kind]):
            assert row[1] == r["title"] and row[3] == r["priority"] and row[4] == r["acceptance"]
            assert squash(r["acceptance"]) in flat
    every = [r for kind in ("functional", "non_functional", "interfaces") for r in reqs[kind]]
    must = sum(1 for r in every if r["priority"] == "必须")
    assert squash(f"本说明书共列需求 {len(every)} 条：功能需求 {len(reqs['functional'])} 条") in flat
    assert squash(f"必须 {must} 条") in flat


@pytest.mark.parametrize("slug", EXAMPLES)
def test_traceability_matrix_rows_as_the_data_says(rendered, slug):
    _, _, docx, pdf = rendered[slug]
    rows = matrix(docx)
    expected = expected_matrix(slug)
    assert list(rows) == list(expected)
    for ident, cells in expected.items():
        assert {k: rows[ident][k] for k in cells} == cells, ident


def test_huaxing_matrix_reads_as_a_person_checks_it(rendered):
    """CR-01's FR-11 is carried by F04 into 4.1.2 and D3 (通过); the data migration, traced to the WBS
    parent 4.3, reaches D6 through its leaves, 有条件通过 at the final acceptance; the 可以
    requirement FR-13 is not in this phase."""
    _, _, docx, pdf = rendered[HUAXING]
    rows = matrix(docx)
    assert rows["FR-11"]["方案功能"] == "F04 经销商协同" and rows["FR-11"]["WBS元素"] == "4.1.2"
    assert rows["FR-11"]["交付物"] == "D3 CRM 系统（配置版）" and rows["FR-11"]["验收结果"] == "通过"
    assert (rows["IF-03"]["WBS元素"], rows["IF-03"]["交付物"], rows["IF-03"]["验收结果"]) == (
        "4.3", "D6 历史数据迁移", "有条件通过")
    assert (rows["FR-13"]["方案功能"], rows["FR-13"]["验收结果"]) == ("本期方案未纳入", "不适用")
    flat = squash(pdf)
    assert squash("IF-03 历史数据迁移 必须 F12 历史数据迁移 4.3 D6 历史数据迁移 有条件通过") in flat
    assert squash("经变更申请纳入的需求：FR-11「经销商协同」（CR-01）、FR-12「合同模板管理」（CR-01）") in flat
    assert squash("21 条需求中 20 条已由方案功能与 WBS 工作覆盖，20 条的交付物均已有验收结果") in flat
    assert squash("方案设计阶段客户新增（CR-01）") in flat and "（CR-01）（CR-01）" not in flat


def test_yuanhang_has_no_acceptance_yet(rendered):
    _, _, docx, _ = rendered[YUANHANG]
    rows = matrix(docx)
    assert {r["验收结果"] for r in rows.values()} == {"未验收", "不适用"}
    assert rows["FR-06"]["交付物"] == "D3 SRM 平台（配置版）、D4 供应商门户与 ERP 集成接口"
    assert rows["FR-14"]["方案功能"] == "本期方案未纳入"


@pytest.mark.parametrize("slug, client, vendor, day", [
    (HUAXING, "黄志强", "张伟", "2026年2月25日"), (YUANHANG, "许静", "徐明辉", "2026年11月13日")])
def test_both_parties_confirm_with_room_for_the_seals(rendered, slug, client, vendor, day):
    _, _, docx, pdf = rendered[slug]
    [table] = [t for t in docx.tables if t and t[0][1:] == ["甲方", "乙方"]]
    cells = {r[0]: r[1:] for r in table[1:]}
    project = yaml.safe_load((ROOT / "projects" / slug / "project.yaml").read_text(encoding="utf-8"))
    assert cells["单位名称（盖章）"] == [project["client"]["name"], project["project"]["company"]]
    assert cells["代表签字"] == [client, vendor] and cells["日期"] == [day, day]
    assert "甲方（盖章）" in pdf and "乙方（盖章）" in pdf


def test_trace_figure_is_shared(example_data):
    """The derived chain, as other documents may use it."""
    rows = {r.requirement.id: r for r in trace(facts_from(example_data))}
    assert [f.id for f in rows["FR-04"].functions] == ["F03"]
    assert [i.code for i in rows["FR-04"].wbs] == ["4.1.2", "4.1.3"]
    assert [(d.id, d.result) for d in rows["NFR-03"].deliverables] == [("D7", "通过")]
    assert rows["FR-01"].path == ("requirements", "functional", 0)
    assert rows["FR-13"].functions == () and not rows["FR-13"].covered_by_solution


# -- rules on broken data -------------------------------------------------------------------------

def req(data: dict, ident: str) -> dict:
    reqs = data["requirements"]
    return next(r for kind in ("functional", "non_functional", "interfaces") for r in reqs[kind] if r["id"] == ident)


def function(data: dict, ident: str) -> dict:
    return next(f for f in data["solution"]["functions"] if f["id"] == ident)


def test_intact_examples_have_no_finding(example_data):
    assert findings(facts_from(example_data)) == []
    assert findings(load_facts(Workspace(ROOT), YUANHANG)) == []


def test_priority_and_acceptance_criterion_required(example_data):
    def breaks(d):
        req(d, "FR-03").pop("priority")
        req(d, "NFR-02").pop("acceptance")
        r = req(d, "IF-01")
        r.pop("priority"), r.pop("acceptance")
    found = findings(facts_from(example_data, breaks), "R-REQ-1")
    assert {located(f): f.message for f in found} == {
        "requirements.functional[2]": "功能需求 FR-03「商机全流程管理」缺少优先级（priority：必须 / 应该 / 可以）",
        "requirements.non_functional[1]": "非功能需求 NFR-02「安全与权限」缺少验收标准（acceptance）",
        "requirements.interfaces[0]": ("接口与数据需求 IF-01「客户主数据双向同步」缺少优先级（priority：必须 / 应该 / 可以）"
                                       "和验收标准（acceptance）"),
    }
    assert all(f.location.startswith("projects/huaxing-crm/requirements.yaml:") for f in found)
    # a requirement without a priority is no 必须 requirement: R-REQ-3 does not ask for its coverage
    assert findings(facts_from(example_data, breaks), "R-REQ-3") == []


def test_bad_priority_is_a_located_validation_error(tmp_path):
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    path = root / "projects" / HUAXING / "requirements.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      priority: 应该\n", "      priority: 重要\n", 1), encoding="utf-8")
    result = cli(root, "check", HUAXING)
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code != 0 and "Traceback" not in out
    line = text.splitlines().index("      priority: 应该") + 1
    assert f"projects/huaxing-crm/requirements.yaml:{line}" in out and "requirements.functional[1].priority" in out


def test_both_parties_must_sign(example_data):
    def breaks(d):
        d["requirements"].pop("client")
        d["requirements"]["vendor"].pop("date")
        d["requirements"]["vendor"]["representative"] = "黄志强"
    found = findings(facts_from(example_data, breaks), "R-REQ-2")
    assert {located(f): f.message for f in found} == {
        "requirements": "需求说明书缺少甲方确认签字（requirements.client）",
        "requirements.vendor": "需求说明书的乙方确认缺少签字日期（date）",
        "requirements.vendor.representative": "乙方代表「黄志强」应为项目团队（team）中的人",
    }


def test_signing_organisation_must_be_the_party(example_data):
    facts = facts_from(example_data, lambda d: d["requirements"]["client"].update(organisation="华星精密"))
    [f] = findings(facts)
    assert located(f) == "requirements.client.organisation"
    assert f.message == "甲方单位「华星精密」与客户名称「浙江华星精密制造股份有限公司」不一致"


def test_must_requirement_not_in_the_solution(example_data):
    """FR-11 dropped from F04: the finding names it, at the requirement; a 应该 one (FR-02) dropped
    from F01 is no finding."""
    def breaks(d):
        function(d, "F04")["requirements"] = []
        function(d, "F01")["requirements"] = ["FR-01"]
    found = findings(facts_from(example_data, breaks), "R-REQ-3")
    assert [(located(f), f.message) for f in found] == [(
        "requirements.functional[10]",
        "必须需求 FR-11「经销商协同」没有被解决方案功能清单覆盖：功能清单中没有引用 FR-11 的功能"
        "（solution.functions[].requirements）")]
    assert found[0].location.startswith("projects/huaxing-crm/requirements.yaml:")


def test_must_requirement_without_wbs_work(example_data):
    def breaks(d):
        function(d, "F16")["wbs"] = []            # NFR-05 is 应该: no finding
        function(d, "F11")["wbs"] = ["4.2.9"]     # IF-01, IF-02: a code the WBS does not have
        function(d, "F07")["wbs"] = []            # FR-07
    found = findings(facts_from(example_data, breaks), "R-REQ-3")
    assert {located(f): f.message for f in found} == {
        "requirements.functional[6]": ("必须需求 FR-07「移动端审批」没有对应的 WBS 元素：覆盖它的功能 F07 "
                                       "这些功能没有填写 WBS 编码（solution.functions[].wbs）"),
        "requirements.interfaces[0]": ("必须需求 IF-01「客户主数据双向同步」没有对应的 WBS 元素：覆盖它的功能 F11 "
                                       "所列 WBS 编码不在工作分解结构中（F11 的 4.2.9）"),
        "requirements.interfaces[1]": ("必须需求 IF-02「订单同步」没有对应的 WBS 元素：覆盖它的功能 F11 "
                                       "所列 WBS 编码不在工作分解结构中（F11 的 4.2.9）"),
    }


def test_no_solution_at_all(example_data):
    found = findings(facts_from(example_data, lambda d: d.pop("solution")), "R-REQ-3")
    reqs = example_data["requirements"]
    must = [r["id"] for k in ("functional", "non_functional", "interfaces") for r in reqs[k] if r["priority"] == "必须"]
    assert [f.message.split("「")[0] for f in found] == [f"必须需求 {i}" for i in must]
    assert found[0].message.endswith("没有被解决方案功能清单覆盖：没有解决方案（solution.yaml）")


def test_duplicate_requirement_id_is_a_located_error(tmp_path):
    """Bad input: a requirement ID used twice is refused through the CLI at file:line."""
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    path = root / "projects" / HUAXING / "requirements.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    - id: FR-02\n", "    - id: FR-01\n"),
                    encoding="utf-8")
    result = cli(root, "check", HUAXING)
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code != 0 and "Traceback" not in out
    assert "projects/huaxing-crm/requirements.yaml:" in out and "需求编号 FR-01 重复" in out


# -- declared reads -----------------------------------------------------------------------------

def test_req_reads_exactly_what_it_declares():
    from test_declared_reads import check_declarations, instances_of

    examples = {slug: load_facts(Workspace(ROOT), slug) for slug in EXAMPLES}
    runs = instances_of(examples, REQ)
    assert len(runs) == 2
    assert check_declarations(REQ, runs) == []
