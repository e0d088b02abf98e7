"""Every document type declares exactly the data it reads (``Artifact.depends_on``), and an edit
of data no document reads rebuilds nothing.

What counts as a read. A document's data is read by what a build runs for it: ``build_context``
(draft and final), ``run_data_rules``, ``key_values``, ``Facts.control`` and the artifact's
``fingerprint`` hook. ``read_keys`` runs all of them for one document instance against a fresh
``Facts`` whose ``project`` is a ``RecordingProject``: a subclass of ``Project`` that records every
top-level field read, including those made through ``self`` in model methods (``roster()``) and
whole-model dumps. A fresh ``Facts`` per instance means every ``cached_property`` and ``derive``d
figure is computed again through the recorder (none computed from the real project leaks in).

How the reads are judged (``check_declarations``):

- ``project``, ``client`` and ``team`` are hashed for every document (the common part of the
  fingerprint), and every document reads them anyway (the common context: project, client,
  company, roster). They are not special-cased: a document must declare them like any other key.
- ``documents``: each document's own control block is hashed separately (``documents[<CODE>]``,
  merged with ``weekly[i].document`` for a week's report). So a read made inside
  ``Facts.control(<own code>, <own key>)`` counts as a read of ``documents`` (even though it walks
  ``weekly`` to find a week's own block), and every document must declare ``documents``. Asking
  for *another* document's control block is not hashed for this one: it is reported.
- Reads made inside ``rules._document_data`` are left out: that helper reads exactly the declared
  keys (to check names and placeholders in them, R-COM-4/R-COM-6), so counting them would make
  every declaration look used.
- R-COM-4 reads ``groups`` for every document, but consults it only for a name in a field that may
  hold a group (``PersonRef(groups=True)``, e.g. ``communication[].audience``). Its ``groups`` read
  counts only when the document's declared data holds such a name.
- R-COM-8 (client-facing documents only, e.g. ACC) compares the document with every internal money
  figure of the project (``rules.internal_figures``: ``budget``, every weekly cost, every change's budget change). Those reads
  are collected apart (``audience``) and not judged: they concern no document's own data, and
  hashing them belongs to the incremental build's common part, not to any declaration (declaring
  ``weekly`` in ACC would also make R-COM-4/R-COM-6 check every weekly report for ACC).
- A fingerprint hook hashes what it reads. A key the hook reads itself (outside a call of the
  artifact's own context function, whose reads are judged on their own) is covered although not
  declared: RET (and SALES) read only the latest weekly cost, which their hooks hash; ``weekly`` is
  not in their ``depends_on``, which also selects the data R-COM-4/R-COM-6 check. The hook's reads
  never count as uses of a declaration (RET's hook dumps all its declared keys).
- Not run: the checks of the rendered files. Only ``pdf_font_findings`` reads the data there (the
  whole project, to locate a field whose glyph the PDF lost), as a pointer for the message.

Then, for every artifact: keys read ⊆ ``depends_on`` (∪ hook-covered keys) for each instance, and
``depends_on`` ⊆ keys read over all its instances in both example projects.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Iterator
from decimal import Decimal

import pytest

from salespm_docs import incremental, rules
from salespm_docs.figures import actions
from salespm_docs.artifacts.registry import REGISTRY, Artifact, Instance, buildable, check_depends_on, load_all, register
from salespm_docs.build import build, load_facts, plan, Workspace
from salespm_docs.config import load_settings
from salespm_docs.context import build_context
from salespm_docs.facts import Facts
from salespm_docs.loader import load_project
from salespm_docs.model import Project
from salespm_docs.validate import validate

from conftest import EXAMPLE, EXAMPLES, ROOT, _copy_of_built

FIELDS = tuple(Project.model_fields)


# -- the recorder -------------------------------------------------------------------------------

class _Recorder:
    """The top-level reads of the current instance, by purpose (a stack of tags says which)."""

    def __init__(self) -> None:
        self.tags: list[str] = []
        self.read: set[str] = set()      # judged against depends_on
        self.hook: set[str] = set()      # read by the fingerprint hook itself
        self.audience: set[str] = set()  # R-COM-8's internal figures
        self.groups_by_com4 = False      # R-COM-4 read ``groups``
        self.foreign_control: set[tuple[str, str | None]] = set()
        self.active = False

    def note(self, name: str) -> None:
        if not self.active or "ignore" in self.tags:
            return
        if "control" in self.tags:
            name = "documents"
        if "audience" in self.tags:
            self.audience.add(name)
        elif "hook" in self.tags:
            self.hook.add(name)
        elif "com4" in self.tags and name == "groups":
            self.groups_by_com4 = True
        else:
            self.read.add(name)

    @contextlib.contextmanager
    def tagged(self, tag: str):
        self.tags.append(tag)
        try:
            yield
        finally:
            self.tags.pop()


RECORDER = _Recorder()


class RecordingProject(Project):
    """A ``Project`` that tells ``RECORDER`` each top-level field read (model methods read through
    ``self``, so ``roster()`` is seen too; a whole dump reads every field)."""

    def __getattribute__(self, name: str):
        if name in FIELDS:
            RECORDER.note(name)
        return super().__getattribute__(name)

    def _all(self) -> None:
        for name in FIELDS:
            RECORDER.note(name)

    def model_dump(self, *args, **kwargs):
        self._all()
        return super().model_dump(*args, **kwargs)

    def model_dump_json(self, *args, **kwargs):
        self._all()
        return super().model_dump_json(*args, **kwargs)

    def model_copy(self, *args, **kwargs):
        self._all()
        return super().model_copy(*args, **kwargs)

    def __iter__(self):
        self._all()
        return super().__iter__()

    def __eq__(self, other):
        self._all()
        return super().__eq__(other)

    __hash__ = None


def recording(project: Project) -> RecordingProject:
    values = {name: project.__dict__[name] for name in FIELDS}
    return RecordingProject.model_construct(_fields_set=set(project.model_fields_set), **values)


def fresh_facts(facts: Facts) -> Facts:
    """A new ``Facts`` over a recording copy of the project: no cached figure carried over."""
    new = dataclasses.replace(facts, project=recording(facts.project))
    assert "_derived" not in new.__dict__ and "roster" not in new.__dict__
    return new


# -- what a build runs for one document ---------------------------------------------------------

@contextlib.contextmanager
def _instrumented(artifact: Artifact, key: str | None) -> Iterator[None]:
    """Tag the reads of ``Facts.control``, ``rules._document_data``, R-COM-4, R-COM-8's internal
    figures, and (during the hook) the artifact's own context function."""
    original_control = Facts.control
    original_data = rules._document_data
    original_figures = rules.internal_figures
    original_common = rules.COMMON_RULES

    def control(self, code, key_=None):
        if (code, key_) != (artifact.code, key):
            RECORDER.foreign_control.add((code, key_))
        with RECORDER.tagged("control"):
            return original_control(self, code, key_)

    def document_data(facts, artifact_, key_):
        generator = original_data(facts, artifact_, key_)
        while True:
            with RECORDER.tagged("ignore"):
                try:
                    item = next(generator)
                except StopIteration:
                    return
            yield item

    def internal_figures(facts):
        with RECORDER.tagged("audience"):
            return original_figures(facts)

    def com4(facts, artifact_, key_):
        with RECORDER.tagged("com4"):
            yield from rules.people_on_roster.check(facts, artifact_, key_)

    common = tuple(rules.Rule(r.id, r.severity, r.title, com4) if r is rules.people_on_roster else r
                   for r in original_common)
    Facts.control = control
    rules._document_data = document_data
    rules.internal_figures = internal_figures
    rules.COMMON_RULES = common
    try:
        yield
    finally:
        Facts.control = original_control
        rules._document_data = original_data
        rules.internal_figures = original_figures
        rules.COMMON_RULES = original_common


