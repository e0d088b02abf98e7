"""Facts: ``Project`` + settings → every derived figure, computed once and shared by rules and templates.

Templates never compute business numbers; rules never recompute what a template shows. Both read
``Facts``. Each figure is a ``cached_property``, so a build derives it at most once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from .catalogue import INSTANCE_OF
from .config import Settings
from .figures.calendar import WorkCalendar
from .figures.shares import largest_remainder
from .loader import Path_, SourceMap, format_path
from .model import DocControl, Project


@dataclass
class Facts:
    """One project's data, its settings, where each key was written, and derived figures."""

    slug: str
    project: Project
    settings: Settings
    source: SourceMap
    today: dt.date
    """The status date: ``project.status_date`` (数据截至日期) when the data states one, else today.
    What the rules compare against (reports due, payments overdue) and the date the documents carry;
    the manifest and the completeness report also record the real generation date."""
    folder: Path | None = None
    """The project folder (files the data names, such as the logo, are read from it)."""
    archive: object | None = None
    """What ``salespm archive`` filed (``archive.register.ArchiveView``), set by the archive
    while it renders the ARC 归档清单; ``None`` in a build."""

    def derive(self, fn):
        """``fn(self)``, computed once per build: shared figures (``figures/``) go through here."""
        cache = self.__dict__.setdefault("_derived", {})
        if fn not in cache:
            cache[fn] = fn(self)
        return cache[fn]

    # -- locations -------------------------------------------------------------------------
    def where(self, path: Path_) -> str:
        """``('team', 2, 'role')`` → ``projects/acme/project.yaml:14: team[2].role``."""
        file, line = self.source.locate(path)
        place = f"{file}:{line}" if line else file
        return f"{place}: {format_path(path)}" if path else place

    # -- document control ------------------------------------------------------------------
    def control(self, code: str, key: str | None = None) -> tuple[DocControl, Path_]:
        """The control data of a document and where it is written (empty if not written). A
        per-item document (a week, a meeting, a change …) may carry its own ``document:`` in its
        item; what it leaves out comes from ``documents.<CODE>``."""
        base = self.project.documents.get(code, DocControl())
        found = self.own_item(code, key)
        if found is not None:
            at, item = found
            own = getattr(item, "document", None)
            if own is not None:
                merged = base.model_copy(update={k: getattr(own, k) for k in own.model_fields_set})
                return merged, (*at, "document")
        return base, ("documents", code)

    def own_item(self, code: str, key: str | None) -> tuple[Path_, object] | None:
        """The item of a per-item document (``weekly[3]`` for ``WEEK 2026-W18``) and where it is."""
        own = INSTANCE_OF.get(code)
        if key is None or own is None:
            return None
        listed, field = own
        for i, item in enumerate(getattr(self.project, listed)):
            if str(getattr(item, field)) == key:
                return (listed, i), item
        return None

    def own_index(self, code: str, key: str | None) -> tuple[int, object]:
        """(index in its list, item) of a per-item document's own item (the first, if its key is
        duplicated: validation reports that); ``KeyError`` if the data has none."""
        found = self.own_item(code, key)
        if found is None:
            raise KeyError(f"{code} {key}")
        (_listed, i), item = found
        return i, item

    # -- calendar --------------------------------------------------------------------------
    @cached_property
    def calendar(self) -> WorkCalendar:
        """The Chinese working-day calendar with the configured holidays and make-up days."""
        cfg = self.settings.calendar
        return WorkCalendar(frozenset(cfg.holidays), frozenset(cfg.workdays))

    @cached_property
    def notices(self) -> list[str]:
        """Things the user should know that are not findings of a rule (in Chinese)."""
        p = self.project
        days = [p.project.start, p.project.end, *(m.date for m in p.milestones),
                *(d for w in p.wbs for d in (w.start, w.end))]
        from .validate import date_window_notices

        window = date_window_notices(self.project, self.source)
        years = self.calendar.uncovered_years(days)
        if not years:
            return window
        listed = "、".join(f"{y} 年" for y in years)
        return window + [f"项目日期涉及 {listed}，chinesecalendar 尚未收录其法定节假日，工作日暂按周一至周五计算"
                f"（计划工期、偏差天数、缺周检查都受影响）。国务院办公厅公布安排后，请在 salespm.yaml"
                f"（或 projects/{self.slug}/config.yaml）的 calendar.holidays 与 calendar.workdays 中补充。"]

    # -- roster ----------------------------------------------------------------------------
    @cached_property
    def roster(self) -> dict[str, str]:
        """Name → role of everyone a document may name."""
        return self.project.roster()

    # -- budget ----------------------------------------------------------------------------
    @cached_property
    def budget_lines_total(self) -> Decimal:
        """Sum of the budget lines."""
        return sum((line.amount for line in self.project.budget.lines), Decimal("0.00"))

    @cached_property
    def budget_total(self) -> Decimal:
        """The budget total as stated, else the sum of its lines."""
        return self.project.budget.total if self.project.budget.total is not None else self.budget_lines_total

    @cached_property
    def budget_shares(self) -> list[tuple[str, Decimal, Decimal]]:
        """(category, amount, share %) per budget line, shares to one decimal that sum to exactly 100.0
        (largest-remainder rounding, so the column adds up to the 100% a reader expects)."""
        lines = self.project.budget.lines
        shares = largest_remainder([line.amount for line in lines], places=1)
        return [(line.category, line.amount, share) for line, share in zip(lines, shares)]

    # -- files -------------------------------------------------------------------------------
    @cached_property
    def logo_uri(self) -> str | None:
        """The logo as a ``data:`` URI of a checked PNG (``logo.load_logo``): neither renderer reads
        the project folder, nor sees the file as supplied (an SVG is rasterised with bounded work)."""
        logo = self.project.project.logo
        if logo is None or self.folder is None:
            return None
        from .logo import load_logo

        return load_logo(self.folder, logo, self.source).uri

    # -- people shortcuts ------------------------------------------------------------------
    @cached_property
    def key_decision_makers(self) -> list[str]:
        """Client contacts marked as key decision-makers."""
        return [c.name for c in self.project.client.contacts if c.key_decision_maker]
