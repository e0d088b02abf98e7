"""Scale (issue 11): the weekly figures grow near-linearly with the WBS, and far years stay cheap.

Robust on a noisy machine: the calendar tests count working-day lookups instead of timing them;
the end-to-end test compares N = 500 with N = 4,000 leaves (linear is 8×, quadratic 64×) in fresh
processes limited to 2 GB of address space (``bench/scale.py``).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from salespm_docs.figures import calendar as calendar_mod
from salespm_docs.figures import progress
from salespm_docs.figures.calendar import WorkCalendar

from conftest import facts_from

#: large generated projects: the full suite only (``make test``)
pytestmark = pytest.mark.slow

CALENDARS = (
    WorkCalendar(),
    WorkCalendar(frozenset({dt.date(2027, 10, 1), dt.date(2027, 10, 4), dt.date(2026, 3, 3), dt.date(2040, 5, 4)}),
                 frozenset({dt.date(2027, 9, 26), dt.date(2030, 1, 5), dt.date(2026, 2, 28)})),
)


def _day_by_day(cal: WorkCalendar, start: dt.date, end: dt.date) -> int:
    if end < start:
        return 0
    return sum(1 for n in range((end - start).days + 1) if cal.is_workday(start + dt.timedelta(days=n)))


@pytest.mark.parametrize("cal", CALENDARS)
def test_workdays_between_matches_day_by_day(cal):
    rng = random.Random(11)
    for _ in range(250):
        year = rng.choice((2003, 2004, 2015, 2025, 2026, 2027, 2030, 2040, 9985))
        start = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(-400, 400))
        end = start + dt.timedelta(days=rng.randint(-5, rng.choice((10, 400, 1500))))
        assert cal.workdays_between(start, end) == _day_by_day(cal, start, end), (start, end)
        late = _day_by_day(cal, start + dt.timedelta(days=1), end)
        early = -_day_by_day(cal, end + dt.timedelta(days=1), start)
        assert cal.delta(start, end) == (0 if end == start else late if end > start else early)
    last = dt.date(9999, 12, 1)
    assert cal.workdays_between(last, dt.date.max) == _day_by_day(cal, last, dt.date.max)


@pytest.fixture
def lookups(monkeypatch):
    """Counts ``WorkCalendar.is_workday`` calls (prefix sums cleared first)."""
    calls = [0]
    original = WorkCalendar.is_workday

    def counting(self, day):
        calls[0] += 1
        return original(self, day)

    calendar_mod._prefix.cache_clear()
    monkeypatch.setattr(WorkCalendar, "is_workday", counting)
    yield calls
    calendar_mod._prefix.cache_clear()


def test_long_spans_look_up_few_days(lookups):
    cal = CALENDARS[1]
    total = cal.workdays_between(dt.date(1, 1, 1), dt.date.max)
    assert total == cal.workdays_between(dt.date(1, 1, 1), dt.date(5000, 12, 31)) \
        + cal.workdays_between(dt.date(5001, 1, 1), dt.date.max)
    for _ in range(1000):
        cal.workdays_between(dt.date(2026, 1, 5), dt.date(9999, 6, 30))
        cal.delta(dt.date(9999, 6, 30), dt.date(2026, 3, 2))
    # The tables' years and the configured ones are each counted once (≈ 26 × 366 days), not
    # the 3.65 million days from year 1 to 9999.
    assert lookups[0] < 30 * 366


def test_snapshots_with_far_dates_stay_cheap(lookups):
    """Tasks planned in year 9999 beside reports in 2026 (hostile input): no day-by-day walk."""
    def far(data):
        for item in data["wbs"]:
            if item.get("start"):
                item["start"] = dt.date(9999, 1, 4)
                item["end"] = dt.date(9999, 12, 31)
                break
        data["project"]["end"] = dt.date(9999, 12, 31)

    facts = facts_from(_example(), far)
    lookups[0] = 0
    snaps = progress.snapshots(facts)
    assert snaps
    row = next(r for r in progress.latest(facts).rows if r.planned_end == dt.date(9999, 12, 31))
    assert row.planned_days == _day_by_day(WorkCalendar(facts.calendar.holidays, facts.calendar.workdays),
                                           dt.date(9999, 1, 4), dt.date(9999, 12, 31))
    assert lookups[0] < 60 * 366


def _example():
    from conftest import EXAMPLE, ROOT
    from salespm_docs.loader import load_project

    return load_project(ROOT / "projects" / EXAMPLE, ROOT).data


def _quadratic_leaves(wbs):
    codes = [i.code for i in wbs]
    return sorted((i for i in wbs if not any(c.startswith(i.code + ".") for c in codes)),
                  key=lambda i: progress._code_key(i.code))


def _tree(n: int) -> list:
    items = []
    for k in range(n):
        top, rest = divmod(k, 1000)
        mid, leaf = divmod(rest, 40)
        if rest == 0:
            items.append(SimpleNamespace(code=f"{top + 1}"))
        if leaf == 0:
            items.append(SimpleNamespace(code=f"{top + 1}.{mid + 1}"))
        items.append(SimpleNamespace(code=f"{top + 1}.{mid + 1}.{leaf + 1}"))
    return items


def test_leaves_linear_and_unchanged():
    odd = [SimpleNamespace(code=c) for c in ("1", "1.", "1..2", "2", "2.1", "2.10", "2.1.1", "3.x", "3", "10", "1")]
    for wbs in (odd, _tree(3000)):
        assert [i.code for i in progress.leaves(wbs)] == [i.code for i in _quadratic_leaves(wbs)]

    def best(wbs):
        times = []
        for _ in range(3):
            t = time.perf_counter()
            progress.leaves(wbs)
            times.append(time.perf_counter() - t)
        return min(times)

    small, large = _tree(2000), _tree(16000)
    assert best(large) / best(small) < 30  # linear 8 (a little more for sorting), quadratic 64


def test_weekly_data_path_near_linear():
    """The whole data path of the weekly reports (load, rules, contexts) at 500 and 4,000 leaves."""
    import sys

    from conftest import ROOT

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.scale import measure

    small = measure(500, limit_mb=2048, timeout=300)
    large = measure(4000, limit_mb=2048, timeout=300)
    assert small["instances"] == large["instances"] == 25
    assert large["weeks"] / small["weeks"] < 20, (small, large)  # linear 8, quadratic 64
    assert large["peak_mb"] < 1024, large


# -- the generated 18-month WBS (bench/scale.py) ---------------------------------------------

def _bench():
    import sys

    from conftest import ROOT

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import bench.scale

    return bench.scale


def test_generated_wbs_is_a_feasible_18_month_plan(tmp_path):
    """N leaves in three levels, owners from the team, FS links mostly with some SS / FF and lags,
    milestones of zero duration, every date inside the 18-month window, and planned dates that
    break no link; the weekly reports still load."""
    scale = _bench()
    from salespm_docs.build import Workspace, load_facts
    from salespm_docs.figures.schedule import schedule

    root = scale.make_project(tmp_path, 500)
    facts = load_facts(Workspace(root), scale.EXAMPLE)
    p = facts.project
    assert p.project.end == dt.date(*scale.WINDOW_END) and (p.project.end - p.project.start).days > 540
    synthetic = [i for i in p.wbs if int(i.code.split(".")[0]) >= 6]
    leaves_ = [i for i in synthetic if i.code.count(".") == 2]
    assert len(leaves_) == 500 and {i.code.count(".") for i in synthetic} == {0, 1, 2}
    team = {m.name for m in p.team}
    assert all(i.owner in team for i in synthetic)
    assert all(p.project.start <= i.start <= i.end <= p.project.end for i in leaves_)
    milestones = [i for i in leaves_ if i.milestone]
    assert milestones and all(i.start == i.end and i.effort == 0 for i in milestones)
    kinds = [(d.type, d.lag) for i in leaves_ for d in i.predecessors]
    assert kinds.count(("FS", 0)) > len(kinds) / 2
    assert {("SS", 2), ("FF", -1), ("FS", 1)} <= set(kinds)
    assert all(i.post for i in leaves_)
    assert p.weekly and len(p.weekly) == 25
    plan = schedule(facts)
    assert not plan.unknown and not plan.cycles and not plan.violations
    assert plan.finish == p.project.end  # the completion milestone on the last day


def test_bench_build_table_compares_growth_with_n_log_n(monkeypatch, capsys):
    """``make bench`` prints the schedule documents' seconds and peak memory per N, and the growth
    from the smallest to the largest N against n·log n (the rendering itself: ``bench.scale``)."""
    from types import SimpleNamespace as Args

    scale = _bench()
    assert round(scale.nlogn_ratio(200, 2000), 1) == 14.3
    seconds = {200: 10.0, 500: 24.0, 2000: 120.0}

    def fake(n, year=None, limit_mb=None, timeout=None, mode="data", links=True, max_leaves=None):
        assert mode == "build"
        return {"n": n, "load": 0.5, "render": seconds[n] - 0.5, "seconds": seconds[n], "cpu": seconds[n] * 1.5,
                "peak_mb": 300.0 + n / 10,
                "documents": {"WBS": 1.0, "GNT": 2.0, "PRG": 3.0}, "files": 8, "missing": [], "with_errors": []}

    monkeypatch.setattr(scale, "measure", fake)
    scale._build_table([200, 500, 2000], Args(year=None, limit_mb=None, no_links=False, max_leaves=None, json=False))
    out = capsys.readouterr().out
    assert "WBS 1.0s GNT 2.0s PRG 3.0s" in out and "500.0" in out
    assert "时间增长 200→2000：12.0 倍；n·log n 为 14.3 倍，线性为 10.0 倍（不劣于 n·log n）" in out
    assert "CPU增长 200→2000：12.0 倍" in out and "峰值内存 200→2000：1.6 倍" in out


# -- the WBS limit (wbs.max_leaves) -------------------------------------------------------------

def test_a_wbs_over_the_limit_fails_fast_through_the_cli(tmp_path):
    """20,000 leaves (lean: no links, so the file stays under the loader's 2 MB): ``build`` and
    ``check`` exit non-zero within seconds, naming wbs.yaml, the count, the limit and how to raise
    it; the previous output is untouched."""
    import re
    import subprocess
    import sys

    scale = _bench()
    root = scale.make_project(tmp_path, 20000, links=False)
    previous = root / "output" / scale.EXAMPLE
    previous.mkdir(parents=True)
    (previous / "manifest.json").write_text('{"kept": true}', encoding="utf-8")
    (previous / "CHT_项目章程_V1.0.pdf").write_bytes(b"%PDF-1.7 previous")
    salespm = Path(sys.executable).with_name("salespm")
    for command in ("build", "check"):
        # reading the data only: a build of 20,000 leaves would take many minutes, so the timeout
        # (not a timed assertion, which a busy machine would make flaky) catches a missing refusal
        done = subprocess.run([str(salespm), "--root", str(root), command, scale.EXAMPLE],
                              capture_output=True, text=True, timeout=120)
        said = (done.stdout + done.stderr).replace("\n", "")
        assert done.returncode != 0, said
        found = re.search(r"projects/huaxing-crm/wbs\.yaml:\d+: wbs: 工作分解结构共有 (\d+) 个叶子任务，"
                          r"超过上限 5000 个（配置项 wbs\.max_leaves）", said)
        assert found and int(found[1]) >= 20000, said
        assert "projects/huaxing-crm/config.yaml" in said and "salespm.yaml" in said and "max_leaves:" in said
    assert sorted(p.name for p in (root / "output").iterdir()) == [scale.EXAMPLE]
    assert sorted(p.name for p in previous.iterdir()) == ["CHT_项目章程_V1.0.pdf", "manifest.json"]
    assert (previous / "manifest.json").read_text(encoding="utf-8") == '{"kept": true}'


def test_the_limit_is_configurable(tmp_path):
    """``wbs.max_leaves`` in the company's salespm.yaml, overridden by the project's config.yaml."""
    from salespm_docs.build import Workspace, load_facts
    from salespm_docs.config import load_settings
    from salespm_docs.errors import ConfigError, DataError
    from salespm_docs.validate import leaf_count

    scale = _bench()
    root = scale.make_project(tmp_path, 300, links=False)
    folder = root / "projects" / scale.EXAMPLE
    assert load_settings(root, folder).wbs.max_leaves == 5000
    facts = load_facts(Workspace(root), scale.EXAMPLE)
    count = leaf_count(i.code for i in facts.project.wbs)
    assert count == len(progress.leaves(facts.project.wbs)) > 300
    (root / "salespm.yaml").write_text("wbs:\n  max_leaves: 300\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_facts(Workspace(root), scale.EXAMPLE)
    assert f"共有 {count} 个叶子任务，超过上限 300 个" in str(info.value)
    (folder / "config.yaml").write_text(f"wbs:\n  max_leaves: {count}\n", encoding="utf-8")
    load_facts(Workspace(root), scale.EXAMPLE)  # exactly at the limit: fine
    (folder / "config.yaml").write_text("wbs:\n  max_leaves: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_facts(Workspace(root), scale.EXAMPLE)
    assert "config.yaml" in str(info.value) and "max_leaves" in str(info.value)


# -- super-linear work removed (counted, not timed) ----------------------------------------------

def test_data_rules_walk_the_wbs_once_per_build(monkeypatch):
    """R-COM-4 and R-COM-6 walk the data each document shows. Every weekly report, the WBS, the
    Gantt chart and the 进度表 show the whole WBS: walked once per build, not once per document
    (25 weeks × 20,000 tasks was most of the data path's time). Same findings as walking each time."""
    from salespm_docs import rules
    from salespm_docs.artifacts.registry import buildable
    from salespm_docs.model.core import WbsItem

    facts = facts_from(_example())
    documents = [(a, key) for a in buildable() if a.present(facts.project) for key in a.instances(facts.project)]
    readers = [(a, key) for a, key in documents if "wbs" in a.depends_on]
    assert len(readers) > 25
    walked = {"names": 0, "texts": 0}
    names_in, texts = rules.names_in, rules._texts

    def counting_names(obj, path=()):
        walked["names"] += isinstance(obj, WbsItem)
        return names_in(obj, path)

    def counting_texts(value, path):
        walked["texts"] += isinstance(value, WbsItem)
        return texts(value, path)

    monkeypatch.setattr(rules, "names_in", counting_names)
    monkeypatch.setattr(rules, "_texts", counting_texts)
    found = {(a.code, key): [f for r in (rules.people_on_roster, rules.no_placeholders_in_data)
                             for f in r.run(facts, a, key, a.code)] for a, key in documents}
    assert walked == {"names": len(facts.project.wbs), "texts": len(facts.project.wbs)}
    # the same findings as a fresh walk per document (no cache: a plain object without derive)
    monkeypatch.setattr(rules, "names_in", names_in)
    monkeypatch.setattr(rules, "_texts", texts)
    for a, key in documents[:: max(1, len(documents) // 8)]:
        bare = SimpleNamespace(**{k: getattr(facts, k) for k in ("project", "settings", "source", "roster")},
                               control=facts.control, where=facts.where)
        again = [f for r in (rules.people_on_roster, rules.no_placeholders_in_data) for f in r.run(bare, a, key, a.code)]
        assert again == found[(a.code, key)]


def test_placeholder_data_is_found_through_the_shared_walk():
    """A 【待填】 and a name off the roster in a WBS task: every document showing the WBS reports them."""
    from salespm_docs import rules
    from salespm_docs.artifacts.registry import REGISTRY, load_all

    def spoil(data):
        task = next(i for i in data["wbs"] if i.get("start"))
        task["name"] = "【待填】"
        task["owner"] = "无名氏"

    facts = facts_from(_example(), spoil)
    load_all()
    week = REGISTRY["WEEK"]
    for key in week.instances(facts.project)[:3]:
        found = [f.message for r in (rules.people_on_roster, rules.no_placeholders_in_data)
                 for f in r.run(facts, week, key, "WEEK")]
        assert any("【待填】" in m for m in found) and any("无名氏" in m for m in found), found


def test_rendered_text_is_prepared_once_for_all_key_values(monkeypatch):
    """R-COM-6's key values (a weekly report names each task behind plan) are looked up in pages
    normalised once per file, not once per value; same verdicts as ``shown`` value by value."""
    import unicodedata

    from salespm_docs import check

    pages = [check.squash(f"第 {p} 页 " + " ".join(f"任务{p}-{k} 名称{p * 100 + k}" for k in range(200)))
             for p in range(40)]
    values = [f"任务{p}-{k}" for p in range(0, 40, 3) for k in range(0, 200, 7)] + ["名称3199名称", "不在其中"]
    cut = pages[5][-6:] + pages[6][:6]  # cut by a page break
    values.append(cut)
    expected = [check._shown(unicodedata.normalize("NFKC", check.squash(v)), pages) for v in values]
    assert expected[-1] and not expected[-2]
    calls = [0]
    normalize = unicodedata.normalize

    def counting(form, text):
        calls[0] += 1
        return normalize(form, text)

    monkeypatch.setattr(unicodedata, "normalize", counting)
    found = check.text_findings("WEEK", "pdf", "x.pdf", "\n".join(pages), [], (), values, (), pages)
    missing = {f.message for f in found}
    assert [f"PDF 正文缺少关键内容「{v}」" in missing for v in values] == [not e for e in expected]
    assert calls[0] <= len(pages) + 2 * len(values), calls  # was len(values) × (len(pages) + 1)


def test_loading_pauses_the_collector_and_restores_it(tmp_path):
    import gc

    from salespm_docs.loader import SourceMap, load_yaml

    path = tmp_path / "a.yaml"
    path.write_text("a: [1, 2, {b: c}]\n", encoding="utf-8")
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            assert load_yaml(path, "a.yaml", SourceMap(), []) == {"a": [1, 2, {"b": "c"}]}
            assert gc.isenabled() is enabled
        finally:
            gc.enable()


def test_planned_value_asks_the_calendar_only_for_tasks_in_progress(monkeypatch):
    """PV over a large WBS is asked for every week of the plan (the 进度表's S-curve): only the leaves
    in progress on the day need working days counted; the sum is the same value as leaf by leaf."""
    from decimal import Decimal

    facts = facts_from(_example())
    snap = progress.latest(facts)
    rows = snap.rows

    def reference(day):
        efforts = [(r.effort or Decimal(0), r) for r in rows]
        total = sum((e for e, _ in efforts), Decimal(0))
        pv = facts.budget_total * sum((e * progress._planned_fraction(r, day, facts.calendar) for e, r in efforts),
                                      Decimal(0)) / total
        return pv.quantize(progress.CENT)

    calls = [0]
    counting = WorkCalendar.workdays_between

    def count(self, start, end):
        calls[0] += 1
        return counting(self, start, end)

    days = [dt.date(2025, 12, 1) + dt.timedelta(days=n) for n in range(0, 260, 3)]
    expected = [reference(day) for day in days]
    monkeypatch.setattr(WorkCalendar, "workdays_between", count)
    for day, pv in zip(days, expected):
        calls[0] = 0
        assert progress._cost(facts, rows, day, None, None).planned_value == pv
        in_progress = sum(1 for r in rows if r.planned_days and r.effort and r.planned_start <= day < r.planned_end)
        assert calls[0] == in_progress, day
