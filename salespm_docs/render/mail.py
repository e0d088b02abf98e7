"""The weekly mail (MAIL) as an RFC 5322 message: text/plain + HTML, the progress chart inline.

Why a dedicated renderer rather than the one-layout structure: the layouts render to HTML for
WeasyPrint (CSS paging, flexible boxes, SVG images) and to DOCX; mail clients (Outlook's Word
engine, Foxmail, QQ Mail) need the opposite: nested ``<table>`` layout, a fixed 640 px width,
inline ``style`` attributes (their webmail strips ``<style>``) and a raster image referenced by
``cid:``. So the HTML here is written with tables and a small style sheet, then inlined by
css-inline; the plain-text part is written from the same context.

Structure (``email.message.EmailMessage``, ``policy.SMTP``, CRLF)::

    multipart/mixed                      (only with an attachment)
      multipart/related
        multipart/alternative
          text/plain; charset=utf-8
          text/html; charset=utf-8       (<img src="cid:…">)
        image/png                        (Content-ID, inline)
      application/pdf                    (filename*=RFC 2231 and name="=?utf-8?b?…?=" RFC 2047)

Every header and boundary is derived from the content (Date: the report's day at 17:00 China
time; Message-ID and boundaries: a hash of the week, the version and the body), so a build writes
the same bytes every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html as html_lib
from decimal import Decimal
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime

from ..charts import Chart
from ..charts.scurve import AXIS, EV, GRID, INK, MUTED
from ..charts.svg import document, fit, n, text
from ..dates import cn_date

CHINA = dt.timezone(dt.timedelta(hours=8))
PLANNED = "#c9d6e8"
STATUS_COLOURS = {"绿": "#2e7d32", "黄": "#e0a100", "红": "#c62828"}
CHART_CID = "progress-chart"

# -- chart -------------------------------------------------------------------------------------


def progress_chart(rows: list[dict], *, width_mm: float = 160, limit: int = 10) -> Chart:
    """本周任务进度: each active task's 计划完成% (light bar) against 实际完成% (solid bar)."""
    rows = rows[:limit]
    line = 8.0
    top = 12.0
    height = top + max(len(rows), 1) * line + 10.0
    label_w, left, right = 62.0, 66.0, width_mm - 14.0
    out = [text(3, 6, "本周任务进度（计划完成% 与实际完成%）", 3.0, bold=True, cls="title")]
    if not rows:
        out.append(text(width_mm / 2, top + 6, "本周没有进行中的任务", 3.0, anchor="middle", fill=MUTED))
        return Chart(document(width_mm, height, out, label="本周任务进度：本周没有进行中的任务"), width_mm, height,
                     "本周任务进度：本周没有进行中的任务")
    span = right - left
    for tick in (0, 25, 50, 75, 100):
        x = left + span * tick / 100
        out.append(f'<line x1="{n(x)}" y1="{n(top - 1)}" x2="{n(x)}" y2="{n(top + len(rows) * line)}" '
                   f'stroke="{GRID}" stroke-width="0.25"/>')
        out.append(text(x, top + len(rows) * line + 3.6, f"{tick}%", 2.3, anchor="middle", fill=MUTED))
    alt = []
    for k, row in enumerate(rows):
        y = top + k * line
        label = fit(f"{row['code']} {row['name']}", 2.6, label_w)
        out.append(text(3, y + 4.6, label, 2.6, fill=INK))
        planned = float(min(max(Decimal(row["planned"] or 0), Decimal(0)), Decimal(100)))
        actual = float(min(max(Decimal(row["actual"] or 0), Decimal(0)), Decimal(100)))
        out.append(f'<rect x="{n(left)}" y="{n(y + 1)}" width="{n(span * planned / 100)}" height="5.2" '
                   f'fill="{PLANNED}"/>')
        out.append(f'<rect x="{n(left)}" y="{n(y + 2.3)}" width="{n(span * actual / 100)}" height="2.6" fill="{EV}"/>')
        out.append(text(right + 1.2, y + 4.6, f"{actual:g}%", 2.4, fill=INK))
        alt.append(f"{row['code']} {row['name']} 计划 {planned:g}% 实际 {actual:g}%")
    out.append(f'<line x1="{n(left)}" y1="{n(top - 1)}" x2="{n(left)}" y2="{n(top + len(rows) * line)}" '
               f'stroke="{AXIS}" stroke-width="0.3"/>')
    ly = height - 3.0
    out.append(f'<rect x="{n(left)}" y="{n(ly - 2.4)}" width="6" height="2.8" fill="{PLANNED}"/>')
    out.append(text(left + 7.5, ly, "计划完成%", 2.4, fill=INK))
    out.append(f'<rect x="{n(left + 30)}" y="{n(ly - 2)}" width="6" height="1.8" fill="{EV}"/>')
    out.append(text(left + 37.5, ly, "实际完成%", 2.4, fill=INK))
    label = "本周任务进度：" + "；".join(alt)
    return Chart(document(width_mm, height, out, label=label), width_mm, height, label)


