"""Configuration: package defaults ← company ``salespm.yaml`` ← project ``config.yaml`` → ``Settings``.

Every threshold of ARTIFACTS.md §6 lives in ``defaults.yaml`` beside this module; rules read them
from ``Settings`` and never hard-code them.
"""

from __future__ import annotations

import datetime as dt
import stat
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from .confine import inside
from .errors import ConfigError, DataError, os_reason
from .loader import SourceMap, load_yaml
from .model.types import Model, Number, Percent, Text

DEFAULTS = Path(__file__).with_name("defaults.yaml")
COMPANY_FILE = "salespm.yaml"
PROJECT_FILE = "config.yaml"
Frequency = Literal["每日", "每周", "每两周", "每月", "每季度"]


class AcceptanceCfg(Model):
    """验收。"""

    pass_rate_target: Percent
    """客户验收通过率目标（%）。"""


class PaymentCfg(Model):
    """回款。"""

    cycle_days_target: int
    """回款周期目标（天）。"""
    final_ratio: Percent
    """尾款比例（%）。"""
    final_due_days: int
    """尾款在验收后多少天内到期。"""


class ChangeCfg(Model):
    """变更。"""

    overrun_percent: Percent
    """成本超出预算多少（%）须有已批准的变更申请。"""


class MailCfg(Model):
    """项目进展邮件的发送服务器（salespm mail --send）。密码只从环境变量或 ~/.netrc 读取，从不写在配置或项目数据中。"""

    host: Text | None = None
    """SMTP 服务器地址，如 smtp.exmail.qq.com。"""
    port: int | None = Field(default=None, ge=1, le=65535)
    """端口；缺省时 starttls 为 587，ssl 为 465。"""
    security: Literal["starttls", "ssl"] = "starttls"
    """加密方式：starttls（先明文连接再升级）或 ssl（连接即加密）。"""
    username: Text | None = None
    """登录用户名；缺省为发件地址。"""
    sender: Text | None = None
    """发件地址（SMTP 信封发件人）；缺省为项目经理的邮箱。"""
    password_env: Text = "SALESPM_SMTP_PASSWORD"
    """存放密码的环境变量名；未设置时查 ~/.netrc 中该服务器的条目。"""
    timeout: int = Field(default=30, ge=1, le=600)
    """连接与每次收发的超时（秒）。"""
    ca_file: Text | None = None
    """额外信任的 CA 证书文件（PEM），用于公司内部 CA 签发证书的邮件服务器；缺省只信任系统证书。"""


RETENTION_CODES = {"永久": "Y", "30年": "D30", "10年": "D10"}
"""保管期限 → 档号中的代码（DA/T 22-2015）。"""
Retention = Literal["永久", "30年", "10年"]


class ArchiveTargetCfg(Model):
    """一个归档目标：本地文件夹（folder）或 WebDAV 服务器（webdav）。凭据只从环境变量或 ~/.netrc 读取。"""

    type: Literal["folder", "webdav"] = "folder"
    """目标类型：folder（本地文件夹）或 webdav（Nextcloud、Seafile、坚果云等文档管理系统）。"""
    path: Text | None = None
    """folder：归档文件夹，相对于仓库根目录（缺省 archive）。"""
    url: Text | None = None
    """webdav：归档根目录的地址，如 https://dms.example.com/remote.php/dav/files/archivist/归档/。"""
    username: Text | None = None
    """webdav：登录用户名；缺省取 ~/.netrc 中该服务器条目的 login。"""
    password_env: Text = "SALESPM_DAV_PASSWORD"
    """webdav：存放密码的环境变量名；未设置时查 ~/.netrc 中该服务器的条目。"""
    timeout: int = Field(default=60, ge=1, le=3600)
    """webdav：每次请求的超时（秒）。"""
    retries: int = Field(default=4, ge=0, le=20)
    """webdav：暂时性错误（5xx、连接中断、超时）的重试次数，间隔按指数退避。"""
    ca_file: Text | None = None
    """webdav：额外信任的 CA 证书文件（PEM），用于公司内部 CA 签发证书的服务器。"""

    @model_validator(mode="after")
    def _complete(self) -> "ArchiveTargetCfg":
        if self.type == "webdav":
            if not self.url:
                raise ValueError("webdav 目标缺少 url（归档根目录的地址）")
            if not self.url.startswith(("https://", "http://")):
                raise ValueError(f"webdav 目标的 url 应以 https:// 或 http:// 开头：{self.url}")
        return self


