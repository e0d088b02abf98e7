"""Data of the 销售数据分析 (SALES) that no other document holds (the previous period's sales for
the growth rate, the cost of acquiring the client, the analysis period, commentary); every other
input comes from the contract, the payments, the surveys, the weekly cost and the charter.

``reported`` is optional: a KPI value typed here (e.g. copied from a sales report) is held to the
recomputed figure by R-SALES-1; the document always shows the recomputed one."""

from __future__ import annotations

import datetime as dt

from .types import Model, Money, Number, Percent, Text, scale


class PreviousSales(Model):
    """上一可比期间的销售额：销售额增长率的分母。"""

    basis: Text
    """对比口径，写明是谁的销售额（如「同一客户上一年度在我司的签约额」或「大客户销售部 2025 年度同类项目平均合同额」）。"""
    period: Text
    """对比期间（如「2025年度」）。"""
    amount: Money
    """上一期销售额（元）；为 0 时增长率显示为不适用。"""
    source: Text | None = None
    """数据来源（如「公司 CRM 2025 年度销售报表」）。"""


class Acquisition(Model):
    """客户获取成本（CAC）的输入。"""

    cost: Money
    """为赢得本客户发生的销售与市场费用（元）：售前人工、方案演示、展会分摊、差旅、招待等。"""
    new_clients: scale(0, 100000, "新客户数")  # type: ignore[valid-type]
    """该费用获取的新客户数；为 0 时 CAC 显示为不适用。"""
    note: Text | None = None
    """费用构成说明。"""


class ReportedKpis(Model):
    """已在其他报表中填报的指标值（可选）：填写的每一项都须与重算值一致（R-SALES-1）。"""

    achievement: Number | None = None
    """销售额目标达成率（%）。"""
    growth: Number | None = None
    """销售额增长率（%，可为负）。"""
    cac: Money | None = None
    """客户获取成本（元/个）。"""
    csat: Percent | None = None
    """客户满意度 CSAT（%）。"""
    collection: Percent | None = None
    """回款率（%）。"""
    margin: Number | None = None
    """毛利率（%，可为负）。"""


class SalesAnalysis(Model):
    """销售数据分析（收尾阶段）中不能从其他文档推导的输入。"""

    date: dt.date | None = None
    """分析日期。"""
    period: Text
    """分析期间（如「2026年1月—2026年7月（项目周期）」）。"""
    previous: PreviousSales | None = None
    """上一可比期间的销售额（销售额增长率的分母）。"""
    acquisition: Acquisition | None = None
    """客户获取成本的输入。"""
    reported: ReportedKpis | None = None
    """已填报的指标值（可选，须与重算值一致）。"""
    commentary: list[Text] = []
    """分析结论（每条一段）。"""
    actions: list[Text] = []
    """后续销售行动建议。"""