# -- bodies ------------------------------------------------------------------------------------

def _e(value: object) -> str:
    return html_lib.escape("" if value is None else str(value))


def _d(value: dt.date | None) -> str:
    return cn_date(value) if value else "—"


STYLE = """
body { margin: 0; padding: 0; background-color: #f3f5f8; }
table { border-collapse: collapse; }
td { font-family: 'Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', SimSun, Arial, sans-serif;
     font-size: 14px; line-height: 22px; color: #1f2d3d; }
.frame { background-color: #ffffff; border: 1px solid #dde3ea; }
.banner { background-color: #1f4e8c; color: #ffffff; padding: 16px 24px; font-size: 18px; line-height: 26px;
          font-weight: bold; }
.period { color: #dbe6f5; font-size: 13px; font-weight: normal; }
.pad { padding: 8px 24px; }
.h { padding: 18px 24px 6px 24px; font-size: 16px; font-weight: bold; color: #1f4e8c;
     border-bottom: 2px solid #1f4e8c; }
.grid th { background-color: #eef2f7; font-weight: bold; font-size: 13px; text-align: left; padding: 6px 8px;
           border: 1px solid #dde3ea; font-family: 'Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', sans-serif;
           color: #1f2d3d; }
.grid td { font-size: 13px; padding: 6px 8px; border: 1px solid #dde3ea; vertical-align: top; }
.full { width: 100%; }
.dot { vertical-align: top; width: 18px; }
.badge { color: #ffffff; font-weight: bold; padding: 2px 10px; }
.muted { color: #55606b; font-size: 12px; line-height: 18px; }
.foot { padding: 16px 24px 20px 24px; color: #55606b; font-size: 12px; line-height: 18px; }
"""


def _list(lines: list[str], empty: str) -> str:
    if not lines:
        return f'<tr><td class="pad muted">{_e(empty)}</td></tr>'
    items = "".join(f'<tr><td class="dot" width="18" valign="top">•</td><td valign="top">{_e(x)}</td></tr>'
                    for x in lines)
    return f'<tr><td class="pad"><table role="presentation" class="full" width="100%">{items}</table></td></tr>'


def _grid(headers: tuple[str, ...], rows: list[tuple], empty: str, widths: tuple[int, ...]) -> str:
    if not rows:
        return f'<tr><td class="pad muted">{_e(empty)}</td></tr>'
    head = "".join(f'<th width="{w}%">{_e(h)}</th>' for h, w in zip(headers, widths))
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (f'<tr><td class="pad"><table role="presentation" class="grid full" width="100%">'
            f"<tr>{head}</tr>{body}</table></td></tr>")


def _heading(title: str) -> str:
    return f'<tr><td class="h">{_e(title)}</td></tr>'


def sections(context: dict) -> dict:
    """The rows each section shows, shared by the HTML and the plain-text part."""
    milestones = [(m["id"], m["name"], _d(m["planned"]), m["status"], _d(m["forecast"]))
                  for m in context["milestones"]]
    actions = [(a["item"], f"{a['contact'] or '—'}" + (f"（{a['title']}）" if a.get("title") else ""), _d(a["due"]),
                a.get("source") or "周报") for a in context["client_actions"]]
    issues = [(i["id"], i["description"], i["owner"] or "—", _d(i["due"]), i["status"]) for i in context["issues"]]
    return {"done": list(context["done"]) + [f"{x} 已完成" for x in context["finished"]
                                             if not any(x.split(" ", 1)[-1] in d for d in context["done"])],
            "next": list(context["next"]), "milestones": milestones, "actions": actions, "issues": issues}