@contextlib.contextmanager
def _context_not_counted_as_hook(artifact: Artifact) -> Iterator[None]:
    """While the hook runs, a call of the artifact's module-level context function (WEEK's hook
    hashes its context) reads as the context does, not as the hook: such reads are judged."""
    module = sys.modules.get(getattr(artifact.context, "__module__", ""), None)
    name = getattr(artifact.context, "__name__", "")
    if module is None or getattr(module, name, None) is not artifact.context:
        yield
        return
    original = artifact.context

    def context(facts, key):
        with RECORDER.tagged("ignore"):
            return original(facts, key)

    setattr(module, name, context)
    try:
        yield
    finally:
        setattr(module, name, original)


def _group_names_shown(facts: Facts, artifact: Artifact, key: str | None) -> bool:
    """Whether the document's declared data holds a name in a field that may name a group."""
    return any(ref.groups for at, value in rules._document_data(facts, artifact, key)
               for _, _, ref in rules.names_in(value, at))


@dataclasses.dataclass
class Reads:
    read: set[str]
    hook: set[str]
    audience: set[str]
    foreign_control: set[tuple[str, str | None]]


def read_keys(facts: Facts, artifact: Artifact, key: str | None) -> Reads:
    """The top-level keys one document instance reads, running what a build runs for it."""
    RECORDER.__init__()
    f = fresh_facts(facts)
    RECORDER.active = True
    try:
        with _instrumented(artifact, key):
            f.control(artifact.code, key)
            for draft in (False, True):
                build_context(f, artifact, key, draft)
            findings = rules.run_data_rules(f, artifact, key, Instance(artifact, key).label)
            list(artifact.key_values(f, key))
            if artifact.fingerprint is not None:
                with RECORDER.tagged("hook"), _context_not_counted_as_hook(artifact):
                    artifact.fingerprint(f, key)
    finally:
        RECORDER.active = False
    assert findings is not None
    read = set(RECORDER.read)
    if RECORDER.groups_by_com4 and _group_names_shown(facts, artifact, key):
        read.add("groups")
    return Reads(read, set(RECORDER.hook), set(RECORDER.audience), set(RECORDER.foreign_control))


