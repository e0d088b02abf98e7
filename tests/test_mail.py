"""MAIL 项目进展邮件: one week's .eml as a mail client reads it (headers decoded, text + HTML parts,
the chart inline by cid, the attachment's Chinese name), no internal figure anywhere in it (markers
planted in the week's cost data), R-MAIL-1/2 on broken data with exact messages and locations, and
``salespm mail --send`` against a real SMTP server (aiosmtpd with STARTTLS and authentication on a
free loopback port): every recipient receives it, the send log makes it idempotent, and a wrong
password, a refused recipient, a server that drops the connection or is down send nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import ssl
import subprocess
import sys
from email import message_from_bytes, policy
from email.utils import getaddresses
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from salespm_docs.artifacts.mail import SECTIONS, subject
from salespm_docs.artifacts.registry import REGISTRY, Instance, load_all
from salespm_docs.build import Renderer, Workspace, load_facts
from salespm_docs.facts import Facts
from salespm_docs.money import format_wan, format_yuan, to_upper
from salespm_docs.rules import run_data_rules

from conftest import EXAMPLES, ROOT, cli, example_facts, make_workspace

load_all()
MAIL = REGISTRY["MAIL"]
HUAXING, YUANHANG = "huaxing-crm", "yuanhang-srm"
WEEK = "2026-W15"
TO = {"黄志强": "huangzq@huaxing-precision.example.cn", "林晓": "linxiao@huaxing-precision.example.cn"}
CC = {"张伟": "zhangwei@hxsz.example.cn", "李娜": "lina@hxsz.example.cn"}
SUBJECT = "【项目周报】华星精密 CRM 系统部署项目 第15周（4月6日–4月12日）"
PASSWORD = "s3cret-pa55"


def facts_of(slug: str, mutate=None) -> Facts:
    return example_facts(slug, mutate, default=dt.date(2026, 7, 31))


def findings(facts: Facts, key: str, rule: str) -> list[tuple[str, str]]:
    return [(f.location, f.message) for f in run_data_rules(facts, MAIL, key, f"MAIL {key}") if f.rule == rule]


def mail_row(data: dict) -> tuple[int, dict]:
    return next((n, c) for n, c in enumerate(data["communication"]) if c["name"] == "项目进展邮件")


def week_file(root: Path, slug: str = HUAXING, week: str = WEEK) -> Path:
    return root / "projects" / slug / "weekly" / f"{week}.yaml"


def all_text(msg) -> str:
    """Every header (decoded) and every part's decoded content."""
    out = [f"{k}: {v}" for k, v in msg.items()]
    for part in msg.walk():
        out += [f"{k}: {v}" for k, v in part.items()]
        if part.is_multipart():
            continue
        content = part.get_content()
        out.append(content if isinstance(content, str) else content.decode("latin-1"))
    return "\n".join(out)


# -- the rendered week --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mail")
    ws = Workspace(ROOT)
    facts = load_facts(ws, HUAXING)
    result = Renderer(ws).render(facts, Instance(MAIL, WEEK), folder)
    path = result.files[0].path
    return result, path, path.read_bytes()


def test_file_name_and_no_findings(rendered):
    result, path, _ = rendered
    assert path.name == "MAIL_项目进展邮件_2026-W15_V1.0.eml"
    assert [f.format for f in result.files] == ["eml"]
    assert result.findings == []


def test_headers_decoded(rendered):
    _, _, raw = rendered
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == SUBJECT == subject(facts_of(HUAXING), WEEK)
    assert {n: a for n, a in getaddresses([msg["To"]])} == TO
    assert {n: a for n, a in getaddresses([msg["Cc"]])} == CC
    assert [(a.display_name, a.addr_spec) for a in msg["From"].addresses] == [("张伟", "zhangwei@hxsz.example.cn")]
    # approved 2026-04-10 (the week's report): deterministic, never the build's clock
    assert msg["Date"] == "Fri, 10 Apr 2026 17:00:00 +0800"
    assert re.fullmatch(r"<2026-W15\.V1\.0\.[0-9a-f]{20}@hxsz\.example\.cn>", msg["Message-ID"])
    # raw headers are 7-bit, Chinese in RFC 2047 encoded words
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii() and b"=?utf-8?" in head
    assert raw.count(b"\r\n") > 10 and b"\n" not in raw.replace(b"\r\n", b"")