def html_body(facts_name: str, context: dict, *, draft: bool) -> str:
    import css_inline

    mail, week, status = context["mail"], context["week"], context["status"]
    s = sections(context)
    colour = STATUS_COLOURS.get(status["value"], "#55606b")
    greeting = "、".join(f"{r['name']}" for r in mail["to"]) or "各位"
    sender = mail["sender"]
    draft_row = ('<tr><td class="pad" style="color:#c62828;font-weight:bold">草稿：本邮件的数据尚有未通过的检查，'
                 "请勿发送。</td></tr>") if draft else ""
    parts = [
        draft_row,
        f'<tr><td class="banner">{_e(facts_name)} 项目周报<br>'
        f'<span class="period">第{week["number"]}周（{_d(week["start"])}至{_d(week["end"])}）</span></td></tr>',
        f'<tr><td class="pad" style="padding-top:16px">{_e(greeting)}，您好！<br>'
        f"现将本项目第{week['number']}周的进展报告如下，请查阅。</td></tr>",
        _heading("总体状态"),
        f'<tr><td class="pad"><table role="presentation"><tr><td class="badge" bgcolor="{colour}" '
        f'style="background-color:{colour}">{_e(status["value"])}</td>'
        f'<td style="padding-left:12px">{_e(status["reason"] or "")}</td></tr></table></td></tr>',
        f'<tr><td class="pad" align="center"><img src="cid:{CHART_CID}" width="592" alt="本周任务进度" '
        f'style="display:block;width:100%;max-width:592px;height:auto;border:0"></td></tr>',
        _heading("本周完成"), _list(s["done"], "本周没有完成的事项"),
        _heading("下周计划"), _list(s["next"], "无"),
        _heading("里程碑"),
        _grid(("编号", "里程碑", "计划日期", "状态", "预计/实际日期"), s["milestones"], "无", (8, 30, 21, 14, 27)),
        _heading("需客户配合事项"),
        _grid(("事项", "客户方负责人", "期限", "来源"), s["actions"], "本周无需客户配合的事项", (36, 20, 22, 22)),
        _heading("需客户关注的问题"),
        _grid(("编号", "问题", "负责人", "计划解决", "状态"), s["issues"], "本周没有需客户关注的开放问题",
              (8, 44, 14, 21, 13)),
        f'<tr><td class="foot">如有疑问，请随时与我联系。<br>{_e(sender["name"] or "")}'
        f'{("（" + _e(sender["role"]) + "）") if sender.get("role") else ""}'
        f'{("<br>电话：" + _e(sender["phone"])) if sender.get("phone") else ""}'
        f'{("<br>邮箱：" + _e(sender["email"])) if sender.get("email") else ""}</td></tr>',
    ]
    page = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width"><title>{_e(mail["subject"])}</title>'
            f"<style>{STYLE}</style></head><body>"
            '<table role="presentation" width="100%" bgcolor="#f3f5f8"><tr><td align="center" style="padding:16px 8px">'
            '<table role="presentation" class="frame" width="640" style="width:640px;max-width:640px">'
            + "".join(parts) + "</table></td></tr></table></body></html>")
    return css_inline.inline(page)


def text_body(facts_name: str, context: dict, *, draft: bool) -> str:
    mail, week, status = context["mail"], context["week"], context["status"]
    s = sections(context)
    out = []
    if draft:
        out += ["【草稿：本邮件的数据尚有未通过的检查，请勿发送】", ""]
    out += [f"{'、'.join(r['name'] for r in mail['to']) or '各位'}，您好！", "",
            f"现将{facts_name}第{week['number']}周（{_d(week['start'])}至{_d(week['end'])}）的进展报告如下。", ""]

    def head(title: str) -> None:
        out.extend([f"■ {title}", ""])

    head("总体状态")
    out += [f"总体状态：{status['value']}", status["reason"] or "", ""]
    for title, lines, empty in (("本周完成", s["done"], "本周没有完成的事项"), ("下周计划", s["next"], "无")):
        head(title)
        out += [f"  - {x}" for x in lines] or [f"  {empty}"]
        out.append("")
    head("里程碑")
    out += [f"  {i} {name}：计划 {p}，{st}，预计/实际 {f}" for i, name, p, st, f in s["milestones"]] or ["  无"]
    out.append("")
    head("需客户配合事项")
    out += [f"  - {item}｜负责人：{who}｜期限：{due}｜来源：{src}" for item, who, due, src in s["actions"]] \
        or ["  本周无需客户配合的事项"]
    out.append("")
    head("需客户关注的问题")
    out += [f"  - {i} {d}｜负责人：{o}｜计划解决：{due}｜{st}" for i, d, o, due, st in s["issues"]] \
        or ["  本周没有需客户关注的开放问题"]
    out.append("")
    sender = mail["sender"]
    out += ["如有疑问，请随时与我联系。", f"{sender['name'] or ''}" + (f"（{sender['role']}）" if sender.get("role") else "")]
    if sender.get("phone"):
        out.append(f"电话：{sender['phone']}")
    if sender.get("email"):
        out.append(f"邮箱：{sender['email']}")
    return "\n".join(out) + "\n"


# -- message -----------------------------------------------------------------------------------

def _address(name: str, email: str) -> Address:
    user, _, domain = email.partition("@")
    return Address(display_name=name, username=user, domain=domain)


