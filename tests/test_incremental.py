"""Incremental rebuilds: what is rebuilt and what is not (speed itself is only benchmarked)."""

from __future__ import annotations

import hashlib
import json

import pytest

from salespm_docs import incremental
from salespm_docs.build import Workspace, build, load_facts

from conftest import EXAMPLE, ROOT, _copy_of_built, make_workspace

#: whole example builds, rebuilt: the full suite only (``make test``)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A workspace whose example was built once (tests copy it and edit the copy): the examples
    built once per session (``conftest._copy_of_built``), the example's documents reused."""
    root = _copy_of_built(tmp_path_factory, "inc")
    build(root, EXAMPLE)
    return root


@pytest.fixture
def ws(built, tmp_path):
    import shutil
    root = tmp_path / "ws"
    shutil.copytree(built, root, symlinks=True)
    return root


@pytest.fixture(scope="module")
def small_built(tmp_path_factory):
    """The example without its weekly reports, minutes, changes and execution paperwork, built once:
    for the tests that rebuild every document (a fifth as many to render; the rule they test is the
    same for each document, and the findings the missing data causes are reused like any other)."""
    import shutil
    root = make_workspace(tmp_path_factory.mktemp("small"), (EXAMPLE, ROOT / "projects" / EXAMPLE))
    folder = root / "projects" / EXAMPLE
    for name in ("weekly", "meetings", "changes"):
        shutil.rmtree(folder / name)
    for name in ("requirements", "solution", "contracts", "phase_acceptances", "plan", "strategy", "resources", "issues"):
        (folder / f"{name}.yaml").unlink()
    build(root, EXAMPLE)
    return root


@pytest.fixture
def small(small_built, tmp_path):
    import shutil
    root = tmp_path / "small"
    shutil.copytree(small_built, root, symlinks=True)
    return root


def rebuilt(result) -> set[str]:
    return {d.instance.label for d in result.rebuilt}


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_nothing_changed_rebuilds_nothing_and_keeps_files(ws):
    out = ws / "output" / EXAMPLE
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = build(ws, EXAMPLE)
    assert rebuilt(result) == set()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_manifest_of_a_noop_build_still_matches_the_files(ws):
    build(ws, EXAMPLE)
    out = ws / "output" / EXAMPLE
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for f in manifest["files"]:
        assert hashlib.sha256((out / f["path"]).read_bytes()).hexdigest() == f["sha256"]


def test_editing_the_opportunity_rebuilds_only_opp(ws):
    path = ws / "projects" / EXAMPLE / "opportunity.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# 一行注释\n", encoding="utf-8")
    assert rebuilt(build(ws, EXAMPLE)) == set()  # a comment or blank line is not a change of data
    edit(ws / "projects" / EXAMPLE / "opportunity.yaml", "date: 2025-12-15", "date: 2025-12-14")
    assert rebuilt(build(ws, EXAMPLE)) == {"OPP"}


def test_editing_one_documents_control_block_rebuilds_only_that_document(ws):
    edit(ws / "projects" / EXAMPLE / "documents.yaml", "summary: 启动会签署，正式发布", "summary: 启动会签署并正式发布")
    assert rebuilt(build(ws, EXAMPLE)) == {"CHT"}


def test_editing_a_template_rebuilds_only_its_documents(ws):
    edit(ws / "templates" / "html" / "CHT.html", "<h2>一、项目背景与目的</h2>", "<h2>一、项目背景与目的</h2>\n")
    assert rebuilt(build(ws, EXAMPLE)) == {"CHT"}


def test_editing_a_shared_template_rebuilds_everything(small):
    before = build(small, EXAMPLE)
    edit(small / "templates" / "html" / "base.css", "body { margin: 0; }", "body { margin: 0; padding: 0; }")
    result = build(small, EXAMPLE)
    assert rebuilt(result) == {d.instance.label for d in before.documents}


def test_changing_configuration_rebuilds_everything(small):
    (small / "projects" / EXAMPLE / "config.yaml").write_text("acceptance:\n  pass_rate_target: 90\n", encoding="utf-8")
    result = build(small, EXAMPLE)
    assert rebuilt(result) == {d.instance.label for d in result.documents}