def test_parts_and_inline_chart(rendered):
    _, _, raw = rendered
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg.get_content_type() == "multipart/related"
    alternative, image = msg.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    assert image.get_content_type() == "image/png" and image["Content-ID"] == "<progress-chart>"
    assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    html = msg.get_body(("html",)).get_content()
    assert 'src="cid:progress-chart"' in html
    assert "<style" not in html and 'style="' in html  # inlined for webmail
    assert "<table" in html and "<div" not in html
    plain = msg.get_body(("plain",)).get_content()
    headings = [line[2:] for line in plain.splitlines() if line.startswith("■ ")]
    assert headings == list(SECTIONS)
    for words in ("总体状态：绿", "合同与回款模块配置完成（4月10日）", "UAT 第一轮测试", "M4 UAT 通过",
                  "提供近 3 年客户与订单数据的 Excel 导出｜负责人：马骏（IT 主管）｜期限：2026年4月13日",
                  "来源：4月7日第 15 周周例会待办", "I03 客户 ERP 接口测试环境未按期提供"):
        assert words in plain, words
    for words in ("合同与回款模块配置完成（4月10日）", "UAT 第一轮测试", "UAT 通过", "2026年4月24日",
                  "提供近 3 年客户与订单数据的 Excel 导出", "马骏（IT 主管）", "4月7日第 15 周周例会待办",
                  "客户 ERP 接口测试环境未按期提供", ">绿<"):
        assert words in html, words


def test_same_bytes_every_time(rendered, tmp_path):
    _, _, raw = rendered
    ws = Workspace(ROOT)
    again = Renderer(ws).render(load_facts(ws, HUAXING), Instance(MAIL, WEEK), tmp_path)
    assert again.files[0].path.read_bytes() == raw


def test_html_renders(rendered, tmp_path):
    """The HTML part printed (as a reader sees it): every section, no None, the chart drawn."""
    _, _, raw = rendered
    import base64

    from weasyprint import HTML

    from salespm_docs.extract import pdf_text

    msg = message_from_bytes(raw, policy=policy.default)
    png = next(p for p in msg.walk() if p.get_content_type() == "image/png").get_content()
    html = msg.get_body(("html",)).get_content().replace(
        "cid:progress-chart", "data:image/png;base64," + base64.b64encode(png).decode())
    HTML(string=html).write_pdf(tmp_path / "mail.pdf")
    text = "".join(pdf_text(tmp_path / "mail.pdf")[0])
    for section in SECTIONS:
        assert section in text
    assert "None" not in text and "黄志强、林晓，您好" in text


# -- no internal figure -------------------------------------------------------------------------

MARKERS = {"actual_to_date": "1806437.19", "forecast_at_completion": "3657219.83"}


def test_planted_cost_markers_never_appear(tmp_path):
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    path = week_file(root)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["cost"].update({k: float(v) for k, v in MARKERS.items()})
    data["cost"]["planned_to_date"] = 1712345.67
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = cli(root, "mail", HUAXING, "--week", WEEK, "--attach-pdf")
    assert result.exit_code == 0, result.output
    raw = (root / "output" / HUAXING / "MAIL_项目进展邮件_2026-W15_V1.0.eml").read_bytes()
    msg = message_from_bytes(raw, policy=policy.default)
    decoded = all_text(msg)
    from decimal import Decimal

    from salespm_docs.extract import pdf_text

    pdf = next(p for p in msg.walk() if p.get_content_type() == "application/pdf").get_content()
    (tmp_path / "a.pdf").write_bytes(pdf)
    pdf_words = "".join(pdf_text(tmp_path / "a.pdf")[0])
    for value in [*MARKERS.values(), "1712345.67"]:
        amount = Decimal(value)
        forms = {value, format_yuan(amount), format_yuan(amount, ""), to_upper(amount, prefix=False),
                 format_wan(amount), value.split(".")[0], f"{amount / 10000:.1f}万", f"{amount / 10000:.2f}"}
        for form in forms:
            assert form.encode() not in raw, form
            assert form not in decoded, form
            assert form not in pdf_words, form
    budget = facts_of(HUAXING).project.budget.total
    assert format_yuan(budget, "") not in decoded and format_yuan(budget, "") not in pdf_words
    for word in ("预算", "成本", "挣值", "完工预测", "毛利", "CPI", "SPI"):
        assert word not in decoded and word not in pdf_words, word


