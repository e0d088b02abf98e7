"""Audience (ARTIFACTS.md): every document is internal or client-facing (cfg ``client_facing``);
a client-facing document shows no internal figure (R-COM-8); internal documents are marked 「内部」."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from salespm_docs.artifacts.registry import REGISTRY, audience_of, is_client_facing, load_all
from salespm_docs.build import Workspace, load_facts
from salespm_docs.config import load_settings
from salespm_docs.context import build_context
from salespm_docs.errors import ConfigError
from salespm_docs.money import format_yuan
from salespm_docs.rules import RULES, run_data_rules

from conftest import EXAMPLE, EXAMPLES, FIXTURES, ROOT, facts_from, make_workspace

load_all()
R_COM_8 = RULES["R-COM-8"]


def r_com_8(facts, code: str, key: str | None = None) -> list:
    return [f for f in run_data_rules(facts, REGISTRY[code], key, code) if f.rule == "R-COM-8"]


# -- configuration -------------------------------------------------------------------------

def test_client_facing_default_list():
    settings = load_settings(ROOT)
    assert settings.client_facing == ["REQ", "SOL", "PACC", "ACC", "MAIL", "SAT"]
    assert is_client_facing(REGISTRY["ACC"], settings) and audience_of(REGISTRY["ACC"], settings) == "client"
    for code in ("CHT", "OPP", "WEEK", "RET"):
        assert audience_of(REGISTRY[code], settings) == "internal"


def test_a_company_changes_the_list(tmp_path):
    root = make_workspace(tmp_path, ("minimal", FIXTURES / "minimal"))
    (root / "salespm.yaml").write_text("client_facing: [ACC, WEEK]\n", encoding="utf-8")
    settings = load_settings(root, root / "projects" / "minimal")
    assert is_client_facing(REGISTRY["WEEK"], settings)
    assert not is_client_facing(REGISTRY["CHT"], settings)


def test_an_unknown_code_is_refused(tmp_path):
    root = make_workspace(tmp_path, ("minimal", FIXTURES / "minimal"))
    (root / "salespm.yaml").write_text("client_facing: [ACC, XYZ]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="XYZ"):
        load_settings(root)


def test_an_artifact_may_fix_its_audience(example_data):
    settings = facts_from(example_data).settings
    pinned = dataclasses.replace(REGISTRY["ACC"], audience="internal")
    assert audience_of(pinned, settings) == "internal"


# -- R-COM-8 ---------------------------------------------------------------------------------

def test_rule_cites_the_audience_paragraph():
    assert "ARTIFACTS.md" in R_COM_8.check.__doc__ and "audience" in R_COM_8.check.__doc__


def test_acc_of_the_example_passes(example_data):
    facts = facts_from(example_data)
    assert is_client_facing(REGISTRY["ACC"], facts.settings)
    assert r_com_8(facts, "ACC") == []


@pytest.mark.parametrize("slug", EXAMPLES)
def test_no_example_document_shows_an_internal_figure(slug):
    facts = load_facts(Workspace(ROOT), slug)
    for code, artifact in REGISTRY.items():
        if artifact.present(facts.project) and not artifact.made_by:  # ARC: internal, made by salespm archive
            for key in artifact.instances(facts.project):
                assert r_com_8(facts, code, key) == [], (code, key)


def test_week_made_client_facing_fires(example_data):
    facts = facts_from(example_data)
    facts.settings.client_facing.append("WEEK")
    week = facts.project.weekly[-1]
    found = r_com_8(facts, "WEEK", week.week)
    messages = [f.message for f in found]
    budget = format_yuan(facts.project.budget.total)
    assert any(f"内部数字：项目预算总额 {budget}" in m for m in messages), messages
    assert any(f"{week.week} 周报的累计实际成本 {format_yuan(week.cost.actual_to_date)}" in m for m in messages)
    assert any("内部用语「预算执行率」" in m for m in messages)
    assert any("内部用语「完工预测」" in m for m in messages)
    assert all(m.startswith("WEEK 周进度报告是面向客户的文档（配置 client_facing），不得出现") for m in messages)
    assert all(f.severity == "E" for f in found)
    budget_finding = next(f for f in found if "项目预算总额" in f.message)
    assert budget_finding.location.startswith(f"projects/{EXAMPLE}/project.yaml:")


def test_a_budget_line_shown_in_acc_fires(example_data, monkeypatch):
    facts = facts_from(example_data)
    line = facts.project.budget.lines[0]
    acc = REGISTRY["ACC"]
    leaky = dataclasses.replace(acc, context=lambda f, k: {**acc.context(f, k),
                                                           "extra": f"成本 {format_yuan(line.amount)}"})
    [f] = [f for f in run_data_rules(facts, leaky, None, "ACC") if f.rule == "R-COM-8"]
    assert f"预算科目「{line.category}」金额 {format_yuan(line.amount)}" in f.message
    assert "模板变量 extra" in f.message


def test_a_target_verdict_in_acc_fires(example_data):
    facts = facts_from(example_data)
    acc = REGISTRY["ACC"]
    leaky = dataclasses.replace(acc, context=lambda f, k: {**acc.context(f, k), "verdict": "未达成"})
    [f] = [f for f in run_data_rules(facts, leaky, None, "ACC") if f.rule == "R-COM-8"]
    assert "内部用语「未达成」" in f.message and f.location == "模板变量 verdict"


# -- 内部 mark -------------------------------------------------------------------------------

def test_audience_mark_in_the_doc_block(example_data):
    facts = facts_from(example_data)
    week = facts.project.weekly[-1].week
    doc = build_context(facts, REGISTRY["WEEK"], week, draft=False)["doc"]
    assert (doc["audience"], doc["audience_mark"]) == ("internal", "内部")
    doc = build_context(facts, REGISTRY["ACC"], None, draft=False)["doc"]
    assert (doc["audience"], doc["audience_mark"]) == ("client", "")


def test_both_headers_use_the_mark():
    assert "doc.audience_mark" in (ROOT / "templates" / "html" / "base.html").read_text(encoding="utf-8")
    from docx import Document

    for code in ("WEEK", "ACC"):
        header = Document(ROOT / "templates" / "docx" / f"{code}.docx").sections[0].header
        assert "doc.audience_mark" in "".join(p.text for p in header.paragraphs)


# -- the examples: WEEK is internal and goes to the internal team ----------------------------

@pytest.mark.parametrize("slug", EXAMPLES)
def test_week_is_classified_internal(slug):
    documents = yaml.safe_load((ROOT / "projects" / slug / "documents.yaml").read_text(encoding="utf-8"))
    assert documents["documents"]["WEEK"]["classification"] == "内部"


@pytest.mark.parametrize("slug", EXAMPLES)
def test_week_report_is_not_sent_to_client_contacts(slug):
    facts = load_facts(Workspace(ROOT), slug)
    title = REGISTRY["WEEK"].title
    clients = {c.name for c in facts.project.client.contacts}
    [item] = [c for c in facts.project.communication if c.name == title]
    assert item.audience and not clients & set(item.audience), item.audience
