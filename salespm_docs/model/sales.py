"""Data of the 销售数据分析 (SALES) that no other document holds (the previous period's sales for
the growth rate, the cost of acquiring the client …); every other input comes from the contract,
the payments, the surveys and the 立项 application. Filled in by the SALES document's engineer."""

from __future__ import annotations

from .types import Model


class SalesAnalysis(Model):
    """销售数据分析（收尾阶段）中不能从其他文档推导的输入。"""