class ArchiveCfg(Model):
    """归档（salespm archive）：全宗号、各类文档的保管期限与归档目标。"""

    fonds: Text | None = None
    """全宗号（档号的第一段，由公司档案部门给定），如 0421。"""
    retention: dict[str, Retention] = {}
    """各类文档的保管期限（永久 / 30年 / 10年），按文档类型代码。"""
    target: Text = "local"
    """缺省归档目标（targets 中的名称）；salespm archive --target 可另选。"""
    targets: dict[str, ArchiveTargetCfg] = {"local": ArchiveTargetCfg()}
    """归档目标，按名称。"""

    @field_validator("retention")
    @classmethod
    def _known_codes(cls, retention: dict[str, str]) -> dict[str, str]:
        from .catalogue import CATALOGUE

        unknown = [c for c in retention if c not in CATALOGUE]
        if unknown:
            raise ValueError("未知的文档类型代码：" + "、".join(unknown))
        return retention

    @field_validator("targets")
    @classmethod
    def _plain_names(cls, targets: dict[str, ArchiveTargetCfg]) -> dict[str, ArchiveTargetCfg]:
        import re

        bad = [n for n in targets if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", n)]
        if bad:
            raise ValueError("归档目标的名称只能由字母、数字、- 与 _ 组成（至多 40 个字符）：" + "、".join(bad))
        return targets

    @model_validator(mode="after")
    def _target_known(self) -> "ArchiveCfg":
        if self.target not in self.targets:
            raise ValueError(f"缺省归档目标「{self.target}」不在 targets 中（已配置：{'、'.join(self.targets) or '无'}）")
        return self


class IssuesCfg(Model):
    """问题升级。"""

    escalate_manager_days: int
    """问题未解决超过多少天须上报项目经理。"""
    escalate_management_days: int
    """超过多少天须提交管理层。"""


class FeasibilityCfg(Model):
    """可行性评分区间。"""

    proceed_min: Number
    """评分不低于此值：推进。"""
    conditional_min: Number
    """评分不低于此值（且低于推进线）：有条件推进；再低：放弃。"""


class RiskMatrixCfg(Model):
    """风险值（可能性 × 影响）分级。"""

    high_min: int
    """风险值不低于此值为高。"""
    medium_min: int
    """风险值不低于此值为中，否则为低。"""


class CommunicationCfg(Model):
    """沟通计划。"""

    required: dict[str, Frequency]
    """沟通计划必须包含的项目及其频率。"""
    report_frequency: Frequency
    """周进度报告的频率。"""


class WbsCfg(Model):
    """工作分解结构。"""

    levels: int
    """层级数。"""
    leaf_max_days: int
    """叶子任务工期上限（工作日，超出给出警告）。"""
    leaf_min_days: int
    """叶子任务工期下限（工作日）。"""
    max_leaves: int = Field(default=5000, ge=1)
    """叶子任务数上限：超出时在读取数据后立即报错（不生成任何文档），以免极大的计划运行数分钟、占用数 GB 内存。
    确需更多时可在 salespm.yaml 或项目的 config.yaml 中调高，或把计划拆分为多个项目。"""


class GradeBand(Model):
    """绩效等级区间：加权总分不低于 min 得此等级。"""

    min: Number
    """下限（百分制，含）。"""
    grade: Text
    """等级名称，如 优秀。"""


class PerformanceCfg(Model):
    """团队绩效评估（百分制 0–100）。"""

    bands: list[GradeBand]
    """等级区间，按下限从高到低排列，最后一档下限为 0。"""

    @field_validator("bands")
    @classmethod
    def _ordered(cls, bands: list[GradeBand]) -> list[GradeBand]:
        if not bands:
            raise ValueError("至少需要一个等级区间")
        mins = [b.min for b in bands]
        if any(a <= b for a, b in zip(mins, mins[1:])):
            raise ValueError("等级区间应按下限（min）从高到低排列，且下限各不相同")
        if mins[-1] != 0 or mins[0] > 100:
            raise ValueError("等级区间的下限应在 0–100 之间，最后一档的下限为 0（任何总分都有等级）")
        return bands


class CalendarCfg(Model):
    """工作日历：补充或更正 chinesecalendar 的法定节假日表（例如尚未收录的年份）。"""

    holidays: list[dt.date] = []
    """放假日期，不计为工作日，例如 2027-01-01。"""
    workdays: list[dt.date] = []
    """调休上班日（周末但要上班），计为工作日。"""

    @model_validator(mode="after")
    def _no_day_in_both(self) -> "CalendarCfg":
        both = sorted(set(self.holidays) & set(self.workdays))
        if both:
            raise ValueError("同一天不能既是放假日（holidays）又是调休上班日（workdays）："
                             + "、".join(d.isoformat() for d in both))
        return self


class Settings(Model):
    """全部可配置阈值。"""

    company_code: Text
    """文档编号前缀中的公司代码。"""
    acceptance: AcceptanceCfg
    """验收。"""
    payment: PaymentCfg
    """回款。"""
    change: ChangeCfg
    """变更。"""
    issues: IssuesCfg
    """问题升级。"""
    feasibility: FeasibilityCfg
    """可行性评分区间。"""
    risk_matrix: RiskMatrixCfg
    """风险分级。"""
    communication: CommunicationCfg
    """沟通计划。"""
    wbs: WbsCfg
    """工作分解结构。"""
    classifications: list[Text]
    """允许的密级。"""
    client_facing: list[Text]
    """面向客户的文档（客户接收或签字）的类型代码；其余文档为内部文档。面向客户的文档不得出现内部数字
    （预算、成本、完工预测、毛利）或对照内部目标的结论（R-COM-8）。"""
    performance: PerformanceCfg
    """团队绩效评估的等级区间。"""
    calendar: CalendarCfg = CalendarCfg()
    """工作日历（补充法定节假日与调休上班日）。"""
    mail: MailCfg = MailCfg()
    """项目进展邮件的 SMTP 服务器（salespm mail --send）。"""
    archive: ArchiveCfg = ArchiveCfg()
    """归档（salespm archive）：全宗号、保管期限与归档目标。"""

    @field_validator("client_facing")
    @classmethod
    def _known_codes(cls, codes: list[str]) -> list[str]:
        from .catalogue import CATALOGUE

        unknown = [c for c in codes if c not in CATALOGUE]
        if unknown:
            raise ValueError("未知的文档类型代码：" + "、".join(unknown) + "（可用：" + "、".join(CATALOGUE) + "）")
        return codes

    def is_client_facing(self, code: str) -> bool:
        """Whether documents of type ``code`` go to the client by this configuration."""
        return code in self.client_facing

    def risk_level(self, probability: int, impact: int) -> str:
        """The level (高/中/低) of a risk value on the configured matrix."""
        value = probability * impact
        if value >= self.risk_matrix.high_min:
            return "高"
        return "中" if value >= self.risk_matrix.medium_min else "低"

    def grade_of(self, total: Decimal) -> str:
        """The grade (优秀/良好/…) the configured bands give a weighted 绩效 total."""
        return next((b.grade for b in self.performance.bands if total >= b.min), self.performance.bands[-1].grade)

    def feasibility_conclusion(self, score: Decimal) -> str:
        """The conclusion (推进/有条件推进/放弃) the configured bands give a feasibility score."""
        if score >= self.feasibility.proceed_min:
            return "推进"
        return "有条件推进" if score >= self.feasibility.conditional_min else "放弃"


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) \
            and key != "required" else value
    return out


