"""CLI: ``salespm build | check | schema | status | new | templates | mail | archive`` → calls into the library, prints, exits.

The only module that prints or exits. Known errors become one Chinese message and an exit code
(2 bad data or usage, 1 failed checks); a traceback appears only with ``--debug``.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import click
from rich.console import Console

from . import __version__
from .errors import SalespmError

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


class Ctx:
    def __init__(self, root: Path, debug: bool):
        self.root = root
        self.debug = debug


def _run(ctx: Ctx, fn, *args, **kwargs):
    """Call the library; turn its errors into a message and an exit code."""
    try:
        return fn(*args, **kwargs)
    except SalespmError as exc:
        if ctx.debug:
            raise
        err.out(f"错误：{exc}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM during build --all (batch.Interrupted)
        signum = getattr(exc, "signum", signal.SIGINT)
        what = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        err.out(f"已中断：收到 {what}，构建已停止；上一次的输出保持不变。")
        sys.exit(128 + signum)
    except Exception as exc:  # an internal bug: say so plainly, keep the traceback for --debug
        if ctx.debug:
            raise
        err.out(f"内部错误：{type(exc).__name__}: {exc}\n请加 --debug 重新运行以查看详细信息，并报告此问题。")
        sys.exit(3)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="工作目录（包含 projects/、templates/、output/），默认当前目录。")
@click.option("--debug", is_flag=True, help="出错时显示完整的 Python 调用栈。")
@click.version_option(__version__, prog_name="salespm")
@click.pass_context
def main(click_ctx: click.Context, root: Path, debug: bool) -> None:
    """salespm：从项目数据（YAML）生成销售项目管理文档（DOCX / PDF），并检查完整性。"""
    click_ctx.obj = Ctx(root.resolve(), debug)


def _progress(status):
    """A notify callback: updates the spinner; outside a terminal, prints what matters (waiting)."""
    def notify(message: str) -> None:
        status.update(message)
        if not err.is_terminal and "等待" in message:
            err.out(message)
    return notify


def _print_findings(findings, strict: bool) -> None:
    for f in findings:
        level = "错误" if f.severity == "E" else "警告"
        out.out(f"[{f.rule}] {f.severity} {level} {f.document} {f.location}: {f.message}")


def _notice_lines(notices: list[str]) -> list[str]:
    return [f"提示：{notice}" for notice in notices]


def _print_notices(notices: list[str]) -> None:
    for line in _notice_lines(notices):
        out.out(line)


@main.command()
@click.argument("slug", required=False)
@click.option("--all", "all_projects", is_flag=True, help="生成 projects/ 下的全部项目。")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="并行的进程数（默认：CPU 核数）。单个项目时各文档并行生成，--all 时各项目并行。")
@click.option("--force", is_flag=True, help="不复用上次的结果，全部重新生成。")
@click.option("--strict", is_flag=True, help="有任何错误或警告即失败，并且不更新输出目录。")
@click.pass_obj
def build(ctx: Ctx, slug: str | None, all_projects: bool, jobs: int | None, force: bool, strict: bool) -> None:
    """生成 projects/SLUG/ 的全部文档到 output/SLUG/（未变化的文档直接复用）。"""
    from .workers import default_jobs

    jobs = jobs or default_jobs()
    if all_projects:
        if slug:
            raise click.UsageError("--all 与项目名不能同时使用")
        _build_all(ctx, jobs, force)
        return
    if not slug:
        raise click.UsageError("请给出项目名（projects/ 下的文件夹名），或使用 --all")
    import time

    from . import noop

    started = time.perf_counter()
    digest = noop.inputs_digest(ctx.root, slug)
    summary = noop.recorded(ctx.root, slug, digest) if digest and not (force or strict) else None
    if summary is None:
        from .build import build as run_build

        with err.status("准备中…") as status:
            result = _run(ctx, run_build, ctx.root, slug, strict=strict, force=force,
                          notify=_progress(status), jobs=jobs)
        summary = _summary(ctx, result)
        if digest:
            noop.record(ctx.root, slug, digest, summary)
        reused, seconds = {d.instance.label for d in result.documents if d.reused}, result.seconds
    else:  # every input as the last published build read it, its files intact: nothing to do
        reused, seconds = {label for label, _files in summary["documents"]}, time.perf_counter() - started
    _print_summary(slug, summary, reused, seconds)


def _summary(ctx: Ctx, result) -> dict:
    """What ``build`` prints of a result, as plain data (recorded for the no-op shortcut)."""
    documents = []
    for d in result.documents:
        state = "完整" if d.complete else f"不完整（{sum(1 for f in d.findings if f.severity == 'E')} 个错误，已标记草稿）"
        paths = [str(f.path.relative_to(ctx.root) if f.path.is_relative_to(ctx.root) else f.path) for f in d.files]
        documents.append([d.instance.label, [[path, state] for path in paths]])
    lines = [f"  （跳过）{a.code} {a.title}：项目数据中尚无此文档所需的数据" for a in result.missing]
    for f in result.series_findings:
        level = "错误" if f.severity == "E" else "警告"
        lines.append(f"  [{f.rule}] {level} {f.document} {f.location}：{f.message}")
    lines += _notice_lines(result.notices)
    return {"documents": documents, "lines": lines, "errors": len(result.errors()),
            "warnings": len(result.warnings())}


def _print_summary(slug: str, summary: dict, reused: set[str], seconds: float) -> None:
    files = 0
    for label, paths in summary["documents"]:
        for path, state in paths:
            out.out(f"  {path}  {state}{'（未变化，复用）' if label in reused else ''}")
            files += 1
    for line in summary["lines"]:
        out.out(line)
    documents, errors, warnings = len(summary["documents"]), summary["errors"], summary["warnings"]
    out.out(f"已生成 {files} 个文件到 output/{slug}/"
            f"（重新生成 {documents - len(reused)} 份文档，复用 {len(reused)} 份，"
            f"用时 {seconds:.1f} 秒）；错误 {errors} 个，警告 {warnings} 个。"
            f"详见 output/{slug}/完整性报告.md")
    if errors or warnings:
        out.out("运行 salespm check " + slug + " 查看每一项检查发现。")


def _build_all(ctx: Ctx, jobs: int, force: bool) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .batch import build_all
    from .build import Workspace
    from .status import all_projects

    slugs = all_projects(Workspace(ctx.root))
    if not slugs:
        out.out("projects/ 下没有项目。")
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=False) as progress:
        task = progress.add_task(f"生成 {len(slugs)} 个项目（{jobs} 个进程）", total=len(slugs))
        outcomes = _run(ctx, build_all, ctx.root, slugs, jobs, force,
                        lambda o: progress.advance(task))
    failed = [o for o in outcomes if o.failure]
    for o in outcomes:
        if o.failure:
            first, *rest = o.failure.splitlines() or [""]
            out.out(f"  {o.slug}：失败 —— {first}")
            for line in rest:  # every located problem, not just the count
                out.out(f"    {line.strip()}")
        else:
            out.out(f"  {o.slug}：{o.files} 个文件（重新生成 {o.rebuilt}/{o.documents}），错误 {o.errors}，警告 {o.warnings}")
    out.out(f"完成 {len(outcomes) - len(failed)}/{len(outcomes)} 个项目。")
    if failed:
        sys.exit(2)


@main.command()
@click.argument("slug")
@click.option("--strict", is_flag=True, help="警告也视为失败（退出码 1）。")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="并行生成文档的进程数（默认：CPU 核数）。")
@click.option("--only", "only", multiple=True, metavar="CODE",
              help="只检查这些文档类型（文档代码，可重复或用逗号分隔，如 --only CHT,WEEK）。")
@click.pass_obj
def check(ctx: Ctx, slug: str, strict: bool, jobs: int | None, only: tuple[str, ...]) -> None:
    """检查 projects/SLUG/ 的数据与渲染结果（不修改 output/）。"""
    from .build import build as run_build
    from .workers import default_jobs

    codes = tuple(c for part in only for c in part.split(",") if c.strip())
    with err.status("检查中…") as status:
        result = _run(ctx, run_build, ctx.root, slug, publish=False, notify=_progress(status),
                      jobs=jobs or default_jobs(), only=codes)
    _print_findings(result.findings, strict)
    _print_notices(result.notices)
    errors, warnings = result.errors(), result.warnings()
    out.out(f"检查了 {len(result.documents)} 份文档：错误 {len(errors)} 个，警告 {len(warnings)} 个。")
    if errors or (strict and warnings):
        sys.exit(1)


@main.command()
@click.option("-o", "--output", "target", type=click.Path(dir_okay=False, path_type=Path),
              help="写入文件；省略则输出到标准输出。")
@click.pass_obj
def schema(ctx: Ctx, target: Path | None) -> None:
    """输出项目数据的 JSON Schema（供 VS Code YAML 插件校验与补全）。"""
    from .schema import project_schema

    text = json.dumps(project_schema(), ensure_ascii=False, indent=2) + "\n"
    if target is None:
        out.out(text, end="")
    else:
        target.write_text(text, encoding="utf-8")
        err.out(f"已写入 {target}")


STATE_LABELS = {"complete": "完整", "incomplete": "不完整", "missing": "缺失"}


@main.command()
@click.argument("slug", required=False)
@click.pass_obj
def status(ctx: Ctx, slug: str | None) -> None:
    """显示各项目的阶段，以及该阶段应有文档的状态（完整 / 不完整 / 缺失）和周报系列是否缺周。"""
    from rich.table import Table

    from .dates import cn_date
    from .status import statuses

    results = _run(ctx, statuses, ctx.root, slug)
    if not results:
        out.out("projects/ 下没有项目。用 salespm new <slug> 创建一个。")
        return
    for s in results:
        if s.error:
            out.out(f"{s.slug}：无法读取（{s.error}）")
            continue
        as_of = f"  数据截至 {cn_date(s.status_date)}" if s.status_date else ""
        table = Table(title=f"{s.slug}  {s.name}  当前阶段：{s.stage}{as_of}", title_justify="left")
        for column in ("文档", "阶段", "状态", "错误"):
            table.add_column(column)
        rows = [(f"{d.artifact.code} {d.artifact.title}" + (f"（{d.key}）" if d.key else ""), d)
                for d in s.documents or []]
        rows += [(f"{x.artifact.code} {x.artifact.title}（系列，共 {x.count} 份）", x) for x in s.series]
        for name, d in rows:
            state = STATE_LABELS[d.state]
            color = {"complete": "green", "incomplete": "yellow", "missing": "red"}[d.state]
            stage = d.artifact.stage if d.due else f"{d.artifact.stage}（未到阶段）"
            table.add_row(name, stage, f"[{color}]{state}[/]", str(d.errors) if d.errors else "")
        out.print(table)
        for x in s.series:
            for f in x.findings:
                level = "错误" if f.severity == "E" else "警告"
                out.out(f"  [{f.rule}] {level} {f.document} {f.location}：{f.message}")


@main.command()
@click.argument("slug")
@click.option("--name", default=None, help="项目名称。")
@click.option("--client", "client_name", default=None, help="客户全称。")
@click.pass_obj
def new(ctx: Ctx, slug: str, name: str | None, client_name: str | None) -> None:
    """在 projects/SLUG/ 创建一个新项目（带注释的 YAML 骨架）。"""
    from .scaffold import new_project

    folder = _run(ctx, new_project, ctx.root, slug, name=name, client=client_name)
    out.out(f"已创建 {folder.relative_to(ctx.root)}/：请按注释填写 project.yaml，然后运行 salespm check {slug}")


@main.command()
@click.argument("codes", nargs=-1)
@click.option("--force", is_flag=True, help="覆盖在 Word / WPS 中修改过的模板（修改将丢失）。")
@click.option("--check", "check_only", is_flag=True, help="只检查模板是否与版式描述一致，不写文件；不一致时退出码 1。")
@click.pass_obj
def templates(ctx: Ctx, codes: tuple[str, ...], force: bool, check_only: bool) -> None:
    """由版式描述（salespm_docs/layouts/<代码>.py）重新生成 templates/ 下的 Word 与 HTML 模板。"""
    from .layout import generate

    folder = ctx.root / "templates"
    known = generate.layouts()
    unknown = [c for c in codes if c.upper() not in known]
    if unknown:
        from .suggest import did_you_mean

        err.out(f"错误：没有文档代码「{unknown[0]}」的版式{did_you_mean(unknown[0].upper(), known)}；"
                f"可生成的模板：{'、'.join(known)}")
        sys.exit(2)
    if check_only:
        stale = _run(ctx, generate.stale, folder, list(codes) or None)
        edited = set(_run(ctx, generate.edited, folder))
        for path in stale:
            why = "已手动修改" if path in edited else "与版式描述不一致，请运行 make templates"
            out.out(f"templates/{path}：{why}")
        if stale:
            sys.exit(1)
        out.out("模板与版式描述一致。")
        return
    outcome = _run(ctx, generate.write_templates, folder, list(codes) or None, force)
    for path in outcome.written:
        out.out(f"已生成 templates/{path}")
    if outcome.current and not outcome.written and not outcome.kept:
        out.out(f"{len(outcome.current)} 个模板已是最新。")
    for path in outcome.kept:
        err.out(f"未覆盖 templates/{path}：它在上次生成之后被修改过（在 Word / WPS 中改过样式？）。"
                f"请把改动移到版式描述或 base.css 中，或确认放弃改动后加 --force 重新生成。")
    if outcome.kept:
        sys.exit(1)


@main.command()
@click.argument("slug")
@click.option("--week", required=True, metavar="YYYY-Www", help="要发送的周，如 2026-W15。")
@click.option("--send", is_flag=True, help="通过 SMTP 发送（服务器见 salespm.yaml 的 mail）；缺省只生成 .eml。")
@click.option("--resend", is_flag=True, help="允许再次发送已发送过的周（发送记录 output/<项目>/mail-log.json）。")
@click.option("--attach-pdf", is_flag=True, help="附上本周进展的 PDF（面向客户的内容，与邮件正文相同）。")
@click.pass_obj
def mail(ctx: Ctx, slug: str, week: str, send: bool, resend: bool, attach_pdf: bool) -> None:
    """生成某一周的项目进展邮件（.eml），加 --send 时发送给沟通计划中「项目进展邮件」的收件人。"""
    from . import mail as mailing

    if resend and not send:
        err.out("错误：--resend 须与 --send 一起使用")
        sys.exit(2)
    prepared, entry = _run(ctx, mailing.run, ctx.root, slug, week.strip().upper(), send=send, resend=resend,
                           attach_pdf=attach_pdf)
    shown = prepared.path.relative_to(ctx.root) if prepared.path.is_relative_to(ctx.root) else prepared.path
    out.out(f"已生成 {shown}")
    for problem in prepared.errors:
        err.out(f"错误：{problem}")
    if entry is None:
        out.out(f"收件人：{'、'.join(prepared.recipients) or '无'}（未发送；加 --send 发送）")
        if prepared.errors:
            sys.exit(1)
        return
    out.out(f"已发送给 {'、'.join(entry['recipients'])}（Message-ID {entry['message_id']}），"
            f"记录于 output/{slug}/{mailing.LOG_FILE}")


@main.command()
@click.argument("slug")
@click.option("--target", "target_name", default=None,
              help="归档目标（salespm.yaml 中 archive.targets 的名称），默认 archive.target（本地文件夹 archive/）。")
@click.option("--allow-incomplete", is_flag=True,
              help="有应归档文件缺失或未批准时仍归档其余文件（归档清单列出缺漏）。")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help="生成文档的并行进程数（默认：CPU 核数）。")
@click.pass_obj
def archive(ctx: Ctx, slug: str, target_name: str | None, allow_incomplete: bool, jobs: int | None) -> None:
    """把 projects/SLUG/ 已批准的文档转换为 PDF/A-3b，连同归档清单封装为 BagIt 归档包，上传到归档目标。"""
    from .archive.run import archive as run_archive
    from .workers import default_jobs

    def notify(message: str) -> None:
        err.out(message)

    result = _run(ctx, run_archive, ctx.root, slug, target_name=target_name, allow_incomplete=allow_incomplete,
                  notify=notify, jobs=jobs or default_jobs())
    for gap in result.gaps:
        out.out(f"未归档：{gap.code} {gap.title}：{gap.reason}")
    _print_notices(result.notices)
    out.out(f"归档目标：{result.target}")
    out.out(f"本次新增 {len(result.added)} 件，此前已归档 {result.kept} 件；上传 {len(result.uploaded)} 个文件，"
            f"{len(result.skipped)} 个已在目标上且校验一致")
    for name in result.arc_files:
        out.out(f"归档清单：{name}")


if __name__ == "__main__":  # pragma: no cover
    main()