def check_declarations(artifact: Artifact, runs: list[tuple[Facts, str | None]]) -> list[str]:
    """Problems with ``artifact.depends_on`` over these document instances (empty: exact)."""
    declared = set(artifact.depends_on)
    problems, used = [], set()
    for facts, key in runs:
        reads = read_keys(facts, artifact, key)
        label = f"{facts.slug}: {Instance(artifact, key).label}"
        undeclared = reads.read - declared - reads.hook
        if undeclared:
            problems.append(f"{label} reads undeclared {sorted(undeclared)}")
        for code, key_ in sorted(reads.foreign_control, key=str):
            problems.append(f"{label} reads the control block of another document {code} {key_ or ''}")
        used |= reads.read
    unused = declared - used
    if unused:
        problems.append(f"{artifact.code} declares {sorted(unused)}, never read by any of its "
                        f"{len(runs)} documents")
    return problems


@pytest.fixture(scope="module")
def examples() -> dict[str, Facts]:
    return {slug: load_facts(Workspace(ROOT), slug) for slug in EXAMPLES}


def instances_of(examples: dict[str, Facts], artifact: Artifact) -> list[tuple[Facts, str | None]]:
    return [(facts, i.key) for facts in examples.values() for i in plan(facts)[0]
            if i.artifact.code == artifact.code]


# -- 1. declarations are required and checked at registration -----------------------------------

def _artifact(**kw) -> Artifact:
    return Artifact(**{"code": "ARC", "sections": (), "context": lambda facts, key: {}, **kw})


@pytest.fixture(autouse=True)
def _arc_unregistered(request, monkeypatch):
    """The registration tests register a stand-in for ARC: the real one steps aside meanwhile."""
    if request.node.name.startswith(("test_registering_without", "test_an_artifact_registered_without")):
        load_all()
        monkeypatch.delitem(REGISTRY, "ARC")


@pytest.mark.parametrize("depends_on, says", [
    ((), "must declare depends_on"),
    (("*",), "'*'"),
    (("project", "*"), "'*'"),
    (("project", "risk"), "'risk'"),
    (("project", "Documents"), "'Documents'"),
    ("project", "tuple"),
    (("project", "project"), "twice"),
])
def test_registering_without_an_exact_declaration_fails(depends_on, says):
    with pytest.raises(ValueError) as error:
        register(_artifact(depends_on=depends_on))
    assert "'ARC'" in str(error.value) and says in str(error.value)
    assert "ARC" not in REGISTRY


def test_an_artifact_registered_without_depends_on_fails():
    with pytest.raises(ValueError, match="'ARC' must declare depends_on"):
        register(_artifact())
    assert "ARC" not in REGISTRY


def test_every_registered_artifact_declares_known_keys():
    for artifact in buildable():
        check_depends_on(artifact)
        assert "*" not in artifact.depends_on


# -- 2. declarations are exact ------------------------------------------------------------------

@pytest.mark.parametrize("code", ["OPP", "CHT", "WBS", "GNT", "WEEK", "PRG", "ACC", "RET", "RISK", "RES", "ISS", "PAY",
                                  "INIT", "PLAN", "COM", "STRAT", "REQ", "SOL", "CTR", "PACC", "MIN", "CHG",
                                  "MAIL", "SAT", "PERF", "SALES"])