def test_r_mail_2_amount_written_in_wan():
    """huaxing W27's report says 「最终实际成本 372 万元」: its mail block rewords it for the client;
    without that block the mail would show an internal figure."""
    def drop(data):
        week = next(w for w in data["weekly"] if w["week"] == "2026-W27")
        del week["mail"]

    assert findings(facts_of(HUAXING), "2026-W27", "R-MAIL-2") == []
    assert findings(facts_of(HUAXING, drop), "2026-W27", "R-MAIL-2") == [(
        "projects/huaxing-crm/weekly/2026-W27.yaml:23: weekly[24].done[2]",
        "项目进展邮件面向客户，不得出现内部数字：「372 万元」即2026-W27 周报的累计实际成本；"
        "请在本周文件的 mail 中写给客户的措辞（mail.status_reason / mail.done / mail.next）")]


def test_r_com_8_runs_on_the_mail():
    """yuanhang W46's internal status reason names the forecast (¥1,528,000.00 as 152.8万元 and the
    word 完工预测): without the week's mail block, R-COM-8 and R-MAIL-2 stop it."""
    def drop(data):
        week = next(w for w in data["weekly"] if w["week"] == "2026-W46")
        del week["mail"]

    facts = facts_of(YUANHANG, drop)
    com8 = findings(facts, "2026-W46", "R-COM-8")
    assert any("不得出现内部用语「完工预测」" in m for _, m in com8), com8
    assert any("¥1,528,000.00" in m for _, m in com8), com8
    mail2 = [m for _, m in findings(facts, "2026-W46", "R-MAIL-2")]
    assert any("「14.8 万元」" in m for m in mail2), mail2
    assert findings(facts_of(YUANHANG), "2026-W46", "R-COM-8") == []


# -- R-MAIL-1: recipients -------------------------------------------------------------------------

def test_recipients_from_the_communication_plan():
    facts = facts_of(HUAXING)
    assert findings(facts, WEEK, "R-MAIL-1") == []
    assert findings(facts_of(YUANHANG), "2026-W47", "R-MAIL-1") == []


def test_contact_without_email():
    def mutate(data):
        data["client"]["contacts"][1].pop("email")  # 林晓

    (location, message), = findings(facts_of(HUAXING, mutate), WEEK, "R-MAIL-1")
    n, row = mail_row(facts_of(HUAXING).project.model_dump())
    assert location.startswith("projects/huaxing-crm/project.yaml:")
    assert location.endswith(f"communication[{n}].audience[1]")
    assert message == "「项目进展邮件」的收件人林晓没有电子邮箱：请在客户联系人（client.contacts）或名册（team）中填写其 email"


@pytest.mark.parametrize("address", ["linxiao@@huaxing.example.cn", "linxiao huaxing.example.cn", "林晓@huaxing",
                                     "linxiao@huaxing-precision", ".lin@huaxing.example.cn"])
def test_invalid_address(address):
    def mutate(data):
        data["client"]["contacts"][1]["email"] = address

    found = findings(facts_of(HUAXING, mutate), WEEK, "R-MAIL-1")
    assert len(found) == 1
    location, message = found[0]
    assert location.endswith("client.contacts[1].email") and "project.yaml:" in location
    assert message == f"「项目进展邮件」的收件人林晓的电子邮箱「{address}」无效：应形如 name@example.com"


