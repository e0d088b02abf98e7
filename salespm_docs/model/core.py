"""Core project data shared by every document: the project, client, roster, goals, scope, plan and risks."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .. import dates
from .types import (_as_text, Ident, Impact, Level, Model, Money, Number, Operator, Percent, Person, PersonOrGroup, Probability,
                    ProjectFile, Stage, Text)


class ProjectInfo(Model):
    """项目基本信息。"""

    code: Ident
    """项目编号，如 P2026017。"""
    name: Text
    """项目名称。"""
    company: Text
    """乙方（本公司）全称。"""
    company_code: Ident
    """公司代码，用于文档编号前缀，如 HX。"""
    stage: Stage
    """当前阶段：启动 / 规划 / 执行 / 监控 / 收尾。"""
    start: dt.date
    """项目开始日期。"""
    end: dt.date
    """项目计划结束日期。"""
    status_date: dt.date | None = None
    """数据截至日期（状态日期）：周报缺周、逾期回款等按此日期判断；不填则为今天。项目数据只更新到某一天时填写
    （如示例项目、暂停或归档的项目），检查结果与生成的文档就不会随日期推移而变化。不得晚于今天，不得早于项目开始日期。"""
    background: Text | None = None
    """项目背景（客户现状与需求）。"""
    purpose: Text | None = None
    """项目目的。"""
    sales_owner: Person | None = None
    """销售负责人。"""
    contract_amount: Money | None = None
    """合同金额（元，含税），签约后填写。"""
    currency: Literal["CNY"] = "CNY"
    """币种，目前仅支持人民币。"""
    logo: ProjectFile | None = None
    """公司标志图片：项目文件夹内的 PNG / JPG / SVG 文件的相对路径，显示在 PDF 封面。"""

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        return _not_before(end, info.data.get("start"), "结束日期", "开始日期")

    @field_validator("status_date")
    @classmethod
    def _status_date_in_range(cls, day: dt.date | None, info: ValidationInfo) -> dt.date | None:
        today = dates.today()
        if day is not None and day > today:
            raise ValueError(f"数据截至日期 {day} 晚于今天（{today}）：项目数据不能截至未来的日期")
        return _not_before(day, info.data.get("start"), "数据截至日期", "项目开始日期")


class Contact(Model):
    """客户方联系人。"""

    name: Text
    """姓名。"""
    title: Text | None = None
    """职务，如 信息化总监。"""
    role: Text | None = None
    """在项目中的角色，如 客户接口人、关键决策人。"""
    key_decision_maker: bool = False
    """是否为客户方关键决策人（项目章程须列为干系人）。"""
    phone: Text | None = None
    """电话。"""
    email: Text | None = None
    """电子邮箱（周报邮件收件人）。"""


class Client(Model):
    """客户（甲方）。"""

    name: Text
    """客户全称。"""
    short_name: Text | None = None
    """简称。"""
    industry: Text | None = None
    """所属行业。"""
    address: Text | None = None
    """地址。"""
    contacts: list[Contact] = []
    """客户方联系人。"""


class Member(Model):
    """项目名册中的一名成员（乙方）。"""

    name: Text
    """姓名（全项目唯一）。"""
    role: Text
    """项目角色，如 项目经理、技术负责人、交付负责人。"""
    department: Text | None = None
    """所属部门。"""
    responsibilities: Text | None = None
    """职责说明。"""
    allocation: Percent | None = None
    """投入比例（%）。"""
    email: Text | None = None
    """电子邮箱。"""
    phone: Text | None = None
    """电话。"""


class Organisation(Model):
    """项目组织：发起人、项目经理及其授权。"""

    sponsor: Person | None = None
    """项目发起人（批准项目章程）。"""
    manager: Person | None = None
    """项目经理。"""
    manager_authority: Text | None = None
    """项目经理的授权说明（可调配的资源、审批权限等）。"""
    client_contact: Person | None = None
    """客户接口人。"""


class Target(Model):
    """可度量的目标或成功标准：指标、比较符、目标值、单位。"""

    id: Ident
    """编号，如 O1、S1。"""
    description: Text | None = None
    """文字描述。"""
    metric: Text | None = None
    """指标名称，如 客户验收通过率、回款周期、销售额。"""
    operator: Operator | None = None
    """比较符：≥ ≤ = > <（也可写 >= <=）。"""
    target: Number | None = None
    """目标值（数字）。"""
    unit: Text | None = None
    """单位，如 %、天、万元。"""
    deadline: dt.date | None = None
    """完成期限。"""
    measure: Literal["acceptance_pass_rate", "payment_cycle", "csat", "cost_variance",
                     "sales_amount", "schedule_variance"] | None = None
    """实际值由哪项计算得出：acceptance_pass_rate 验收通过率、payment_cycle 回款周期、csat 满意度、
    cost_variance 成本偏差、sales_amount 销售额、schedule_variance 进度偏差。"""


class Scope(Model):
    """项目范围。"""

    included: list[Text] = []
    """包含的工作。"""
    excluded: list[Text] = []
    """不包含的工作。"""


class Deliverable(Model):
    """主要交付物。"""

    id: Ident | None = None
    """交付物编号，如 D1。"""
    name: Text
    """名称。"""
    description: Text | None = None
    """说明。"""
    acceptance_criteria: Text | None = None
    """验收标准。"""
    due: dt.date | None = None
    """计划交付日期。"""
    owner: Person | None = None
    """责任人。"""


class Milestone(Model):
    """里程碑。"""

    id: Ident
    """编号，如 M1。"""
    name: Text
    """名称。"""
    date: dt.date
    """计划日期。"""
    deliverables: list[Ident] = []
    """该里程碑完成的交付物编号。"""
    owner: Person | None = None
    """责任人。"""


class BudgetLine(Model):
    """预算科目。"""

    category: Literal["人工", "物料", "外采", "差旅", "其他", "不可预见费"]
    """科目：人工 / 物料 / 外采 / 差旅 / 其他 / 不可预见费。"""
    amount: Money
    """金额（元）。"""
    note: Text | None = None
    """说明。"""


class Budget(Model):
    """项目成本预算。"""

    total: Money | None = None
    """预算总额（元），须等于各科目之和。"""
    lines: list[BudgetLine] = []
    """各科目金额。"""

    @field_validator("lines")
    @classmethod
    def _total_in_range(cls, lines: list[BudgetLine]) -> list[BudgetLine]:
        from ..money import LIMIT

        total = sum((line.amount for line in lines), Decimal(0))
        if total >= LIMIT:
            raise ValueError(f"各科目合计 {total} 超出范围：须小于一万亿元（大写金额的上限）")
        return lines


class Group(Model):
    """一个分组：沟通计划的参与 / 接收人中可以写分组名代替逐个列出的人，如 项目组全体。"""

    members: list[Person] = []
    """成员（须在名册 team 或客户联系人 client.contacts 中）；不逐一列出时可省略，但须写说明。"""
    description: Text | None = None
    """说明，如 乙方项目组全体成员（见名册 team）。"""
    email: Text | None = None
    """分组邮箱（邮件列表），如 pm-p2026017@hxsz.example.cn：周进度报告发给此分组时用此地址。"""

    @model_validator(mode="after")
    def _says_who(self) -> "Group":
        if not self.members and self.description is None:
            raise ValueError("分组须列出成员（members）或写明说明（description），不能为空")
        return self


class CommItem(Model):
    """沟通计划中的一项（会议、报告）。"""

    name: Text
    """名称，如 周例会、周进度报告。"""
    purpose: Text | None = None
    """目的。"""
    audience: list[PersonOrGroup] = []
    """参与 / 接收人：名册（team）或客户联系人（client.contacts）中的人名，或 groups 中声明的分组名（如 项目组全体）。"""
    owner: Person | None = None
    """负责人。"""
    frequency: Literal["每日", "每周", "每两周", "每月", "每季度", "按需", "一次"] | None = None
    """频率。"""
    channel: Text | None = None
    """形式 / 渠道。"""
    output: Text | None = None
    """输出物。"""
    archive: Text | None = None
    """存档位置。"""


class Risk(Model):
    """风险登记册中的一条风险。"""

    id: Ident
    """风险编号，如 R01。"""
    description: Text
    """风险描述。"""
    category: Text | None = None
    """类别，如 需求、技术、商务、资源、回款。"""
    probability: Probability | None = None
    """可能性 1–5。"""
    impact: Impact | None = None
    """影响 1–5。"""
    level: Level | None = None
    """等级：高 / 中 / 低（须与 可能性 × 影响 的矩阵一致）。"""
    strategy: Literal["规避", "转移", "减轻", "接受"] | None = None
    """应对策略。"""
    actions: Text | None = None
    """应对措施。"""
    owner: Person | None = None
    """责任人。"""
    trigger: Text | None = None
    """触发条件。"""
    contingency: Text | None = None
    """应急计划。"""
    status: Literal["开放", "监控中", "已关闭"] = "开放"
    """状态：开放 / 监控中 / 已关闭。"""
    identified: dt.date | None = None
    """识别日期。"""
    next_review: dt.date | None = None
    """下次复核日期。"""
    closed: dt.date | None = None
    """关闭日期。"""

    @field_validator("closed")
    @classmethod
    def _closed_after_identified(cls, closed: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _not_before(closed, info.data.get("identified"), "关闭日期", "识别日期")


_LINK = re.compile(r"^\s*(?P<task>[A-Za-z0-9][A-Za-z0-9._-]{0,31}?)\s*(?P<type>FS|SS|FF|SF)?"
                   r"\s*(?P<lag>[+\-\u2212]\s*\d{1,4})?\s*(?:天|d|工作日)?\s*$", re.I)


class Dependency(Model):
    """一个前置关系：前置任务、关系类型与延隔（工作日，可为负数表示提前）。"""

    task: Ident
    """前置任务的 WBS 编码。"""
    type: Literal["FS", "SS", "FF", "SF"] = "FS"
    """关系类型：FS 完成—开始（默认）、SS 开始—开始、FF 完成—完成、SF 开始—完成。"""
    lag: int = Field(default=0, ge=-999, le=999)
    """延隔（工作日）：正数为延后，负数为提前（搭接）。"""

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        """``"1.2.1"`` / ``"1.2.1 SS+2"`` / ``"1.2.1FF-1"`` → the mapping form."""
        value = _as_text(value) if not isinstance(value, (dict, str)) else value
        if not isinstance(value, str):
            return value
        match = _LINK.match(value)
        if not match:
            raise ValueError(f"前置任务「{value}」应写作 WBS 编码，可带关系类型与延隔，如 1.2.1、1.2.1 SS+2、1.2.1 FF-1")
        lag = (match["lag"] or "0").replace("\u2212", "-").replace(" ", "")
        return {"task": match["task"], "type": (match["type"] or "FS").upper(), "lag": int(lag)}

    def __str__(self) -> str:
        lag = f"{self.lag:+d}".replace("-", "\u2212") if self.lag else ""
        return self.task if self.type == "FS" and not self.lag else f"{self.task}{self.type}{lag}"


class Assignment(Model):
    """任务分派：一人在一项叶子任务上投入的时间比例（资源负荷按此逐周计算）。"""

    name: Person
    """人员（须在名册中）。"""
    percent: Percent
    """投入比例（%）：任务工期内此人时间的百分比，如 50。"""


class WbsItem(Model):
    """工作分解结构（WBS）中的一项；叶子任务即进度表的行。"""

    code: Ident
    """WBS 编码，层级式：1、1.2、1.2.3。"""
    name: Text
    """名称。"""
    deliverable: Ident | None = None
    """对应的交付物编号。"""
    owner: Person | None = None
    """责任人。"""
    post: Text | None = None
    """岗位。"""
    effort: Number | None = None
    """工作量（人天）。"""
    start: dt.date | None = None
    """计划开始。"""
    end: dt.date | None = None
    """计划结束。"""
    predecessors: list[Dependency] = []
    """前置任务：WBS 编码，可带关系类型与延隔（工作日）：``"1.1.1"``（完成—开始）、``"1.1.1 SS+2"``、
    ``"2.1 FF-1"``，或 ``{task: "1.1.1", type: SS, lag: 2}``。类型：FS 完成—开始、SS 开始—开始、
    FF 完成—完成、SF 开始—完成。"""
    milestone: bool = False
    """里程碑（工期为零：计划开始与计划结束为同一天，工作量为 0）。"""
    baseline_start: dt.date | None = None
    """基线开始：计划变更前批准的计划开始（有基线时甘特图在计划条下画基线条）。"""
    baseline_end: dt.date | None = None
    """基线结束。"""
    assignments: list[Assignment] = []
    """任务分派：参与此叶子任务的人员及其投入比例，如 ``[{name: 韩雪, percent: 50}]``；未写时
    由责任人全时（100%）承担。资源分配表按此逐周计算每人负荷，任一周不得超过 100%。"""

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _not_before(end, info.data.get("start"), "计划结束", "计划开始")


def _not_before(end, start, end_label: str, start_label: str):
    """A range that ends before it starts is malformed data, not an incomplete document."""
    if end is not None and start is not None and end < start:
        raise ValueError(f"{end_label} {end} 早于{start_label} {start}")
    return end


class PersonResource(Model):
    """资源分配表的人力一行：投入比例取自名册（team[].allocation），成本计入预算的人工科目。"""

    name: Person
    """姓名（须在名册中）。"""
    start: dt.date | None = None
    """投入开始日期（未写时取其在工作分解结构中最早的任务开始日期）。"""
    end: dt.date | None = None
    """投入结束日期（未写时取其在工作分解结构中最晚的任务结束日期）。"""
    cost: Money
    """人力成本（元），各人之和须等于预算的人工科目。"""
    note: Text | None = None
    """说明，如 人天数 × 人天单价。"""

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _not_before(end, info.data.get("start"), "投入结束日期", "投入开始日期")


class Material(Model):
    """资源分配表的物料 / 设备一行（含外采的软件与服务）。"""

    name: Text
    """名称。"""
    spec: Text | None = None
    """规格型号。"""
    category: Literal["物料", "外采"] = "物料"
    """预算科目：物料 或 外采；同一科目各行金额之和须等于预算中该科目的金额。"""
    quantity: Number = Field(gt=0)
    """数量（大于 0）。"""
    unit: Text | None = None
    """单位，如 台、套、用户、月。"""
    unit_price: Money
    """单价（元）。"""
    amount: Money | None = None
    """金额（元）：须等于 数量 × 单价（精确到分）；不写时由系统计算。"""
    arrival: dt.date | None = None
    """到货日期（计划或实际）。"""
    supplier: Text | None = None
    """供应商。"""


class Resources(Model):
    """资源分配表：人力与物料 / 设备（预算科目见 budget）。"""

    people: list[PersonResource] = []
    """人力：每位参与项目的成员一行；工作分解结构中的每个责任人与分派人员都须列入。"""
    materials: list[Material] = []
    """物料 / 设备（含外采软件许可与服务）。"""

    @field_validator("people")
    @classmethod
    def _one_row_each(cls, people: list[PersonResource]) -> list[PersonResource]:
        seen: set[str] = set()
        for person in people:
            if person.name in seen:
                raise ValueError(f"人力中「{person.name}」出现两次：每人一行，成本合计为一个数")
            seen.add(person.name)
        return people
