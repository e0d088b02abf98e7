"""``salespm mail``: write one week's 项目进展邮件 (.eml) and, with ``--send``, send it over SMTP.

- Dry run (default): the week's MAIL document is rendered alone (``Renderer``, the same bytes a
  build writes) and placed in ``output/<slug>/`` atomically, under the build lock.
- ``--send``: refused while the mail has an error finding (R-MAIL-1 recipients, R-COM-8 internal
  figures …) or the week was already sent (``output/<slug>/mail-log.json``) unless ``--resend``.
  The server comes from the configuration (``mail:`` in salespm.yaml: host, port, security
  starttls/ssl, username, sender, password_env, timeout); the password from the environment
  variable ``mail.password_env`` (default SALESPM_SMTP_PASSWORD), else ``~/.netrc`` for the host,
  never from project data.
- Nothing half-sent: the envelope is given recipient by recipient (``MAIL FROM``, one ``RCPT TO``
  each); if the server refuses any, the transaction is reset (``RSET``) and nothing is sent (smtplib's
  ``sendmail`` would send to the accepted ones). The log is written, atomically, only after the
  server accepted the message (250 after DATA).
"""

from __future__ import annotations

import datetime as dt
import json
import netrc
import os
import smtplib
import socket
import ssl
import tempfile
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.utils import getaddresses
from pathlib import Path

from .errors import SalespmError, UsageError

LOG_FILE = "mail-log.json"


class MailError(SalespmError):
    """Sending failed (nothing was sent, or nothing is known to be delivered)."""

    exit_code = 1


@dataclass
class Prepared:
    path: Path
    data: bytes
    message_id: str
    sender: str | None
    recipients: list[str]
    errors: list[str]
    settings: object


def _week_of(facts, week: str) -> None:
    weeks = sorted({w.week for w in facts.project.weekly})
    if week not in weeks:
        shown = f"{weeks[0]} 至 {weeks[-1]}，共 {len(weeks)} 周" if weeks else "无"
        raise UsageError(f"--week：项目 {facts.slug} 没有 {week} 的周报（weekly/{week}.yaml）；已有的周报：{shown}")


def prepare(root: Path, slug: str, week: str, *, attach_pdf: bool = False) -> Prepared:
    """Render week ``week``'s mail into ``output/<slug>/`` (atomically, under the build lock)."""
    from . import output
    from .artifacts.registry import Instance, buildable
    from .build import Renderer, Workspace, file_name, load_facts
    from .context import build_context
    from .render.mail import as_bytes, build_message, pdf_of

    ws = Workspace(root.resolve())
    facts = load_facts(ws, slug)
    _week_of(facts, week)
    artifact = next(a for a in buildable() if a.code == "MAIL")
    instance = Instance(artifact, week)
    dest = ws.output / slug
    with output.locked(ws.output, slug):
        dest.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=dest, prefix=".mail-") as tmp:
            result = Renderer(ws).render(facts, instance, Path(tmp))
            produced = result.files[0].path
            errors = [f"[{f.rule}] {f.location}: {f.message}" for f in result.findings if f.severity == "E"]
            if attach_pdf:
                context = build_context(facts, artifact, week, bool(errors))
                name = facts.project.project.name
                msg = build_message(name, context, draft=bool(errors), version=result.version,
                                    pdf=pdf_of(name, context, draft=bool(errors)))
                produced.write_bytes(as_bytes(msg))
            data = produced.read_bytes()
            target = dest / file_name(instance, result.version, "eml")
            os.replace(produced, target)
    msg = message_from_bytes(data, policy=policy.SMTP)
    people = [a for _, a in getaddresses(msg.get_all("To", []) + msg.get_all("Cc", [])) if a]
    sender = next((a for _, a in getaddresses(msg.get_all("From", [])) if a), None)
    return Prepared(target, data, str(msg["Message-ID"]), sender, people, errors, facts.settings)


# -- the send log --------------------------------------------------------------------------------

def read_log(folder: Path) -> list[dict]:
    path = folder / LOG_FILE
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MailError(f"发送记录 {path.name} 无法读取（{exc}）；请修复或移走它后重试") from None
    return list(data.get("sent", [])) if isinstance(data, dict) else []


def _write_log(folder: Path, entries: list[dict]) -> None:
    text = json.dumps({"sent": entries}, ensure_ascii=False, indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".mail-log-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, folder / LOG_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- SMTP ---------------------------------------------------------------------------------------

def password_for(cfg, host: str) -> tuple[str | None, str | None]:
    """(login, password): the environment variable first, then ~/.netrc's entry for ``host``."""
    secret = os.environ.get(cfg.password_env)
    if secret:
        return cfg.username, secret
    try:
        found = netrc.netrc().authenticators(host)
    except FileNotFoundError:
        found = None
    except (netrc.NetrcParseError, OSError) as exc:
        raise MailError(f"~/.netrc 无法读取（{exc}）；请修复它，或把密码放在环境变量 {cfg.password_env} 中") from None
    if found:
        return cfg.username or found[0], found[2]
    return cfg.username, None


def _reply(resp: bytes | str) -> str:
    return resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)


