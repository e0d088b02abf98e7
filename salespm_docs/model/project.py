"""The root of the data model: one ``Project`` merged from every YAML file of ``projects/<slug>/``."""

from __future__ import annotations

from pydantic import ValidationInfo, field_validator

from ..catalogue import CATALOGUE
from ..suggest import did_you_mean
from .control import DocControl
from .core import (Budget, Client, CommItem, Deliverable, Group, Member, Milestone, Organisation, ProjectInfo,
                   Resources, Risk, Scope, Target, WbsItem)
from .lifecycle import Acceptance, Installment, Issue, Opportunity, Retrospective, Survey, WeeklyReport
from .execution import ChangeRequest, Contract, Meeting, PhaseAcceptance, Requirements, Solution
from .performance import Performance
from .planning import Initiation, Plan, Strategy
from .sales import SalesAnalysis
from .types import Model, Text, unique


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
    groups: dict[Text, Group] = {}
    """分组：沟通计划的参与 / 接收人（communication[].audience）中可写的分组名，如 项目组全体；
    键为分组名，值为成员名单（须在名册或客户联系人中）或说明。参与 / 接收人中的其他名字须是名册或客户联系人中的人。"""
    assumptions: list[Text] = []
    """假设。"""
    constraints: list[Text] = []
    """约束。"""
    risks: list[Risk] = []
    """风险登记册。"""
    wbs: list[WbsItem] = []
    """工作分解结构。"""
    resources: Resources = Resources()
    """资源分配表：人力与物料 / 设备。"""
    issues: list[Issue] = []
    """问题清单（问题升级机制）；周报按编号引用其中的问题。"""
    initiation: Initiation | None = None
    """项目立项申请（启动阶段）：预算估算是项目章程预算的上限。"""
    opportunity: Opportunity | None = None
    """项目机会评估（启动阶段）。"""
    plan: Plan | None = None
    """项目管理方案中不能从其他文档推导的部分：KPI、预算控制、反馈与持续改进。"""
    strategy: Strategy | None = None
    """销售策略：目标客户、竞争、定价、促销、渠道、销售目标分解与行动计划。"""
    requirements: Requirements | None = None
    """需求说明书（执行阶段，甲乙双方确认）。"""
    solution: Solution | None = None
    """解决方案：功能清单追溯到需求与 WBS，报价与合同金额一致。"""
    contracts: list[Contract] = []
    """合同：金额（小写 + 大写）、付款节点、交付标准与日期的唯一来源；每份合同一张合同评审表。"""
    meetings: list[Meeting] = []
    """会议纪要（meetings/ 文件夹，一次会议一个文件，文件名 日期-简称.yaml）。"""
    changes: list[ChangeRequest] = []
    """变更申请（changes/ 文件夹，一项变更一个文件）。"""
    weekly: list[WeeklyReport] = []
    """每周进度数据（weekly/ 文件夹，一周一个文件）。"""
    phase_acceptances: list[PhaseAcceptance] = []
    """阶段性验收（每个阶段一份报告）。"""
    acceptance: Acceptance | None = None
    """最终验收（收尾阶段）。"""
    payments: list[Installment] = []
    """回款计划与实收。"""
    surveys: list[Survey] = []
    """满意度调研。"""
    retrospective: Retrospective | None = None
    """项目复盘（收尾阶段）。"""
    performance: Performance | None = None
    """团队绩效评估（收尾阶段，内部文档）。"""
    sales: SalesAnalysis | None = None
    """销售数据分析中不能从其他文档推导的输入。"""
    documents: dict[str, DocControl] = {}
    """各文档的受控信息，键为文档代码（CHT、OPP、WEEK…）。"""

    @field_validator("documents")
    @classmethod
    def _known_codes(cls, value: dict[str, DocControl]) -> dict[str, DocControl]:
        for code in value:
            if code not in CATALOGUE:
                raise ValueError(f"未知的文档代码「{code}」{did_you_mean(code, CATALOGUE)}")
        return value

    @field_validator("issues")
    @classmethod
    def _unique_issue_ids(cls, value: list[Issue]) -> list[Issue]:
        return unique(value, "id", "问题编号", "问题清单中每个问题只登记一次，编号唯一")

    @field_validator("contracts")
    @classmethod
    def _unique_contracts(cls, value: list[Contract]) -> list[Contract]:
        return unique(value, "id", "合同编号")

    @field_validator("meetings")
    @classmethod
    def _unique_meetings(cls, value: list[Meeting]) -> list[Meeting]:
        return unique(value, "id", "会议纪要")

    @field_validator("changes")
    @classmethod
    def _unique_changes(cls, value: list[ChangeRequest]) -> list[ChangeRequest]:
        return unique(value, "id", "变更编号")

    @field_validator("phase_acceptances")
    @classmethod
    def _one_per_phase(cls, value: list[PhaseAcceptance]) -> list[PhaseAcceptance]:
        return unique(value, "phase", "阶段性验收的阶段")

    @field_validator("groups")
    @classmethod
    def _not_a_person(cls, value: dict[str, Group], info: ValidationInfo) -> dict[str, Group]:
        people = {m.name for m in info.data.get("team") or []}
        client = info.data.get("client")
        people |= {c.name for c in client.contacts} if client is not None else set()
        for name in value:
            if name in people:
                raise ValueError(f"分组名「{name}」与名册（team）或客户联系人（client.contacts）中的人重名，请换一个分组名")
        return value

    def roster(self) -> dict[str, str]:
        """Everyone a document may name: team member → role, client contact → 客户·职务."""
        people = {m.name: m.role for m in self.team}
        for c in self.client.contacts:
            people.setdefault(c.name, f"客户·{c.title or c.role or '联系人'}")
        return people