def test_changing_the_package_rebuilds_everything(small, monkeypatch):
    monkeypatch.setattr(incremental, "code_hash", lambda: "a different package")
    result = build(small, EXAMPLE)
    assert rebuilt(result) == {d.instance.label for d in result.documents}


def test_a_damaged_output_file_is_rendered_again(ws):
    out = ws / "output" / EXAMPLE
    target = next(out.glob("CHT_*.pdf"))
    target.write_bytes(b"%PDF-1.7 damaged")
    result = build(ws, EXAMPLE)
    assert rebuilt(result) == {"CHT"}
    assert target.read_bytes().startswith(b"%PDF") and len(target.read_bytes()) > 10_000


def test_force_rebuilds_everything(small):
    result = build(small, EXAMPLE, force=True)
    assert len(result.documents) >= 10  # every document but the weekly reports
    assert rebuilt(result) == {d.instance.label for d in result.documents}


def test_reused_documents_keep_their_findings(small, tmp_path):
    first = build(small, EXAMPLE, force=True)
    again = build(small, EXAMPLE)
    assert [str(f) for f in again.findings] == [str(f) for f in first.findings]


def test_editing_one_weekly_file_rebuilds_only_that_weeks_report(ws):
    path = ws / "projects" / EXAMPLE / "weekly" / "2026-W14.yaml"
    edit(path, "done:\n", "done:\n  - 补充：与客户 IT 部确认了接口联调计划\n")
    assert rebuilt(build(ws, EXAMPLE)) == {"WEEK 2026-W14", "MAIL 2026-W14"}  # the week's report and its mail


def test_editing_a_task_state_rebuilds_the_weeks_that_carry_it_forward(ws):
    """A task a later week does not report again keeps its last state: those weeks show it too."""
    from salespm_docs.figures import progress  # noqa: F401  (the snapshot that carries states forward)
    path = ws / "projects" / EXAMPLE / "weekly" / "2026-W14.yaml"
    text = path.read_text(encoding="utf-8")
    assert "percent:" in text
    import re
    changed = re.sub(r"percent: (\d+)", lambda m: f"percent: {max(int(m.group(1)) - 1, 0)}", text, count=1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    labels = rebuilt(build(ws, EXAMPLE))
    assert "WEEK 2026-W14" in labels
    # the 进度表 shows every week's tasks; the Gantt chart each task's latest state
    assert "PRG" in labels and labels - {"GNT", "PRG"}
    assert all(label.split()[0] in ("WEEK", "MAIL") and label.split()[1] >= "2026-W14"
               for label in labels - {"GNT", "PRG"})  # each week's report and its mail


def test_the_last_weeks_cost_also_rebuilds_the_retrospective(ws):
    import re
    weekly = sorted((ws / "projects" / EXAMPLE / "weekly").glob("*.yaml"))
    last = next(p for p in reversed(weekly) if "actual_to_date:" in p.read_text(encoding="utf-8"))
    text = last.read_text(encoding="utf-8")
    # RET reads the forecast at completion when the week states one, else the actual cost
    key = "forecast_at_completion" if "forecast_at_completion:" in text else "actual_to_date"
    changed = re.sub(rf"{key}: (\d+)", lambda m: f"{key}: {int(m.group(1)) - 1000}", text, count=1)
    assert changed != text
    last.write_text(changed, encoding="utf-8")
    # and every client-facing document (ACC, REQ, SOL, PACC, SAT, each week's mail): R-COM-8 checks
    # that they show none of the internal figures, costs included; PRG, whose earned-value table shows
    # every week's cost; SALES, whose margin reads the latest cost
    result = build(ws, EXAMPLE)
    settings = load_facts(Workspace(ws), EXAMPLE).settings
    client = {d.instance.label for d in result.documents if d.instance.artifact.audience_for(settings) == "client"}
    assert {"ACC", "REQ", "SOL", "PACC 4", f"MAIL {last.stem}"} <= client
    assert rebuilt(result) == {f"WEEK {last.stem}", "RET", "SALES", "PRG"} | client
