"""Scale (issue 11): the weekly figures grow near-linearly with the WBS, and far years stay cheap.

Robust on a noisy machine: the calendar tests count working-day lookups instead of timing them;
the end-to-end test compares N = 500 with N = 4,000 leaves (linear is 8×, quadratic 64×) in fresh
processes limited to 2 GB of address space (``bench/scale.py``).
"""

from __future__ import annotations

import datetime as dt
import random
import time
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
