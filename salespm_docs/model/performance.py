"""Data of the 团队绩效评估 (PERF): the evaluation dimensions with their weights and each team
member's scores. Filled in by the PERF document's engineer."""

from __future__ import annotations

from .types import Model


class Performance(Model):
    """团队绩效评估（收尾阶段，内部文档）。"""