def test_each_document_reads_exactly_what_it_declares(examples, code):
    artifact = REGISTRY[code]
    runs = instances_of(examples, artifact)
    assert runs, f"no example project has a {code} document: its declaration cannot be checked"
    assert check_declarations(artifact, runs) == []


def test_every_registered_artifact_is_checked():
    assert {a.code for a in buildable()} == {"OPP", "CHT", "WBS", "GNT", "WEEK", "PRG", "ACC", "RET", "RISK", "RES", "ISS", "PAY",
                                               "INIT", "PLAN", "COM", "STRAT", "REQ", "SOL", "CTR", "PACC", "MIN", "CHG",
                                               "MAIL", "SAT", "PERF", "SALES", "ARC"}
    assert {a.code for a in buildable() if a.made_by} == {"ARC"}   # checked below, with an archive


def test_the_archive_list_reads_exactly_what_it_declares(examples):
    """ARC is made by salespm archive (``Facts.archive``), not by a build: checked on an archive of two records."""
    import dataclasses

    from salespm_docs.archive.register import ArchiveView, Gap, Record, Register

    facts = examples["huaxing-crm"]
    record = Record(archival_code="0001-2026-Y-0001", year=2026, retention="永久", item=1, code="CHT", key=None,
                    title="项目章程", number="HX-P2026017-CHT-01", version="V1.0", pages=7, classification="内部",
                    format="PDF/A-3b", sha256="0" * 64, file="data/x.pdf", source="1" * 64, archived="2026-12-02",
                    batch=1)
    register = Register("P2026017", "0001", [record, dataclasses.replace(record, archival_code="0001-2026-Y-0002",
                                                                            item=2, version="V1.1")],
                        [{"batch": 1, "date": "2026-12-02"}])
    facts.archive = ArchiveView(register, dt.date(2026, 12, 2), "本地归档文件夹 archive/",
                                [Gap("RET", None, "项目复盘报告", "状态为「评审中」，未批准")])
    try:
        assert check_declarations(REGISTRY["ARC"], [(facts, None)]) == []
    finally:
        facts.archive = None


def test_the_checker_finds_an_undeclared_read(examples):
    """OPP's context reading the risk register without declaring it would leave OPP stale."""
    opp = REGISTRY["OPP"]

    def context(facts, key):
        return {**opp.context(facts, key), "risks_shown": [r.id for r in facts.project.risks]}

    runs = instances_of(examples, opp)
    problems = check_declarations(dataclasses.replace(opp, context=context), runs)
    assert any("reads undeclared ['risks']" in p for p in problems), problems


def test_the_checker_sees_reads_made_through_model_methods(examples):
    """``facts.roster`` → ``Project.roster()`` reads ``team`` through ``self``."""
    opp = REGISTRY["OPP"]
    without_team = tuple(k for k in opp.depends_on if k != "team")
    problems = check_declarations(dataclasses.replace(opp, depends_on=without_team), instances_of(examples, opp))
    assert any("reads undeclared ['team']" in p for p in problems), problems


def test_the_checker_finds_an_undeclared_read_in_a_rule_and_in_key_values(examples):
    opp = REGISTRY["OPP"]

    def reads_surveys(facts, artifact, key):
        return [(("surveys",), "x") for _ in facts.project.surveys[:0]]

    extra = rules.Rule("R-TEST-READS", "W", "test only", reads_surveys)  # not registered in RULES
    rule_run = check_declarations(dataclasses.replace(opp, rules=(*opp.rules, extra)),
                                  instances_of(examples, opp))
    values_run = check_declarations(
        dataclasses.replace(opp, key_values=lambda facts, key: [*opp.key_values(facts, key),
                                                                 str(len(facts.project.wbs))]),
        instances_of(examples, opp))
    assert any("reads undeclared ['surveys']" in p for p in rule_run), rule_run
    assert any("reads undeclared ['wbs']" in p for p in values_run), values_run


def test_the_checker_finds_an_over_declaration(examples):
    """Declaring ``surveys`` for OPP would rebuild it on every survey edit, for nothing."""
    opp = REGISTRY["OPP"]
    problems = check_declarations(dataclasses.replace(opp, depends_on=(*opp.depends_on, "surveys")),
                                  instances_of(examples, opp))
    assert problems == [f"OPP declares ['surveys'], never read by any of its {len(instances_of(examples, opp))} documents"]