def attachment_name(week: str) -> str:
    """A short file name (Outlook and QQ Mail cut long encoded names): 项目进展_2026-W15.pdf."""
    return f"项目进展_{week}.pdf"


def build_message(project_name: str, context: dict, *, draft: bool, version: str,
                  pdf: bytes | None = None) -> EmailMessage:
    mail = context["mail"]
    html = html_body(project_name, context, draft=draft)
    plain = text_body(project_name, context, draft=draft)
    chart = progress_chart(context["progress"])
    png = chart.png()
    msg = EmailMessage(policy=policy.SMTP)
    sender = mail["sender"]
    domain = (sender.get("email") or "salespm.invalid").partition("@")[2] or "salespm.invalid"
    if sender.get("email"):
        msg["From"] = _address(sender["name"] or "", sender["email"])
    msg["To"] = [_address(r["name"], r["email"]) for r in mail["to"] if r["email"] and _valid(r["email"])]
    cc = [_address(r["name"], r["email"]) for r in mail["cc"] if r["email"] and _valid(r["email"])]
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = mail["subject"]
    day = mail["date"]
    msg["Date"] = format_datetime(dt.datetime.combine(day, dt.time(17, 0), CHINA))
    digest = hashlib.sha256("\0".join((context["week"]["label"], version, html, plain)).encode()
                            + png + (pdf or b"")).hexdigest()
    msg["Message-ID"] = f"<{context['week']['label']}.{version}.{digest[:20]}@{domain}>"
    msg["MIME-Version"] = "1.0"
    msg["X-Salespm-Week"] = context["week"]["label"]
    if draft:
        msg["X-Salespm-Draft"] = "yes"
    alternative = MIMEPart(policy=policy.SMTP)
    alternative.set_content(plain, charset="utf-8", cte="base64")
    alternative.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    image = MIMEPart(policy=policy.SMTP)
    image.set_content(png, "image", "png", cid=f"<{CHART_CID}>", disposition="inline", filename="progress.png")
    msg["Content-Type"] = 'multipart/related; type="multipart/alternative"'
    msg.attach(alternative)
    msg.attach(image)
    if pdf is not None:
        name = attachment_name(context["week"]["label"])
        msg.add_attachment(pdf, "application", "pdf", filename=name)
        _name_param(msg.get_payload()[-1], name)
    for k, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_salespm_{digest[20:36]}_{k}")
    return msg


def _name_param(part, name: str) -> None:
    """Add ``name="=?utf-8?b?…?="`` (RFC 2047) to the attachment's Content-Type, besides the
    ``filename*=utf-8''…`` (RFC 2231) of its Content-Disposition: Outlook and QQ Mail read the former.

    The email package would decode that encoded word and write it back as ``name*=`` (RFC 2231),
    so the header is stored as the finished text (a plain string: the generator writes it as is,
    the lines being short)."""
    encoded = Header(name, "utf-8").encode()
    raw = f'{part.get_content_type()};\n name="{encoded}"'
    if any(len(line) > 76 for line in raw.splitlines()):  # a long name: keep the package's own header
        return
    headers = part._headers  # noqa: SLF001 - the one way to keep a header's exact text
    at = next(i for i, (k, _) in enumerate(headers) if k.lower() == "content-type")
    headers[at] = ("Content-Type", raw)


def _valid(address: str) -> bool:
    from ..artifacts.mail import valid_address

    return valid_address(address)


def as_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=policy.SMTP)


def pdf_of(project_name: str, context: dict, *, draft: bool) -> bytes:
    """The mail's HTML as a PDF (the client-facing attachment: the same content, the chart embedded)."""
    import base64

    from .pdf import HTML  # WeasyPrint, imported where its library lookup is handled

    png = progress_chart(context["progress"]).png()
    page = html_body(project_name, context, draft=draft).replace(
        f"cid:{CHART_CID}", "data:image/png;base64," + base64.b64encode(png).decode("ascii"))
    page = page.replace("<head>", "<head><style>@page { size: A4; margin: 12mm }</style>", 1)
    return HTML(string=page).write_pdf()


def render_eml(facts, context: dict, target, version: str, draft: bool, *,
               pdf: bool = False) -> tuple[str, list[str]]:
    """Write the week's message to ``target``; (its plain text, its section headings) for the checks."""
    name = facts.project.project.name
    attachment = pdf_of(name, context, draft=draft) if pdf else None
    msg = build_message(name, context, draft=draft, version=version, pdf=attachment)
    target.write_bytes(as_bytes(msg))
    plain = text_body(name, context, draft=draft)
    headings = [line[2:] for line in plain.splitlines() if line.startswith("■ ")]
    return plain, headings