def test_invalid_team_address_in_cc():
    def mutate(data):
        next(m for m in data["team"] if m["name"] == "李娜")["email"] = "lina.hxsz.example.cn"

    (location, message), = findings(facts_of(HUAXING, mutate), WEEK, "R-MAIL-1")
    assert re.search(r"team\[\d+\]\.email$", location)
    assert message == "「项目进展邮件」的抄送人李娜的电子邮箱「lina.hxsz.example.cn」无效：应形如 name@example.com"


def test_no_row_or_no_client_contact():
    def no_row(data):
        n, _ = mail_row(data)
        del data["communication"][n]

    def only_us(data):
        n, row = mail_row(data)
        row["audience"] = ["张伟", "李娜"]

    assert findings(facts_of(HUAXING, no_row), WEEK, "R-MAIL-1") == [(
        findings(facts_of(HUAXING, no_row), WEEK, "R-MAIL-1")[0][0],
        "沟通计划（communication）中没有「项目进展邮件」一项：请添加 name: 项目进展邮件，audience 列出接收邮件的客户联系人"
        "（收件人）与我方人员（抄送），frequency: 每周")]
    (location, message), = findings(facts_of(HUAXING, only_us), WEEK, "R-MAIL-1")
    assert location.endswith("].audience")
    assert message == "「项目进展邮件」的参与/接收人（audience）中没有客户联系人（client.contacts）：邮件没有收件人"


def test_draft_mail_is_not_sent(tmp_path):
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    path = root / "projects" / HUAXING / "project.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("email: linxiao@huaxing-precision.example.cn", "email: linxiao@@huaxing"),
                    encoding="utf-8")
    dry = cli(root, "mail", HUAXING, "--week", WEEK)
    assert dry.exit_code == 1
    assert "[R-MAIL-1]" in dry.stderr and "林晓的电子邮箱「linxiao@@huaxing」无效" in dry.stderr
    sent = cli(root, "mail", HUAXING, "--week", WEEK, "--send")
    assert sent.exit_code == 1
    assert "错误：2026-W15 的项目进展邮件有未通过的检查，未发送" in sent.stderr


def test_unknown_week(tmp_path):
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    result = cli(root, "mail", HUAXING, "--week", "2026-W99")
    assert result.exit_code == 2
    assert ("错误：--week：项目 huaxing-crm 没有 2026-W99 的周报（weekly/2026-W99.yaml）；"
            "已有的周报：2026-W02 至 2026-W27，共 25 周") in result.stderr


# -- sending over SMTP ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    return cert, key