def test_the_checker_finds_a_read_of_another_documents_control_block(examples):
    opp = REGISTRY["OPP"]

    def context(facts, key):
        return {**opp.context(facts, key), "charter": facts.control("CHT")[0].number}

    problems = check_declarations(dataclasses.replace(opp, context=context), instances_of(examples, opp))
    assert any("control block of another document CHT" in p for p in problems), problems


def test_no_cached_figure_leaks_from_the_real_project(examples):
    facts = examples[EXAMPLE]
    facts.roster, facts.budget_total  # noqa: B018 - computed on the real project
    reads = read_keys(facts, REGISTRY["OPP"], None)
    assert "team" in reads.read  # the roster was computed again, through the recorder


# -- 3. an edit rebuilds exactly the documents that declare what it touches ---------------------

def _load(mutate=None) -> Facts:
    folder = ROOT / "projects" / EXAMPLE
    loaded = load_project(folder, ROOT)
    if mutate is not None:
        data = copy.deepcopy(loaded.data)
        mutate(data)
        loaded.data = data
    project = validate(loaded)
    return Facts(EXAMPLE, project, load_settings(ROOT, folder), loaded.source,
                 project.project.status_date or dt.date(2026, 7, 1))


def _prints(facts: Facts) -> dict[str, str]:
    fp = incremental.Fingerprints(facts, ROOT / "templates")
    return {i.label: fp.of(i) for i in plan(facts)[0]}


def _string_paths(value, path=()) -> Iterator[tuple]:
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for k, item in value.items():
            yield from _string_paths(item, (*path, k))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _string_paths(item, (*path, i))


def _set(data, path, new) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = new


def _get(data, path):
    for step in path:
        data = data[step]
    return data


#: Fields whose text is an identifier or a choice: changing it is not "an edit of a text".
_NOT_TEXT = {"week", "id", "code", "task", "status", "level", "stage", "measure", "unit", "category",
             "version", "classification", "logo", "owner", "contact", "sponsor", "manager",
             "result", "type", "kind", "final", "direction", "frequency", "company_code"}


def _edit_a_text(raw: dict, key: str, within: tuple = ()) -> tuple:
    """The first free-text field under ``raw[key][*within]`` whose change still validates."""
    for path in _string_paths(_get(raw, (key, *within)), (key, *within)):
        if any(isinstance(p, str) and p in _NOT_TEXT for p in path[-1:]):
            continue
        try:
            _load(lambda d: _set(d, path, _get(raw, path) + "（修订）"))
        except Exception:  # noqa: BLE001 - a constrained text: try the next one
            continue
        return path
    raise AssertionError(f"no editable text under {key}{list(within)}")


@pytest.fixture(scope="module")
def baseline():
    facts = _load()
    raw = load_project(ROOT / "projects" / EXAMPLE, ROOT).data
    return facts, raw, _prints(facts)


def _changed_by(raw: dict, path: tuple, before: dict[str, str], new=None) -> set[str]:
    value = _get(raw, path)
    new_value = value + "（修订）" if new is None else new

    def mutate(d):
        _set(d, path, new_value)

    after = _prints(_load(mutate))
    assert after.keys() == before.keys()
    return {label for label in before if before[label] != after[label]}


READ_KEYS = sorted({k for a in buildable() for k in a.depends_on}
                   - {"documents", "weekly"})


#: Fingerprint hooks that read only part of a declared key: (code, key) → the part. RISK reads of
#: the opportunity assessment only its risks (R-RISK-4: every 高 risk of OPP is in the register).
NARROWED = {("RISK", "opportunity"): ("opportunity", "risks")}


def _reads(artifact, key: str, path: tuple) -> bool:
    part = NARROWED.get((artifact.code, key))
    return key in artifact.depends_on and (part is None or path[:len(part)] == part)


#: Per-week documents that carry the week's open minute actions (``figures/actions.py``), each marked
#: with its meeting's date and title: their hooks read ``meetings``, which they do not declare.
SHOW_OPEN_ACTIONS = ("WEEK", "MAIL")

#: Documents whose hook reads, of the weekly reports, only the latest cost snapshot (RET's 成本偏差,
#: SALES's 毛利率): ``weekly`` is not in their ``depends_on``.
READ_LATEST_COST = ("RET", "SALES")