def wbs_limit(root: Path, project_folder: Path) -> int | None:
    """``wbs.max_leaves`` for a project, or ``None`` when its configuration cannot be read (the
    build reports that error when it loads the settings)."""
    try:
        return load_settings(root, project_folder).wbs.max_leaves
    except ConfigError:
        return None


def load_settings(root: Path, project_folder: Path | None = None) -> Settings:
    """Defaults, then the company file, then the project file; each checked with file:line."""
    from .validate import problems_from

    layers: list[tuple[Path, str, Path | None, str]] = [
        (DEFAULTS, "salespm_docs/defaults.yaml", None, ""),
        (root / COMPANY_FILE, COMPANY_FILE, root, "根目录")]
    if project_folder is not None:
        layers.append((project_folder / PROJECT_FILE,
                       (project_folder / PROJECT_FILE).relative_to(root).as_posix()
                       if project_folder.is_relative_to(root) else str(project_folder / PROJECT_FILE),
                       project_folder, "项目文件夹"))
    merged: dict = {}
    for path, display, folder, folder_name in layers:
        if folder is not None and not _confined(path, display, folder, folder_name):
            continue
        if not path.exists():
            continue
        problems: list = []
        source = SourceMap()
        data = load_yaml(path, display, source, problems)
        if problems:
            raise ConfigError(str(DataError(problems, header="配置文件有误")))
        candidate = _merge(merged, data or {})
        try:
            # the layers below were valid, so whatever fails now was written in this file
            Settings.model_validate(candidate)
        except ValidationError as exc:
            found = problems_from(exc, source, root=Settings)
            raise ConfigError(str(DataError(found, header="配置文件有误"))) from None
        merged = candidate
    return Settings.model_validate(merged)


def _confined(path: Path, display: str, folder: Path, folder_name: str) -> bool:
    """Whether the configuration file ``path`` is there to read (False: there is none).

    A symlink out of ``folder`` and anything but a regular file (a FIFO would hang the read, a
    folder cannot be read) is a ``ConfigError`` naming the file; nothing is opened to find out."""
    if not path.is_symlink() and not path.exists():
        return False
    if inside(folder, path) is None:
        raise ConfigError(f"配置文件 {display} 指向{folder_name}之外的文件，已拒绝读取")
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:  # a link to nothing inside the folder: as if there were no file
        return False
    except OSError as exc:
        raise ConfigError(f"配置文件 {display} 无法读取（{os_reason(exc)}）") from None
    if not stat.S_ISREG(mode):
        raise ConfigError(f"配置文件 {display} 不是普通文件，已拒绝读取")
    return True
