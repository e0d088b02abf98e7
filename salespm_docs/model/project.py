"""The root of the data model: one ``Project`` merged from every YAML file of ``projects/<slug>/``."""

from __future__ import annotations

from pydantic import field_validator

from ..catalogue import CATALOGUE
from ..suggest import did_you_mean
from .control import DocControl
from .core import (Budget, Client, CommItem, Deliverable, Member, Milestone, Organisation, ProjectInfo,
                   Risk, Scope, Target, WbsItem)
from .lifecycle import Acceptance, Installment, Opportunity, Retrospective, Survey, WeeklyReport
from .types import Model, Text


class Project(Model):
    """一个销售项目的全部数据：项目目录下各 YAML 文件合并而成，是所有文档的唯一数据源。"""

    project: ProjectInfo
    """项目基本信息。"""
    client: Client
    """客户（甲方）。"""
    team: list[Member]
    """项目名册（乙方成员）。文档中出现的每个人都须在名册或客户联系人中。"""
    organisation: Organisation = Organisation()
    """项目组织：发起人、项目经理及授权。"""
    objectives: list[Target] = []
    """项目目标（可度量）。"""
    success_criteria: list[Target] = []
    """成功标准（可度量）。"""
    scope: Scope = Scope()
    """项目范围（包含 / 不包含）。"""
    deliverables: list[Deliverable] = []
    """主要交付物。"""
    milestones: list[Milestone] = []
    """里程碑计划。"""
    budget: Budget = Budget()
    """成本预算。"""
    communication: list[CommItem] = []
    """沟通机制（会议、报告）。"""
    assumptions: list[Text] = []
    """假设。"""
    constraints: list[Text] = []
    """约束。"""
    risks: list[Risk] = []
    """风险登记册。"""
    wbs: list[WbsItem] = []
    """工作分解结构。"""
    opportunity: Opportunity | None = None
    """项目机会评估（启动阶段）。"""
    weekly: list[WeeklyReport] = []
    """每周进度数据（weekly/ 文件夹，一周一个文件）。"""
    acceptance: Acceptance | None = None
    """最终验收（收尾阶段）。"""
    payments: list[Installment] = []
    """回款计划与实收。"""
    surveys: list[Survey] = []
    """满意度调研。"""
    retrospective: Retrospective | None = None
    """项目复盘（收尾阶段）。"""
    documents: dict[str, DocControl] = {}
    """各文档的受控信息，键为文档代码（CHT、OPP、WEEK…）。"""

    @field_validator("documents")
    @classmethod
    def _known_codes(cls, value: dict[str, DocControl]) -> dict[str, DocControl]:
        for code in value:
            if code not in CATALOGUE:
                raise ValueError(f"未知的文档代码「{code}」{did_you_mean(code, CATALOGUE)}")
        return value

    def roster(self) -> dict[str, str]:
        """Everyone a document may name: team member → role, client contact → 客户·职务."""
        people = {m.name: m.role for m in self.team}
        for c in self.client.contacts:
            people.setdefault(c.name, f"客户·{c.title or c.role or '联系人'}")
        return people