def _week_shows_minutes_of(facts, week: str, meeting: int) -> bool:
    """WEEK's and MAIL's hooks read the minutes for the open action items a week carries
    (figures/actions.py), each marked with its meeting's date and title: a week shows them until
    they are closed."""
    year, number = week.split("-W")
    start = dt.date.fromisocalendar(int(year), int(number), 1)
    return any(a.meeting_index == meeting for a in actions.open_in_week(facts, start, start + dt.timedelta(days=6)))


def _rebuilds(facts, instance, key: str, path: tuple) -> bool:
    """Whether an edit at ``path`` (under ``key``) should rebuild ``instance``: a per-item document
    (MIN, CHG …) only for its own item; WEEK and MAIL for the minutes whose open items they show
    (their hooks)."""
    artifact = instance.artifact
    own = artifact.instance_of
    if own is not None and own[0] == key and key != "weekly":
        return instance.key == str(getattr(getattr(facts.project, key)[path[1]], own[1]))
    if artifact.code in SHOW_OPEN_ACTIONS and key == "meetings":
        return path[2] in ("title", "date", "actions") and _week_shows_minutes_of(facts, instance.key, path[1])
    return _reads(artifact, key, path)


@pytest.mark.parametrize("key", READ_KEYS)
def test_an_edit_rebuilds_exactly_the_documents_declaring_its_key(baseline, key):
    """Every document whose artifact declares ``key``, and no other: with a fingerprint hook too
    (WEEK hashes the WBS, risks, milestones and budget it reads for every week; RET all it declares),
    unless the hook reads only a part of the key (``NARROWED``) and the edit is elsewhere."""
    facts, raw, before = baseline
    assert raw.get(key), f"the example has no {key}: the test would prove nothing"
    path = _edit_a_text(raw, key)
    expected = {i.label for i in plan(facts)[0] if _rebuilds(facts, i, key, path)}
    assert _changed_by(raw, path, before) == expected, path


def test_the_risk_register_rebuilds_on_the_assessments_risks_only(baseline):
    """RISK's hook: an edit of the assessment's summary rebuilds OPP alone; an edit of one of its
    risks rebuilds OPP and the 风险登记册 (R-RISK-4 reads them)."""
    facts, raw, before = baseline
    assert _changed_by(raw, ("opportunity", "summary"), before) == {"OPP"}
    assert _changed_by(raw, ("opportunity", "risks", 0, "response"), before) == {"OPP", "RISK"}


def per_week(facts, week: str) -> set[str]:
    """The documents made of one week (instances of the weekly reports: WEEK, MAIL)."""
    labels = {i.label for i in plan(facts)[0]
              if i.artifact.instance_of is not None and i.artifact.instance_of[0] == "weekly" and i.key == week}
    assert {f"WEEK {week}", f"MAIL {week}"} <= labels
    return labels


