"""Data of the execution and monitoring paperwork: the 需求说明书 (REQ), the 解决方案 (SOL), the
contracts and their 合同评审 (CTR), the 阶段性验收 (PACC), the 会议纪要 (MIN, one file per meeting
under ``meetings/``) and the 变更申请 (CHG, one file per change under ``changes/``).

The contract is the one place for the contract amount (小写 + the 大写 as written in it), the payment
terms, the delivery standard and the dates; CTR, SOL's 报价 and PAY's installments are checked
against it."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import field_validator, model_validator

from .control import DocControl
from .lifecycle import AcceptanceResult, OpenItem, PartySign
from .types import Ident, Model, Money, Number, Percent, Person, Text, Version, unique

Priority = Literal["必须", "应该", "可以"]
ReviewConclusion = Literal["通过", "修改后通过", "不通过"]
Department = Literal["销售", "技术/交付", "财务", "法务"]
#: the 评审要点 of a 合同评审表, in the order the document shows them (ARTIFACTS.md, CTR)
REVIEW_POINTS = ("交付内容与标准", "验收方式", "付款方式与节点", "发票", "违约责任", "知识产权", "保密",
                 "质保与售后", "争议解决", "不可抗力")
ReviewTopic = Literal["交付内容与标准", "验收方式", "付款方式与节点", "发票", "违约责任", "知识产权", "保密",
                      "质保与售后", "争议解决", "不可抗力"]
ChangeType = Literal["范围", "进度", "成本", "质量"]


# -- REQ 需求说明书 ----------------------------------------------------------------------------

class Requirement(Model):
    """一条需求。"""

    id: Ident
    """需求编号，如 FR-01、NFR-02、IF-01（整份需求说明书中唯一）。"""
    title: Text
    """需求名称。"""
    description: Text | None = None
    """需求描述。"""
    priority: Priority | None = None
    """优先级：必须 / 应该 / 可以。"""
    acceptance: Text | None = None
    """验收标准（可检验的条件）。"""
    source: Text | None = None
    """来源，如 需求调研访谈、方案设计阶段客户新增。"""
    change: Ident | None = None
    """引入该需求的变更申请编号（changes/ 中的 id），如 CR-01。"""


class Role(Model):
    """一类用户与角色。"""

    name: Text
    """角色名称，如 销售代表。"""
    description: Text | None = None
    """职责与使用场景。"""
    users: int | None = None
    """用户数。"""


class Requirements(Model):
    """需求说明书（甲乙双方确认）。"""

    introduction: Text | None = None
    """引言：编写目的、范围与读者。"""
    background: Text | None = None
    """项目背景。"""
    goals: list[Text] = []
    """业务目标。"""
    roles: list[Role] = []
    """用户与角色。"""
    functional: list[Requirement] = []
    """功能需求。"""
    non_functional: list[Requirement] = []
    """非功能需求（性能、安全、可用性……）。"""
    interfaces: list[Requirement] = []
    """接口与数据需求。"""
    constraints: list[Text] = []
    """约束。"""
    assumptions: list[Text] = []
    """假设。"""
    change_management: Text | None = None
    """需求变更管理：变更如何提出、评估与确认。"""
    client: PartySign | None = None
    """甲方确认（单位盖章、代表签字、日期）。"""
    vendor: PartySign | None = None
    """乙方确认。"""

    @model_validator(mode="after")
    def _unique_ids(self) -> "Requirements":
        unique([*self.functional, *self.non_functional, *self.interfaces], "id", "需求编号")
        return self

    def all(self) -> list[Requirement]:
        """Every requirement, functional first."""
        return [*self.functional, *self.non_functional, *self.interfaces]


# -- SOL 解决方案 -------------------------------------------------------------------------------

class SolutionFunction(Model):
    """功能清单的一行：方案提供的一项功能，追溯到需求与 WBS。"""

    id: Ident
    """功能编号，如 F01。"""
    name: Text
    """功能名称。"""
    module: Text | None = None
    """所属模块。"""
    description: Text | None = None
    """功能说明。"""
    requirements: list[Ident] = []
    """覆盖的需求编号（需求说明书中的 id）。"""
    wbs: list[Ident] = []
    """实现它的 WBS 元素编码。"""


class QuoteLine(Model):
    """报价的一行。"""

    item: Text
    """项目，如 CRM 软件许可。"""
    spec: Text | None = None
    """规格说明。"""
    quantity: Number
    """数量。"""
    unit: Text | None = None
    """单位。"""
    unit_price: Money
    """单价（元）。"""
    amount: Money | None = None
    """金额（元）；未写时按 数量 × 单价 计算，写了须相等。"""


class Implementation(Model):
    """实施方案与周期。"""

    start: dt.date | None = None
    """计划开始。"""
    end: dt.date | None = None
    """计划结束（与甘特图的跨度核对）。"""
    approach: Text | None = None
    """实施方法与阶段说明。"""


class Solution(Model):
    """解决方案（提交客户）。"""

    current_state: Text | None = None
    """客户现状。"""
    pain_points: list[Text] = []
    """痛点。"""
    design: Text | None = None
    """方案总体设计。"""
    functions: list[SolutionFunction] = []
    """功能清单。"""
    architecture: list[Text] = []
    """技术架构（分层或要点）。"""
    implementation: Implementation = Implementation()
    """实施方案与周期。"""
    training: Text | None = None
    """培训。"""
    operations: Text | None = None
    """运维与售后。"""
    quote: list[QuoteLine] = []
    """报价明细。"""
    quote_total: Money | None = None
    """报价合计（元）；须等于明细之和，有合同时等于合同金额。"""
    risks: list[Text] = []
    """风险。"""
    assumptions: list[Text] = []
    """假设。"""

    @model_validator(mode="after")
    def _unique_functions(self) -> "Solution":
        unique(self.functions, "id", "功能编号")
        return self


# -- CTR 合同评审表 -----------------------------------------------------------------------------

class PaymentTerm(Model):
    """合同约定的一个付款节点。"""

    no: int
    """期次。"""
    milestone: Text
    """付款节点，如 合同签订、最终验收。"""
    ratio: Percent
    """比例（%）。"""
    amount: Money
    """金额（元）。"""
    condition: Text | None = None
    """付款条件，如 验收合格后 15 日内。"""


class ReviewPoint(Model):
    """一个评审要点及合同中的约定。"""

    topic: ReviewTopic
    """评审要点：交付内容与标准、验收方式、付款方式与节点、发票、违约责任、知识产权、保密、质保与售后、争议解决、不可抗力。"""
    terms: Text | None = None
    """合同约定（条款号与要点）。"""
    opinion: Text | None = None
    """评审意见。"""


class DepartmentReview(Model):
    """一个部门的评审意见。"""

    department: Department
    """部门：销售 / 技术/交付 / 财务 / 法务。"""
    reviewer: Person | None = None
    """评审人。"""
    conclusion: ReviewConclusion | None = None
    """结论：通过 / 修改后通过 / 不通过。"""
    opinion: Text | None = None
    """意见。"""
    date: dt.date | None = None
    """评审日期。"""


class Contract(Model):
    """一份合同：金额、付款节点、交付标准与日期的唯一来源；合同评审表（CTR）由它生成。"""

    id: Ident
    """合同编号，如 HX-XS-2026-017（也是其合同评审表的键）。"""
    name: Text
    """合同名称。"""
    amount: Money
    """合同金额（小写，元）。"""
    amount_in_words: Text | None = None
    """合同文本中的大写金额，如 人民币肆佰捌拾万元整；须与小写金额一致。"""
    signed: dt.date | None = None
    """签订日期。"""
    start: dt.date | None = None
    """合同期限：开始。"""
    end: dt.date | None = None
    """合同期限：结束。"""
    delivery: Text | None = None
    """交付内容与标准（引用需求说明书及其版本）。"""
    requirements_version: Version | None = None
    """交付标准所依据的需求说明书版本，如 V1.0（须在需求说明书的修订记录中）。"""
    payment_terms: list[PaymentTerm] = []
    """付款节点。"""
    review_points: list[ReviewPoint] = []
    """评审要点。"""
    reviews: list[DepartmentReview] = []
    """各部门评审意见。"""
    conclusion: Text | None = None
    """评审结论。"""
    client: PartySign | None = None
    """合同签署：甲方（单位、授权代表、签署日期）；未写时单位取客户名称、日期取签订日期。"""
    vendor: PartySign | None = None
    """合同签署：乙方（单位、授权代表、签署日期）；未写时单位取乙方公司、日期取签订日期。"""
    document: DocControl | None = None
    """本合同评审表的受控信息；未写的字段沿用 documents.CTR。"""

    @field_validator("review_points")
    @classmethod
    def _points_once(cls, value: list[ReviewPoint]) -> list[ReviewPoint]:
        return unique(value, "topic", "评审要点")

    @field_validator("reviews")
    @classmethod
    def _departments_once(cls, value: list[DepartmentReview]) -> list[DepartmentReview]:
        return unique(value, "department", "评审部门")


# -- PACC 阶段性验收报告 -------------------------------------------------------------------------

class TestRecord(Model):
    """一条测试与检查记录。"""

    item: Text
    """测试 / 检查项。"""
    method: Text | None = None
    """方式，如 UAT 用例执行。"""
    date: dt.date | None = None
    """日期。"""
    result: Text | None = None
    """结果，如 用例 186 个，通过 183 个。"""
    note: Text | None = None
    """说明。"""


class PhaseAcceptance(Model):
    """一个阶段的阶段性验收（甲乙双方签字）。"""

    phase: Ident
    """阶段：WBS 第一层编码，如 4（也是其阶段性验收报告的键）。"""
    name: Text | None = None
    """验收名称，如 UAT 阶段验收；未写时用 WBS 阶段名称。"""
    date: dt.date
    """验收日期。"""
    scope: Text | None = None
    """阶段与范围说明。"""
    location: Text | None = None
    """验收地点。"""
    participants: list[Person] = []
    """参加人员。"""
    results: list[AcceptanceResult] = []
    """本阶段各交付物的验收结果（通过 / 有条件通过 / 不通过）。"""
    tests: list[TestRecord] = []
    """测试与检查记录。"""
    open_items: list[OpenItem] = []
    """遗留问题（责任人与整改期限）。"""
    conclusion: Text | None = None
    """结论。"""
    client: PartySign | None = None
    """甲方签字盖章。"""
    vendor: PartySign | None = None
    """乙方签字盖章。"""
    document: DocControl | None = None
    """本报告的受控信息；未写的字段沿用 documents.PACC。"""


# -- MIN 会议纪要 -------------------------------------------------------------------------------

class ActionItem(Model):
    """一项待办事项。"""

    item: Text
    """事项。"""
    owner: Text | None = None
    """责任人（名册中的人或客户联系人；由 R-MIN-1 检查）。"""
    due: dt.date | None = None
    """期限。"""
    closed: dt.date | None = None
    """关闭日期；未关闭的事项出现在此后各周周进度报告的下周计划或需客户配合事项中。"""
    note: Text | None = None
    """说明。"""


class Meeting(Model):
    """一次会议的纪要，一次会议一个文件：meetings/2026-03-05-kickoff.yaml。"""

    # The people of a minute (chair, recorder, attendees, action owners) are plain text, not
    # ``Person``: R-MIN-1 checks them with a message naming their role in the meeting, so R-COM-4
    # does not report the same name a second time, and the 周进度报告 that carry the minutes' open
    # items are not made drafts by a misspelt attendee of some meeting (MIN reports it, once).

    id: Ident
    """纪要的键：文件名（不含 .yaml），由程序按文件名填写。"""
    date: dt.date
    """会议日期（须与文件名中的日期一致）。"""
    title: Text
    """会议名称，如 项目启动会、第 12 周周例会。"""
    kind: Text | None = None
    """会议类型，如 启动会、周例会（与沟通计划中的会议对应）。"""
    time: Text | None = None
    """时间，如 14:00–16:00。"""
    location: Text | None = None
    """地点。"""
    chair: Text | None = None
    """主持人（名册中的人或客户联系人；由 R-MIN-1 检查）。"""
    recorder: Text | None = None
    """记录人（名册中的人或客户联系人；由 R-MIN-1 检查）。"""
    attendees: list[Text] = []
    """参会人（名册中的人或客户联系人；由 R-MIN-1 检查）。"""
    topics: list[Text] = []
    """议题。"""
    discussion: list[Text] = []
    """讨论要点。"""
    decisions: list[Text] = []
    """决议。"""
    actions: list[ActionItem] = []
    """待办事项（事项、责任人、期限）。"""
    document: DocControl | None = None
    """本纪要的受控信息；未写的字段沿用 documents.MIN。"""


# -- CHG 变更申请 -------------------------------------------------------------------------------

class ChangeImpact(Model):
    """影响分析：六个维度都须填写（无影响写「无影响」及理由）。"""

    scope: Text | None = None
    """范围。"""
    schedule: Text | None = None
    """进度。"""
    cost: Text | None = None
    """成本。"""
    quality: Text | None = None
    """质量。"""
    resources: Text | None = None
    """资源。"""
    risk: Text | None = None
    """风险。"""


class ChangeReview(Model):
    """一条评审意见。"""

    reviewer: Person
    """评审人。"""
    opinion: Text
    """意见。"""
    date: dt.date | None = None
    """日期。"""


class ChangeDecision(Model):
    """审批决定。"""

    result: Literal["批准", "驳回", "暂缓"] | None = None
    """决定：批准 / 驳回 / 暂缓。"""
    by: Person | None = None
    """审批人。"""
    date: dt.date | None = None
    """审批日期（批准的变更自此日起生效）。"""
    note: Text | None = None
    """审批意见。"""


class ChangeRequest(Model):
    """一项变更申请，一项变更一个文件：changes/CR-01.yaml。"""

    id: Ident
    """变更编号，如 CR-01（唯一，也是其变更申请的键）。"""
    title: Text
    """变更名称。"""
    date: dt.date
    """申请日期。"""
    applicant: Person
    """申请人。"""
    types: list[ChangeType]
    """变更类型：范围 / 进度 / 成本 / 质量（可多选）。"""
    description: Text | None = None
    """变更描述。"""
    reason: Text | None = None
    """变更原因。"""
    tasks: list[Ident] = []
    """涉及的 WBS 任务编码（须在 WBS 中）。"""
    requirements: list[Ident] = []
    """涉及的需求编号。"""
    impact: ChangeImpact = ChangeImpact()
    """影响分析。"""
    budget_change: Money | None = None
    """批准后成本预算增加的金额（元）；批准日期之后各周的预算基线为原预算加上已批准的增加额。"""
    schedule_change_days: int | None = None
    """对完工日期的影响（工作日，正数为推迟）。"""
    alternatives: list[Text] = []
    """备选方案。"""
    if_not_changed: Text | None = None
    """不变更的影响。"""
    reviews: list[ChangeReview] = []
    """评审意见。"""
    decision: ChangeDecision = ChangeDecision()
    """审批。"""
    document: DocControl | None = None
    """本变更申请的受控信息；未写的字段沿用 documents.CHG。"""

    @property
    def approved(self) -> bool:
        return self.decision.result == "批准" and self.decision.date is not None
