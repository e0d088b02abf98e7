"""Document control data (ISO 9001 style): 编号, 版本, 密级, 状态, 编制/审核/批准, 修订记录."""

from __future__ import annotations

import datetime as dt

from .types import DocStatus, Model, Person, Text, Version


class Signoff(Model):
    """一个签署环节：签署人与日期。"""

    name: Person | None = None
    """签署人姓名（须在项目名册中）。"""
    date: dt.date | None = None
    """签署日期。"""


class Revision(Model):
    """修订记录的一行。"""

    version: Version
    """版本号，如 V0.1、V1.0。"""
    date: dt.date
    """修订日期。"""
    author: Person
    """修订人（须在项目名册中）。"""
    summary: Text
    """修订内容摘要。"""


class DocControl(Model):
    """一份文档的受控信息：出现在封面控制表、页眉和 PDF 元数据中。"""

    number: Text | None = None
    """文档编号，跨版本不变，如 HX-P2026017-CHT-01。"""
    version: Version | None = None
    """当前版本号，须等于修订记录最后一行（V0.x 草稿，V1.0 首次批准）。"""
    classification: Text | None = None
    """密级：公开 / 内部 / 秘密 / 机密（可在配置中调整）。"""
    status: DocStatus | None = None
    """状态：草稿 / 评审中 / 已批准 / 已作废。只有已批准的文档才会归档。"""
    prepared: Signoff | None = None
    """编制（人 + 日期）。"""
    reviewed: Signoff | None = None
    """审核（人 + 日期）。"""
    approved: Signoff | None = None
    """批准（人 + 日期）。"""
    revisions: list[Revision] = []
    """修订记录（版本 / 日期 / 修订人 / 修订内容），按时间先后排列。"""