def test_an_edit_of_one_weeks_text_rebuilds_that_week_only(baseline):
    """WEEK's and MAIL's hooks: a week's report and mail are made from their own week (and the
    previous week's 完成% and cost, not its text); RET and SALES read only the latest cost. So a
    text of one week rebuilds that week's documents."""
    facts, raw, before = baseline
    weeks = sorted(range(len(raw["weekly"])), key=lambda i: raw["weekly"][i]["week"])
    i = weeks[len(weeks) // 2]
    path = ("weekly", i, "status_reason") if raw["weekly"][i].get("status_reason") else _edit_a_text(raw, "weekly", (i,))
    assert _changed_by(raw, path, before) == per_week(facts, raw["weekly"][i]["week"])


def test_an_edit_of_a_weeks_progress_rebuilds_the_schedule_documents(baseline):
    """GNT and PRG read the task entries of the weekly reports: an actual start moved in the latest
    report rebuilds that week, the Gantt chart and the 进度表, and no other week."""
    facts, raw, before = baseline
    latest = max(range(len(raw["weekly"])), key=lambda i: raw["weekly"][i]["week"])
    tasks = raw["weekly"][latest]["tasks"]
    j = next(j for j, t in enumerate(tasks) if t.get("actual_start"))
    path = ("weekly", latest, "tasks", j, "actual_start")
    changed = _changed_by(raw, path, before, _get(raw, path) - dt.timedelta(days=1))
    assert {f"WEEK {raw['weekly'][latest]['week']}", "GNT", "PRG"} <= changed
    assert not {label for label in changed if label.startswith("WEEK ")} - {f"WEEK {raw['weekly'][latest]['week']}"}


def test_an_edit_of_the_latest_cost_rebuilds_its_week_and_ret(baseline):
    """RET's and SALES's hooks read the latest weekly cost snapshot and nothing else of the weekly
    reports; PRG shows every week's cost (the earned-value table and the S-curve); GNT shows no cost;
    the client-facing documents (MAIL of every week among them) keep every cost out (R-COM-8)."""
    facts, raw, before = baseline
    with_cost = sorted((w["week"], i) for i, w in enumerate(raw["weekly"]) if w.get("cost"))
    week, i = with_cost[-1]
    assert week == max(w["week"] for w in raw["weekly"]), "a later week would carry this cost forward"
    path = ("weekly", i, "cost", "actual_to_date")
    new = Decimal(str(_get(raw, path))) + 1
    assert all("weekly" not in REGISTRY[code].depends_on for code in READ_LATEST_COST)
    assert _changed_by(raw, path, before, new) == {f"WEEK {week}", "PRG", *READ_LATEST_COST} | client_facing(facts)


def client_facing(facts) -> set[str]:
    """The documents R-COM-8 checks against every internal figure (budget, weekly costs)."""
    labels = {i.label for i in plan(facts)[0] if i.artifact.audience_for(facts.settings) == "client"}
    assert labels, "the example has no client-facing document: the R-COM-8 cases would prove nothing"
    return labels


def test_an_edit_of_an_earlier_cost_does_not_rebuild_ret(baseline):
    facts, raw, before = baseline
    with_cost = sorted((w["week"], i) for i, w in enumerate(raw["weekly"]) if w.get("cost"))
    (week, i), (following, _) = with_cost[0], with_cost[1]
    path = ("weekly", i, "cost", "actual_to_date")
    changed = _changed_by(raw, path, before, Decimal(str(_get(raw, path))) - 1)
    assert not set(READ_LATEST_COST) & changed and "GNT" not in changed and f"WEEK {week}" in changed
    assert {label for label in changed if not label.startswith("WEEK ")} == {"PRG"} | client_facing(facts)


def test_an_edit_of_one_control_block_rebuilds_only_that_document(baseline):
    facts, raw, before = baseline
    for code in ("OPP", "ACC", "RET"):
        path = _edit_a_text(raw, "documents", (code,))
        assert _changed_by(raw, path, before) == {code}, path


# -- 4. end to end: an edit of data only RET reads rebuilds RET and keeps every other file --------

@pytest.mark.slow
def test_editing_the_retrospective_rebuilds_only_ret_and_keeps_other_files(tmp_path_factory):
    assert [a.code for a in buildable() if "retrospective" in a.depends_on] == ["RET"]
    root = _copy_of_built(tmp_path_factory, "retrospective")  # the example built once per session
    first = build(root, EXAMPLE)
    out = root / "output" / EXAMPLE
    files = {p.name: (os.stat(p).st_ino, p.read_bytes()) for d in first.documents for p in (f.path for f in d.files)}
    ret_files = {f.path.name for d in first.documents if d.instance.artifact.code == "RET" for f in d.files}
    assert ret_files and len(files) > len(ret_files)

    path = root / "projects" / EXAMPLE / "retrospective.yaml"
    text = path.read_text(encoding="utf-8")
    old = "summary: "
    assert old in text
    path.write_text(text.replace(old, "summary: （复盘会后修订）", 1), encoding="utf-8")
    second = build(root, EXAMPLE)

    assert {d.instance.label for d in second.rebuilt} == {"RET"}
    for name, (inode, data) in files.items():
        if name in ret_files:
            continue
        now = out / name
        assert os.stat(now).st_ino == inode and now.read_bytes() == data, name


def test_only_r_com_8_reads_beyond_the_declarations_and_only_internal_figures(examples):
    """The one read the judgement leaves out (see the module docstring): a client-facing document's
    R-COM-8 reads every internal money figure. ACC does not declare ``budget`` or ``weekly`` (it
    shows neither); the fingerprint of a client-facing document covers these figures instead
    (``Fingerprints._internal_figures``), which the cost tests above prove."""
    for artifact in buildable():
        for facts, key in instances_of(examples, artifact):
            audience = read_keys(facts, artifact, key).audience
            assert audience <= {"project", "initiation", "budget", "weekly", "changes"}
            assert bool(audience) == (artifact.audience_for(facts.settings) == "client")