def deliver(cfg, sender: str, recipients: list[str], data: bytes) -> None:
    """Send ``data`` to every recipient or to none (see the module docstring)."""
    if not cfg.host:
        raise MailError("未配置 SMTP 服务器：请在 salespm.yaml 的 mail 下填写 host（以及 port、security、username）")
    port = cfg.port or (465 if cfg.security == "ssl" else 587)
    where = f"{cfg.host}:{port}"
    login, password = password_for(cfg, cfg.host)
    if login and not password:
        raise MailError(f"缺少 SMTP 密码：请设置环境变量 {cfg.password_env}，或在 ~/.netrc 中为 {cfg.host} 添加条目；"
                        "密码不会从项目数据中读取")
    context = ssl.create_default_context()
    if cfg.ca_file:
        try:
            context.load_verify_locations(cafile=cfg.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise MailError(f"无法读取 CA 证书文件 mail.ca_file「{cfg.ca_file}」（{exc}）；邮件未发送") from None
    client = None
    try:
        try:
            if cfg.security == "ssl":
                client = smtplib.SMTP_SSL(cfg.host, port, timeout=cfg.timeout, context=context)
            else:
                client = smtplib.SMTP(cfg.host, port, timeout=cfg.timeout)
                client.ehlo()
                client.starttls(context=context)
                client.ehlo()
        except (ConnectionRefusedError, socket.timeout, TimeoutError, socket.gaierror, OSError) as exc:
            if isinstance(exc, smtplib.SMTPException) and not isinstance(exc, smtplib.SMTPServerDisconnected):
                raise
            why = ("连接超时" if isinstance(exc, (socket.timeout, TimeoutError)) else
                   "连接被拒绝" if isinstance(exc, ConnectionRefusedError) else
                   "找不到该服务器" if isinstance(exc, socket.gaierror) else f"{type(exc).__name__}: {exc}")
            raise MailError(f"无法连接 SMTP 服务器 {where}（{why}）；邮件未发送") from None
        if password:
            try:
                client.login(login or sender, password)
            except UnicodeEncodeError:
                raise MailError("SMTP 密码或用户名含非 ASCII 字符（如中文），发送程序无法提交；"
                                "请使用邮箱的客户端专用密码（授权码）") from None
            except smtplib.SMTPAuthenticationError as exc:
                raise MailError(f"SMTP 登录失败：服务器 {where} 拒绝了用户 {login or sender} 的密码"
                                f"（{exc.smtp_code} {_reply(exc.smtp_error)}）；请检查 mail.username 与环境变量 "
                                f"{cfg.password_env} 或 ~/.netrc；邮件未发送") from None
        code, resp = client.mail(sender)
        if code != 250:
            client.rset()
            raise MailError(f"SMTP 服务器拒绝了发件人 {sender}（{code} {_reply(resp)}）；邮件未发送")
        refused = []
        for address in recipients:
            code, resp = client.rcpt(address)
            if code not in (250, 251):
                refused.append(f"{address}（{code} {_reply(resp)}）")
        if refused:
            client.rset()
            raise MailError(f"SMTP 服务器拒绝了收件人 {'、'.join(refused)}；为避免只发给部分收件人，"
                            "本次没有发送给任何人。请更正地址后重试")
        code, resp = client.data(data)
        if code != 250:
            raise MailError(f"SMTP 服务器拒收邮件内容（{code} {_reply(resp)}）；邮件未发送")
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            pass  # the message was accepted (250 after DATA): delivered
        client = None
    except smtplib.SMTPServerDisconnected as exc:
        raise MailError(f"SMTP 服务器 {where} 在发送过程中断开了连接（{exc or '连接已关闭'}）；"
                        "邮件未被服务器接收，未写入发送记录，可稍后重试") from None
    except (socket.timeout, TimeoutError) as exc:
        raise MailError(f"SMTP 服务器 {where} 响应超时（{exc}）；邮件未被服务器接收，未写入发送记录") from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"SMTP 服务器 {where} 返回错误（{exc.smtp_code} {_reply(exc.smtp_error)}）；邮件未发送") from None
    except ssl.SSLError as exc:
        raise MailError(f"与 SMTP 服务器 {where} 建立加密连接失败（{exc.reason or exc}）；邮件未发送") from None
    finally:
        if client is not None:
            try:
                client.close()
            except OSError:
                pass


def run(root: Path, slug: str, week: str, *, send: bool = False, resend: bool = False,
        attach_pdf: bool = False) -> tuple[Prepared, dict | None]:
    """The ``salespm mail`` command: (what was written, the log entry when sent)."""
    prepared = prepare(root, slug, week, attach_pdf=attach_pdf)
    if not send:
        return prepared, None
    if prepared.errors:
        raise MailError(f"{week} 的项目进展邮件有未通过的检查，未发送：\n  " + "\n  ".join(prepared.errors))
    folder = prepared.path.parent
    log = read_log(folder)
    earlier = [e for e in log if e.get("week") == week]
    if earlier and not resend:
        raise MailError(f"{week} 的项目进展邮件已于 {earlier[-1].get('time')} 发送给 "
                        f"{'、'.join(earlier[-1].get('recipients', []))}（记录见 output/{slug}/{LOG_FILE}）；"
                        "如需再次发送，请加 --resend")
    cfg = prepared.settings.mail
    sender = cfg.sender or prepared.sender
    if not sender:
        raise MailError("没有发件地址：请在 salespm.yaml 的 mail.sender 中填写，或为项目经理填写 email")
    deliver(cfg, sender, prepared.recipients, prepared.data)
    entry = {"week": week, "message_id": prepared.message_id, "recipients": prepared.recipients,
             "time": dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds"),
             "file": prepared.path.name, "resend": bool(earlier)}
    _write_log(folder, log + [entry])
    return prepared, entry
