"""Shared fixtures: a private workspace per test (templates + projects), the example built once."""

from __future__ import annotations

import copy
import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from salespm_docs import dates
from salespm_docs.build import build
from salespm_docs.check import squash
from salespm_docs.cli import main
from salespm_docs.config import load_settings
from salespm_docs.facts import Facts
from salespm_docs.loader import load_project
from salespm_docs.validate import validate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "huaxing-crm"
FIXTURES = Path(__file__).parent / "fixtures"


def make_workspace(tmp: Path, *projects: tuple[str, Path]) -> Path:
    """A root with a copy of templates/ and the given project folders."""
    shutil.copytree(ROOT / "templates", tmp / "templates")
    (tmp / "projects").mkdir()
    for slug, source in projects:
        shutil.copytree(source, tmp / "projects" / slug)
    return tmp


def minimal_output(tmp: Path, slug: str) -> Path:
    """``output/<slug>/`` of a good build of the minimal fixture project in a fresh root under
    ``tmp``: the output a failing build must leave alone."""
    root = make_workspace(tmp, (slug, FIXTURES / "minimal"))
    build(root, slug)
    return root / "output" / slug


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh root holding the bundled example project."""
    return make_workspace(tmp_path, (EXAMPLE, ROOT / "projects" / EXAMPLE))


EXAMPLES = ("huaxing-crm", "yuanhang-srm")


def pytest_configure(config) -> None:
    """One date for the whole session, in every xdist worker: the examples are built once and
    copied (``_built_once``), and every document's fingerprint holds the date, so a session that
    crosses midnight would otherwise rebuild from a copy made the day before. ``SOURCE_DATE_EPOCH``
    (``dates.today``) is fixed here unless the caller set it; workers take the controller's."""
    given = getattr(config, "workerinput", {}).get("salespm_epoch")
    os.environ["SOURCE_DATE_EPOCH"] = given or os.environ.get("SOURCE_DATE_EPOCH") or str(int(time.time()))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist, controller side: hand the session's date to each worker."""
    node.workerinput["salespm_epoch"] = os.environ["SOURCE_DATE_EPOCH"]


