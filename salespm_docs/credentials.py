"""Credentials for servers (the WebDAV archive, …): the environment first, then ``~/.netrc``.

A password is never read from project data, configuration files or the command line: it comes
from the environment variable the configuration names (``password_env``), else from the
``~/.netrc`` entry for the server's host (``machine <host> login <user> password <secret>``),
whose login is also used when the configuration gives no user name.
"""

from __future__ import annotations

import netrc
import os

from .errors import SalespmError


class CredentialsError(SalespmError):
    """No password (or user name) for a server, or an unreadable ``~/.netrc``."""

    exit_code = 1


def _netrc_entry(host: str, password_env: str, what: str) -> tuple[str, str] | None:
    """(login, password) of ``~/.netrc``'s entry for ``host``; None when there is no file or entry."""
    try:
        found = netrc.netrc().authenticators(host)
    except FileNotFoundError:
        return None
    except netrc.NetrcParseError as exc:
        raise CredentialsError(f"{what}的密码无法从 ~/.netrc 读取：该文件有误（{exc.msg}，第 {exc.lineno} 行）；"
                               f"请修复它，或把密码放在环境变量 {password_env} 中") from None
    except UnicodeDecodeError:
        raise CredentialsError(f"{what}的密码无法从 ~/.netrc 读取：该文件不是 UTF-8 文本；"
                               f"请修复它，或把密码放在环境变量 {password_env} 中") from None
    except OSError as exc:
        why = "没有读取权限" if isinstance(exc, PermissionError) else (exc.strerror or type(exc).__name__)
        raise CredentialsError(f"{what}的密码无法从 ~/.netrc 读取（{why}）；"
                               f"请修复它，或把密码放在环境变量 {password_env} 中") from None
    if not found:
        return None
    login_name, _account, secret = found
    return login_name or "", secret or ""


def login(host: str, password_env: str, username: str | None, what: str) -> tuple[str, str]:
    """(user, password) for ``host``: the password from the environment variable ``password_env``
    first, else ``~/.netrc``'s entry for ``host`` (its login is used when ``username`` is None).
    ``what`` names the service in messages (「WebDAV 归档服务器」)."""
    secret = os.environ.get(password_env)
    if secret:
        if username:
            return username, secret
        entry = _netrc_entry(host, password_env, what)
        if entry and entry[0]:
            return entry[0], secret
        raise CredentialsError(f"缺少{what}（{host}）的用户名：已从环境变量 {password_env} 取得密码，"
                               f"但配置中没有填写用户名（username），~/.netrc 中也没有 {host} 的 login")
    entry = _netrc_entry(host, password_env, what)
    if entry and entry[1]:
        user = username or entry[0]
        if not user:
            raise CredentialsError(f"缺少{what}（{host}）的用户名：请在配置中填写用户名（username），"
                                   f"或在 ~/.netrc 中 {host} 的条目里写上 login")
        return user, entry[1]
    raise CredentialsError(f"缺少{what}（{host}）的密码：请设置环境变量 {password_env}，"
                           f"或在 ~/.netrc 中添加一行「machine {host} login 用户名 password 密码」"
                           "（并 chmod 600 ~/.netrc）；密码不会从项目数据、配置文件或命令行读取")