class Handler:
    """Keeps what it receives; refuses the addresses in ``refuse``; drops the connection at the
    RCPT of ``drop_at``."""

    def __init__(self, refuse=(), drop_at=None):
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse, self.drop_at = set(refuse), drop_at

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.drop_at:
            server.transport.close()
            return "421 4.3.0 going away"
        if address in self.refuse:
            return "550 5.1.1 用户不存在 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"pm@hxsz.example.cn" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp(certificate, tmp_path, monkeypatch):
    """(root, handler, start): a workspace whose salespm.yaml points at a STARTTLS server on a free
    loopback port; ``start(handler)`` starts the server."""
    cert, key = certificate
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    port = free_port()
    (root / "salespm.yaml").write_text(yaml.safe_dump({"mail": {
        "host": "127.0.0.1", "port": port, "security": "starttls", "username": "pm@hxsz.example.cn",
        "ca_file": str(cert), "timeout": 10}}, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("SALESPM_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.netrc of the machine's user
    controllers = []

    def start(handler):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=context,
                                require_starttls=True, authenticator=authenticator, auth_require_tls=True)
        controller.start()
        controllers.append(controller)
        return controller

    yield root, port, start
    for c in controllers:
        try:
            c.stop()
        except Exception:  # noqa: BLE001 - already stopped
            pass


def log_of(root: Path) -> list[dict]:
    path = root / "output" / HUAXING / "mail-log.json"
    return json.loads(path.read_text(encoding="utf-8"))["sent"] if path.exists() else []


def test_send_receive_and_parse(smtp):
    root, port, start = smtp
    handler = Handler()
    start(handler)
    result = cli(root, "mail", HUAXING, "--week", WEEK, "--send", "--attach-pdf")
    assert result.exit_code == 0, result.output
    assert len(handler.received) == 1
    sender, rcpts, content = handler.received[0]
    assert sender == "zhangwei@hxsz.example.cn"
    assert sorted(rcpts) == sorted([*TO.values(), *CC.values()])
    msg = message_from_bytes(content, policy=policy.default)
    assert msg["Subject"] == SUBJECT
    assert {n: a for n, a in getaddresses([msg["To"]])} == TO
    assert {n: a for n, a in getaddresses([msg["Cc"]])} == CC
    assert msg.get_content_type() == "multipart/mixed"
    related, attachment = msg.get_payload()
    assert related.get_content_type() == "multipart/related"
    html = msg.get_body(("html",)).get_content()
    cid = next(p for p in msg.walk() if p.get_content_type() == "image/png")["Content-ID"].strip("<>")
    assert f"cid:{cid}" in html
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "项目进展_2026-W15.pdf"
    assert attachment.get_content()[:5] == b"%PDF-"
    part_head = content[content.rindex(b"Content-Type: application/pdf"):].split(b"\r\n\r\n")[0]
    assert b"filename*=utf-8''%E9%A1%B9%E7%9B%AE" in part_head       # RFC 2231
    assert b'name="=?utf-8?b?' in part_head                         # RFC 2047, for Outlook / QQ Mail
    # the log, written after the server accepted the message
    (entry,) = log_of(root)
    assert entry["week"] == WEEK and entry["message_id"] == msg["Message-ID"]
    assert sorted(entry["recipients"]) == sorted(rcpts)
    assert "已发送给" in result.stdout


def test_send_is_idempotent(smtp):
    root, port, start = smtp
    handler = Handler()
    start(handler)
    assert cli(root, "mail", HUAXING, "--week", WEEK, "--send").exit_code == 0
    again = cli(root, "mail", HUAXING, "--week", WEEK, "--send")
    assert again.exit_code == 1
    assert "2026-W15 的项目进展邮件已于" in again.stderr and "如需再次发送，请加 --resend" in again.stderr
    assert len(handler.received) == 1 and len(log_of(root)) == 1
    resent = cli(root, "mail", HUAXING, "--week", WEEK, "--send", "--resend")
    assert resent.exit_code == 0, resent.output
    assert len(handler.received) == 2
    assert [e["resend"] for e in log_of(root)] == [False, True]


def test_send_log_survives_a_build(tmp_path):
    """A build replaces ``output/<slug>/`` as a whole: it carries the send log over."""
    from conftest import minimal_output

    from salespm_docs.build import build

    folder = minimal_output(tmp_path, "mini")
    (folder / "mail-log.json").write_text('{"sent": [{"week": "2026-W15"}]}\n', encoding="utf-8")
    build(folder.parent.parent, "mini", force=True)
    assert json.loads((folder / "mail-log.json").read_text(encoding="utf-8")) == {"sent": [{"week": "2026-W15"}]}


def test_send_over_implicit_tls(certificate, tmp_path, monkeypatch):
    """security: ssl (port 465 style): TLS from the first byte."""
    cert, key = certificate
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    port = free_port()
    (root / "salespm.yaml").write_text(yaml.safe_dump({"mail": {
        "host": "127.0.0.1", "port": port, "security": "ssl", "username": "pm@hxsz.example.cn",
        "ca_file": str(cert), "timeout": 10}}), encoding="utf-8")
    monkeypatch.setenv("SALESPM_SMTP_PASSWORD", PASSWORD)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=context,
                            authenticator=authenticator, auth_require_tls=False)
    controller.start()
    try:
        result = cli(root, "mail", HUAXING, "--week", WEEK, "--send")
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert sorted(handler.received[0][1]) == sorted([*TO.values(), *CC.values()])


def test_wrong_password(smtp, monkeypatch):
    root, port, start = smtp
    handler = Handler()
    start(handler)
    monkeypatch.setenv("SALESPM_SMTP_PASSWORD", "wrong")
    result = cli(root, "mail", HUAXING, "--week", WEEK, "--send")
    assert result.exit_code == 1
    assert f"错误：SMTP 登录失败：服务器 127.0.0.1:{port} 拒绝了用户 pm@hxsz.example.cn 的密码（535" in result.stderr
    assert "邮件未发送" in result.stderr
    assert handler.received == [] and log_of(root) == []


def test_password_from_netrc(smtp, monkeypatch, tmp_path):
    root, port, start = smtp
    handler = Handler()
    start(handler)
    monkeypatch.delenv("SALESPM_SMTP_PASSWORD")
    netrc = tmp_path / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login pm@hxsz.example.cn password {PASSWORD}\n", encoding="utf-8")
    netrc.chmod(0o600)
    assert cli(root, "mail", HUAXING, "--week", WEEK, "--send").exit_code == 0
    assert len(handler.received) == 1
    netrc.unlink()
    missing = cli(root, "mail", HUAXING, "--week", WEEK, "--send", "--resend")
    assert missing.exit_code == 1
    assert "缺少 SMTP 密码：请设置环境变量 SALESPM_SMTP_PASSWORD，或在 ~/.netrc 中为 127.0.0.1 添加条目" in missing.stderr


def test_refused_recipient_sends_nothing(smtp):
    root, port, start = smtp
    handler = Handler(refuse={TO["林晓"]})
    start(handler)
    result = cli(root, "mail", HUAXING, "--week", WEEK, "--send")
    assert result.exit_code == 1
    assert (f"错误：SMTP 服务器拒绝了收件人 {TO['林晓']}（550 5.1.1 用户不存在 no such user）；"
            "为避免只发给部分收件人，本次没有发送给任何人。请更正地址后重试") in result.stderr
    assert handler.received == [] and log_of(root) == []


def test_server_drops_mid_session(smtp):
    root, port, start = smtp
    handler = Handler(drop_at=CC["张伟"])
    start(handler)
    result = cli(root, "mail", HUAXING, "--week", WEEK, "--send")
    assert result.exit_code == 1
    assert f"错误：SMTP 服务器 127.0.0.1:{port} 在发送过程中断开了连接" in result.stderr
    assert "邮件未被服务器接收，未写入发送记录" in result.stderr
    assert handler.received == [] and log_of(root) == []


def test_server_down(smtp):
    root, port, start = smtp  # nothing listens on the port
    result = cli(root, "mail", HUAXING, "--week", WEEK, "--send")
    assert result.exit_code == 1
    assert f"错误：无法连接 SMTP 服务器 127.0.0.1:{port}（连接被拒绝）；邮件未发送" in result.stderr
    assert log_of(root) == []
    # the .eml was written all the same (the dry-run part)
    assert (root / "output" / HUAXING / "MAIL_项目进展邮件_2026-W15_V1.0.eml").is_file()


def test_no_server_configured(tmp_path):
    root = make_workspace(tmp_path, (HUAXING, ROOT / "projects" / HUAXING))
    result = cli(root, "mail", HUAXING, "--week", WEEK, "--send")
    assert result.exit_code == 1
    assert "错误：未配置 SMTP 服务器：请在 salespm.yaml 的 mail 下填写 host" in result.stderr


def test_declared_reads():
    sys.path.insert(0, str(ROOT / "tests"))
    from test_declared_reads import check_declarations, instances_of

    examples = {slug: load_facts(Workspace(ROOT), slug) for slug in EXAMPLES}
    assert check_declarations(MAIL, instances_of(examples, MAIL)) == []