def _made_once(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder ``name`` shared by every pytest-xdist worker of this session, filled by ``make``
    once, by whichever worker asks first: the others wait on a file lock and find it done
    (``.done``). Never written to afterwards: whoever changes it works on a copy."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".done").is_file():
            shutil.rmtree(folder, ignore_errors=True)
            make(folder)
            (folder / ".done").touch()
    return folder


def _built_once(tmp_path_factory) -> Path:
    """A workspace with both examples built, made once per test session (``_made_once``)."""
    def make(folder: Path) -> None:
        root = make_workspace(folder, *((s, ROOT / "projects" / s) for s in EXAMPLES))
        # the larger example on both cores (the other worker may be waiting for it); yuanhang-srm
        # serially: test_parallel compares its own parallel build with this serial one
        build(root, "huaxing-crm", jobs=2)
        build(root, "yuanhang-srm", jobs=1)

    return _made_once(tmp_path_factory, "examples-built-once", make)


def _copy_of_built(tmp_path_factory, name: str) -> Path:
    """This worker's copy of the examples built once; building it again reuses every document
    (same data, templates, code and date: same fingerprints), so it yields each project's
    ``BuildResult`` in about a second instead of rendering everything per worker and per fixture."""
    root = tmp_path_factory.mktemp(name)
    shutil.copytree(_built_once(tmp_path_factory), root, dirs_exist_ok=True, symlinks=True)
    (root / ".done").unlink()
    return root


def archived_once(tmp_path_factory) -> Path:
    """A workspace with both examples built and huaxing-crm archived to the default folder
    ``archive/``, made once per test session (``_made_once``); copy it
    (``shutil.copytree(..., symlinks=True)``) to change it. Its staging cache keeps the PDF/A
    conversions, so that archiving the copy to a WebDAV server converts nothing again."""
    from salespm_docs.archive.run import archive

    def make(folder: Path) -> None:
        shutil.copytree(_built_once(tmp_path_factory), folder, symlinks=True)
        (folder / ".done").unlink()
        result = archive(folder, EXAMPLE, jobs=2)
        (folder / "first-archive.json").write_text(json.dumps({
            "added": len(result.added), "kept": result.kept, "gaps": len(result.gaps), "folder": result.folder,
            "arc_files": result.arc_files, "uploaded": len(result.uploaded)}, ensure_ascii=False))

    return _made_once(tmp_path_factory, "example-archived-once", make)


@pytest.fixture(scope="session")
def example_build(tmp_path_factory) -> tuple[Path, object]:
    """The example project built once per session: (output folder, BuildResult)."""
    root = _copy_of_built(tmp_path_factory, "example")
    result = build(root, EXAMPLE)  # renders again only if the date changed since (midnight)
    return root / "output" / EXAMPLE, result


@pytest.fixture(scope="session")
def examples_built(tmp_path_factory) -> tuple[Path, dict]:
    """Both example projects built once per session: (workspace root, slug → BuildResult)."""
    root = _copy_of_built(tmp_path_factory, "examples")
    return root, {slug: build(root, slug) for slug in EXAMPLES}


@pytest.fixture(scope="session")
def example_data() -> dict:
    """The example's merged raw data (plain Python values), to copy and break in tests."""
    return load_project(ROOT / "projects" / EXAMPLE, ROOT).data


def facts_from(data: dict, mutate: Callable[[dict], None] | None = None) -> Facts:
    """Facts of a (mutated copy of) raw project data, with the default settings."""
    data = copy.deepcopy(data)
    if mutate:
        mutate(data)
    loaded = load_project(ROOT / "projects" / EXAMPLE, ROOT)
    loaded.data = data
    project = validate(loaded)
    return Facts(EXAMPLE, project, load_settings(ROOT, ROOT / "projects" / EXAMPLE), loaded.source,
                 dates.today())


def example_facts(slug: str, mutate: Callable[[dict], None] | None = None, *, today=None, default=None) -> Facts:
    """Facts of (a mutated copy of) an example project's own data and settings: as of ``today`` if
    given, else the project's status date (数据截至日期), else ``default``, else the session's date."""
    folder = ROOT / "projects" / slug
    loaded = load_project(folder, ROOT)
    loaded.data = copy.deepcopy(loaded.data)
    if mutate:
        mutate(loaded.data)
    project = validate(loaded)
    return Facts(slug, project, load_settings(ROOT, folder), loaded.source,
                 today or project.project.status_date or default or dates.today())


def cli(root: Path, *args: str):
    """Run the CLI in ``root``; returns click's Result (exit_code, stdout, stderr)."""
    runner = CliRunner()
    return runner.invoke(main, ["--root", str(root), *args], catch_exceptions=False)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def in_order(text: str, headings) -> bool:
    """Whether every heading appears in ``text``, in this order (whitespace ignored)."""
    flat, pos = squash(text), 0
    for h in headings:
        pos = flat.find(squash(h), pos)
        if pos < 0:
            return False
    return True


def write_yaml(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


#: Session fixtures that build a whole example project: a test that needs one (even through another
#: fixture) belongs to the full suite, not the fast one.
EXAMPLE_BUILDS = {"example_build", "examples_built"}
#: Module fixtures that do the same: test_pdf_tuning builds the example tuned and plain.
EXAMPLE_BUILDS |= {"pdfs"}
#: … and the archive tests' (an example archived once per session, ``archived_once``)
EXAMPLE_BUILDS |= {"archived", "archived_ws"}
#: … the example as built on a later day (test_example_midway), and yuanhang-srm cut before a gap in
#: its weekly series, built whole (test_stages_and_series)
EXAMPLE_BUILDS |= {"midway", "gap"}


def pytest_collection_modifyitems(config, items):
    """Mark ``slow`` every test that needs an example build or a real client (LibreOffice, qpdf):
    ``make test-fast`` (``-m "not slow"``) runs the rest in a few minutes; ``make test`` and CI run all."""
    for item in items:
        if EXAMPLE_BUILDS & set(item.fixturenames) or item.get_closest_marker("clients"):
            item.add_marker(pytest.mark.slow)
