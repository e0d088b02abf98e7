"""salespm archive to the default target (a folder): what is archived, 档号, PDF/A, the bag, the
归档清单, versions kept, fixity, gaps and re-runs. The WebDAV targets: tests/test_archive_webdav.py."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import bagit
import openpyxl
import pikepdf
import pytest
import yaml
from pypdf import PdfReader

from salespm_docs.archive.pdfa import pdfa_problems
from salespm_docs.archive.run import archive
from salespm_docs.errors import ArchiveError

from conftest import FIXTURES, ROOT, archived_once, cli, in_order, make_workspace
from salespm_docs.check import squash

SLUG = "huaxing-crm"
CODE = re.compile(r"^0001-(\d{4})-(Y|D30|D10)-(\d{4})$")
RETENTION = {"Y": "永久", "D30": "30年", "D10": "10年"}


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """Both examples built once, then huaxing-crm archived to the default folder ``archive/``
    (once per session: ``conftest.archived_once``); (root, what the first archive reported)."""
    root = archived_once(tmp_path_factory)
    return root, json.loads((root / "first-archive.json").read_text(encoding="utf-8"))


def _copy(archived, tmp_path: Path) -> Path:
    """A private copy of the archived workspace (data, output, staging and archive)."""
    root = tmp_path / "ws"
    shutil.copytree(archived[0], root, symlinks=True)
    (root / ".done").unlink()
    return root


def _bag(root: Path) -> Path:
    folders = [p for p in (root / "archive").iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    return folders[0]


def _register(root: Path) -> dict:
    return json.loads((_bag(root) / "archive-register.json").read_text(encoding="utf-8"))


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_every_approved_document_is_archived_once_as_pdfa(archived):
    root, first = archived
    assert first["folder"].startswith("P2026017_"), first
    manifest = json.loads((root / "output" / SLUG / "manifest.json").read_text(encoding="utf-8"))
    built = {(f["artifact"], f["instance"]) for f in manifest["files"] if f["format"] == "pdf"}
    records = _register(root)["records"]
    assert sorted((r["code"], r["key"]) for r in records) == sorted(built)
    assert first["added"] == len(records) and first["kept"] == 0 and first["gaps"] == 0
    for r in records:
        path = _bag(root) / r["file"]
        assert path.is_file(), r["file"]
        assert r["format"] == "PDF/A-3b"
        assert r["pages"] == len(PdfReader(path).pages)
        assert r["file"].startswith(f"data/{r['archival_code']}_{r['code']}_")


def test_archival_codes_follow_da_t_22(archived):
    """全宗号-年度-保管期限代码-件号: the year of approval, the configured 保管期限, 件号 from 0001 with no gaps."""
    root, _ = archived
    records = _register(root)["records"]
    documents = yaml.safe_load((root / "projects" / SLUG / "documents.yaml").read_text(encoding="utf-8"))["documents"]
    groups: dict[tuple[str, str], list[int]] = {}
    for r in records:
        m = CODE.match(r["archival_code"])
        assert m, r["archival_code"]
        year, code, item = m.groups()
        assert RETENTION[code] == r["retention"]
        groups.setdefault((year, code), []).append(int(item))
        control = documents.get(r["code"], {})
        if r["key"] is None and control.get("approved"):
            assert int(year) == control["approved"]["date"].year, r
    for items in groups.values():
        assert sorted(items) == list(range(1, len(items) + 1))
    by_code = {r["code"]: r for r in records if r["key"] is None}
    assert by_code["OPP"]["archival_code"].startswith("0001-2025-D10-")   # approved 2025-12-18, kept 10 years
    assert by_code["CHT"]["archival_code"].startswith("0001-2026-Y-")      # the charter: permanent
    assert by_code["CTR"]["retention"] == "永久" if "CTR" in by_code else True


def test_archived_pdf_is_pdfa_3b_with_its_docx_and_the_source_yaml(archived):
    root, _ = archived
    record = next(r for r in _register(root)["records"] if r["code"] == "CHT")
    path = _bag(root) / record["file"]
    sources = sorted(p.relative_to(root / "projects" / SLUG).as_posix()
                     for p in (root / "projects" / SLUG).rglob("*.yaml"))
    docx = "CHT_项目章程_V1.0.docx"
    assert pdfa_problems(path, [s.replace("/", "__") for s in sources] + [docx]) == []
    with pikepdf.open(path) as pdf:
        files = {name: spec for name, spec in pdf.attachments.items()}
        assert files[docx].get_file().read_bytes() == (root / "output" / SLUG / docx).read_bytes()
        assert files["project.yaml"].get_file().read_bytes() == \
            (root / "projects" / SLUG / "project.yaml").read_bytes()
        assert all(str(spec.obj.get("/AFRelationship")) == "/Source" for spec in files.values())
    text = _pdftotext(path)
    assert "项目章程" in text and "华星精密" in text and "草稿" not in text


def test_the_bag_validates_and_carries_the_project(archived):
    root, _ = archived
    bag = bagit.Bag(str(_bag(root)))
    bag.validate()  # every payload file against manifest-sha256.txt, and the tag files
    assert "sha256" in bag.algorithms
    info = bag.info
    assert info["Project-Code"] == "P2026017"
    assert info["Client"] == "浙江华星精密制造股份有限公司"
    assert info["Project-Name"] == "华星精密 CRM 系统部署项目"
    assert info["Fonds"] == "0001"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", info["Archive-Date"])
    assert (_bag(root) / "archive-register.json").is_file()
    assert "archive-register.json" in (_bag(root) / "tagmanifest-sha256.txt").read_text()


def test_a_changed_byte_is_caught_by_the_bag_and_by_the_next_archive(archived, tmp_path):
    root = _copy(archived, tmp_path)
    record = next(r for r in _register(root)["records"] if r["code"] == "RET")
    path = _bag(root) / record["file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(_bag(root))).validate()
    with pytest.raises(ArchiveError) as caught:
        archive(root, SLUG)
    message = str(caught.value)
    assert "R-ARC-2" in message and record["archival_code"] in message and "应为 " + record["sha256"] in message


def test_the_archive_list_shows_every_record_in_docx_pdf_and_xlsx(archived):
    root, first = archived
    records = _register(root)["records"]
    names = first["arc_files"]
    assert [Path(n).suffix for n in names] == [".docx", ".pdf", ".xlsx"]
    pdf = _bag(root) / "data" / names[1]
    assert pdfa_problems(pdf) == []
    text = _pdftotext(pdf)
    assert in_order(text, ["归档清单", "一、归档说明", "二、归档文件目录", "三、未归档文件", "四、移交与接收"])
    for r in records:
        assert r["archival_code"] in text
    assert "移交人（项目组）" in text and "接收人（档案部门）" in text and "草稿" not in text
    assert f"共 {len(records)} 件" in text
    sheet = openpyxl.load_workbook(_bag(root) / "data" / names[2])["归档文件目录"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)
            if row[1].value and CODE.match(str(row[1].value))]
    assert sorted(r["档号"] for r in rows) == sorted(r["archival_code"] for r in records)
    shas = {r["archival_code"]: r["sha256"] for r in records}
    assert all(r["SHA-256"] == shas[r["档号"]] for r in rows)


def test_a_second_run_uploads_nothing(archived, tmp_path):
    root = _copy(archived, tmp_path)
    before = _register(root)
    result = archive(root, SLUG)
    assert result.added == [] and result.uploaded == [] and result.kept == len(before["records"])
    assert _register(root) == before


def test_a_new_version_is_archived_beside_the_old_one(archived, tmp_path):
    root = _copy(archived, tmp_path)
    old = next(r for r in _register(root)["records"] if r["code"] == "CHT")
    old_bytes = (_bag(root) / old["file"]).read_bytes()
    path = root / "projects" / SLUG / "documents.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("number: HX-P2026017-CHT-01\n    version: V1.0",
                        "number: HX-P2026017-CHT-01\n    version: V1.1", 1)
    text = text.replace("      - {version: V1.0, date: 2026-01-09, author: 王建国, summary: 启动会签署，正式发布}",
                        "      - {version: V1.0, date: 2026-01-09, author: 王建国, summary: 启动会签署，正式发布}\n"
                        "      - {version: V1.1, date: 2026-01-20, author: 王建国, summary: 更新项目经理授权说明}", 1)
    path.write_text(text, encoding="utf-8")
    result = archive(root, SLUG)
    assert [(r.code, r.version) for r in result.added] == [("CHT", "V1.1")]
    new = result.added[0]
    year, code, item = CODE.match(new.archival_code).groups()
    assert (year, code) == CODE.match(old["archival_code"]).groups()[:2]
    same_group = [r for r in _register(root)["records"] if r["archival_code"].startswith(f"0001-{year}-{code}-")]
    assert int(item) == len(same_group)                      # the next 件号, no gap
    assert (_bag(root) / old["file"]).read_bytes() == old_bytes  # V1.0 kept, untouched
    bagit.Bag(str(_bag(root))).validate()
    text = _pdftotext(_bag(root) / "data" / result.arc_files[1])
    assert old["archival_code"] in text and new.archival_code in text
    assert "V1.0" in text and "V1.1" in text and "第2次归档" in squash(text)


def test_a_changed_document_under_the_same_version_is_a_new_record(archived, tmp_path):
    root = _copy(archived, tmp_path)
    old = next(r for r in _register(root)["records"] if r["code"] == "RET")
    path = root / "projects" / SLUG / "retrospective.yaml"
    text = path.read_text(encoding="utf-8")
    where = "location: 杭州华信数智科技有限公司总部 5 楼会议室"
    assert where in text
    path.write_text(text.replace(where, where.replace("5 楼", "6 楼"), 1), encoding="utf-8")
    result = archive(root, SLUG)
    assert [(r.code, r.version) for r in result.added] == [("RET", old["version"])]
    assert result.added[0].archival_code != old["archival_code"]
    assert any("版本号未变" in n and old["archival_code"] in n for n in result.notices)
    assert (_bag(root) / old["file"]).is_file()


def test_gaps_stop_the_archive_unless_allowed(tmp_path):
    """A project whose due documents are missing or not approved: nothing is archived, and the
    message names each gap; --allow-incomplete archives the rest and the 归档清单 lists the gaps."""
    root = make_workspace(tmp_path, ("mini", FIXTURES / "minimal"))
    with (root / "projects" / "mini" / "project.yaml").open("a", encoding="utf-8") as f:
        f.write("documents:\n  ARC:\n    number: HX-P2026999-ARC-01\n    version: V1.0\n    classification: 内部\n"
                "    status: 已批准\n    prepared: {name: 张伟, date: 2026-08-31}\n"
                "    reviewed: {name: 王建国, date: 2026-08-31}\n    approved: {name: 王建国, date: 2026-08-31}\n"
                "    revisions:\n      - {version: V1.0, date: 2026-08-31, author: 张伟, summary: 归档}\n")
    run = cli(root, "archive", "mini")
    assert run.exit_code == 1, run.output
    manifest = json.loads((root / "output" / "mini" / "manifest.json").read_text(encoding="utf-8"))
    missing = [m for m in manifest["missing"] if m["artifact"] in ("INIT", "OPP")]
    assert missing, manifest["missing"]
    assert "（R-ARC-1），未归档任何文件" in run.stderr
    for m in missing:
        assert f"{m['artifact']} {m['title']}：缺少数据，未生成" in run.stderr
    assert "CHT 项目章程：状态为「草稿」，未批准" in run.stderr
    assert "--allow-incomplete" in run.stderr
    assert not (root / "archive").exists() or not any((root / "archive").iterdir())

    run = cli(root, "archive", "mini", "--allow-incomplete")
    assert run.exit_code == 0, run.output
    assert "未归档：CHT 项目章程：状态为「草稿」，未批准" in run.stdout
    assert "本次新增 0 件" in run.stdout
    bag = _bag(root)
    bagit.Bag(str(bag)).validate()
    arc = next(n.removeprefix("归档清单：") for n in run.stdout.splitlines()
               if n.startswith("归档清单：") and n.endswith(".pdf"))
    assert pdfa_problems(bag / "data" / arc) == []
    text = squash(_pdftotext(bag / "data" / arc))
    assert squash("三、未归档文件") in text and "项目章程" in text and "未批准" in text
    for m in missing:
        assert m["title"] in text
    assert "尚无归档文件" in text
    assert "草稿" in text   # an incomplete archive's list is not final


def test_an_unknown_target_or_an_escaping_folder_is_refused_before_anything_is_built(tmp_path):
    root = make_workspace(tmp_path, (SLUG, ROOT / "projects" / SLUG))
    run = cli(root, "archive", SLUG, "--target", "nope")
    assert run.exit_code == 1
    assert "没有名为「nope」的归档目标；salespm.yaml 的 archive.targets 中有：local" in run.stderr
    (root / "salespm.yaml").write_text("archive:\n  targets:\n    out:\n      type: folder\n      path: ../elsewhere\n",
                                       encoding="utf-8")
    run = cli(root, "archive", SLUG, "--target", "out")
    assert run.exit_code == 1
    assert "salespm.yaml: archive.targets.out.path：归档文件夹应是仓库内的相对路径（如 archive），不能是 ../elsewhere" in run.stderr
    assert not (root / "output").exists() and not (tmp_path / "elsewhere").exists()
