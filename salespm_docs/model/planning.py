"""Data of the planning documents: the 立项 application (INIT), the management plan's KPIs and
improvement loop (PLAN; the rest of the plan is derived from CHT, WBS, RES, COM and RISK), and the
sales strategy (STRAT). The 沟通计划 (COM) is ``communication`` in ``project.yaml``."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from .core import BudgetLine
from .types import Level, Model, Money, Number, Operator, Percent, Person, Text


class InitMilestone(Model):
    """立项申请中的一个关键里程碑。"""

    name: Text
    """名称。"""
    date: dt.date
    """计划日期（不得早于申请日期，按日期先后排列）。"""


class InitRisk(Model):
    """立项申请中的一项主要风险。"""

    description: Text
    """风险描述。"""
    level: Level | None = None
    """等级：高 / 中 / 低。"""
    response: Text | None = None
    """应对。"""


class InitBudget(Model):
    """立项预算估算。"""

    total: Money
    """预算总额（元），须等于各科目之和；审批结论为同意立项时，它是项目章程预算的上限（唯一来源，
    project.yaml 中不再填写立项批准预算）。"""
    lines: list[BudgetLine] = []
    """各科目金额。"""


class Approval(Model):
    """立项审批意见（项目委员会）。"""

    decision: Literal["同意立项", "不同意", "补充材料"] | None = None
    """审批结论：同意立项 / 不同意 / 补充材料。"""
    opinion: Text | None = None
    """审批意见。"""
    approvers: list[Person] = []
    """审批人（项目委员会成员，须在名册中）。"""
    date: dt.date | None = None
    """审批日期。"""


class Initiation(Model):
    """项目立项申请（启动阶段）。"""

    date: dt.date
    """申请日期。"""
    applicant: Person | None = None
    """申请人（销售负责人）。"""
    source: Text | None = None
    """商机来源。"""
    expected_amount: Money | None = None
    """预计签约金额（元）。"""
    expected_sign_date: dt.date | None = None
    """预计签约日期。"""
    background: Text | None = None
    """立项背景。"""
    needs: list[Text] = []
    """客户需求，逐条列出。"""
    goals: list[Text] = []
    """项目目标。"""
    scope: list[Text] = []
    """项目范围。"""
    solution: Text | None = None
    """初步方案。"""
    deliverables: list[Text] = []
    """主要交付物。"""
    budget: InitBudget
    """预算估算。"""
    expected_revenue: Money | None = None
    """预计收入（元）。"""
    gross_margin: Percent | None = None
    """毛利率（%），可不填；填写时须等于 (预计收入 − 预算成本) / 预计收入。"""
    benefits: list[Text] = []
    """预期收益（除收入外的收益，如标杆案例、二期机会）。"""
    milestones: list[InitMilestone] = []
    """关键里程碑。"""
    risks: list[InitRisk] = []
    """主要风险（至少一项）。"""
    approval: Approval = Approval()
    """审批意见。"""


class Kpi(Model):
    """项目管理方案中的一项绩效指标（KPI）。"""

    name: Text
    """指标名称，如 回款率、进度绩效指数（SPI）。"""
    formula: Text | None = None
    """计算公式，如 已回款金额 / 合同金额。"""
    operator: Operator | None = None
    """比较符：≥、≤、=、>、<。与项目章程的目标或成功标准衡量同一指标（measure 相同）时不填，取自项目章程。"""
    target: Number | None = None
    """目标值；与项目章程衡量同一指标时不填，取自项目章程（填写且不一致为错误）。"""
    unit: Text | None = None
    """单位，如 %、天；与项目章程衡量同一指标时不填。"""
    frequency: Literal["每日", "每周", "每两周", "每月", "每季度", "按里程碑", "项目结束时"] | None = None
    """统计频率。"""
    owner: Person | None = None
    """负责人。"""
    measure: Literal["payment_rate", "spi", "cpi", "acceptance_pass_rate", "payment_cycle", "csat"] | None = None
    """由系统计算当前值的指标：回款率、SPI、CPI、验收通过率、回款周期、客户满意度（不填则只列目标）。"""


class Plan(Model):
    """项目管理方案中不能从其他文档推导的部分；目标、范围、进度、资源、沟通、风险均取自项目章程、WBS、
    资源分配表、沟通计划与风险登记册，不在此重复填写。"""

    kpis: list[Kpi] = []
    """监控与绩效评估的 KPI（每项须有公式、目标与频率）。"""
    budget_control: list[Text] = []
    """预算控制措施（审批权限、预警线等）。"""
    feedback: list[Text] = []
    """反馈机制（客户与团队的反馈渠道）。"""
    improvement: list[Text] = []
    """总结与持续改进的安排。"""


class TargetShare(Model):
    """销售目标分解的一项（一个季度或一条产品线）。"""

    label: Text
    """分解项，如 2026年第一季度、CRM 软件许可。"""
    amount: Money
    """金额（元）；各项之和须等于项目章程的销售额目标。"""
    note: Text | None = None
    """说明。"""


class StrategyAction(Model):
    """销售行动计划中的一项。"""

    action: Text
    """行动。"""
    owner: Person | None = None
    """负责人。"""
    due: dt.date | None = None
    """完成日期。"""


class Strategy(Model):
    """销售策略（定价、促销、渠道）。"""

    customers: Text | None = None
    """目标客户与需求分析。"""
    competition: Text | None = None
    """竞争分析。"""
    pricing: Text | None = None
    """定价策略。"""
    promotion: Text | None = None
    """促销策略。"""
    channels: Text | None = None
    """渠道策略。"""
    breakdown_by: Literal["季度", "产品线", "区域", "客户"] = "季度"
    """销售目标按什么分解。"""
    breakdown: list[TargetShare] = []
    """销售目标分解。"""
    actions: list[StrategyAction] = []
    """行动计划（每项须有负责人与日期）。"""


__all__ = ["Approval", "Initiation", "InitBudget", "InitMilestone", "InitRisk", "Kpi", "Plan", "Strategy",
           "StrategyAction", "TargetShare"]
