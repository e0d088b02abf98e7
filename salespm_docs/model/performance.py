"""Data of the 团队绩效评估 (PERF): the evaluation dimensions with their weights and each team
member's scores.

The scale is 百分制 (0–100, ``figures.performance.SCALE``): the configured grade bands
(``performance.bands``: ≥ 90 优秀, 80–90 良好, 60–80 合格, < 60 待改进) are in points out of
100, so a dimension score, the weighted total and the band all read on one scale, the way
company 绩效考核 forms are written; no conversion factor stands between what an evaluator types
and the grade. The scale, the weights (Σ = 100%) and the totals are R-PERF-1's (a rule finding,
located at the score, not a validation error, so the whole evaluation is checked in one run);
who is evaluated is R-PERF-2's: every member of the team (``team``) is evaluated, or excluded with
a written reason (e.g. the sponsor, or a reviewer with a 2% allocation who cannot be assessed
fairly), and nobody off the team is evaluated.
"""

from __future__ import annotations

import datetime as dt

from pydantic import field_validator

from .types import Model, Number, Percent, Person, Text, unique


class PerfDimension(Model):
    """一个评估维度。"""

    name: Text
    """维度名称，如 任务质量、进度、协作、客户评价。"""
    weight: Percent
    """权重（%），各维度之和为 100%。"""
    criteria: Text | None = None
    """评价要点（打分依据）。"""


class Evaluation(Model):
    """一名项目组成员的评估。"""

    name: Text
    """姓名：项目组名册（team）中的成员。"""
    role: Text | None = None
    """角色：不填时取名册中的角色；填写时须与名册一致。"""
    scores: dict[Text, Number]
    """各维度得分（百分制 0–100），键为维度名称（dimensions.name），每个维度一个得分。"""
    total: Number | None = None
    """加权总分：可不填（文档按权重重算）；填写时须与重算结果一致（保留一位小数）。"""
    grade: Text | None = None
    """等级：可不填（按配置的等级区间 performance.bands 得出）；填写时须与区间一致。"""
    comment: Text
    """评语：主要贡献与改进建议。"""


class Exclusion(Model):
    """不参加本次评估的名册成员及书面理由。"""

    name: Text
    """姓名：项目组名册（team）中的成员。"""
    reason: Text
    """不参加评估的书面理由。"""


class Performance(Model):
    """团队绩效评估（收尾阶段，内部文档）。"""

    date: dt.date
    """评估日期。"""
    period_start: dt.date | None = None
    """评估期间起（不填为项目开始日期）。"""
    period_end: dt.date | None = None
    """评估期间止（不填为项目结束日期）。"""
    evaluators: list[Person]
    """评估人（名册中的人）。"""
    basis: list[Text] = []
    """评估依据（周进度报告、验收结果、客户满意度、复盘会等），逐条列出。"""
    dimensions: list[PerfDimension]
    """评估维度及权重。"""
    evaluations: list[Evaluation]
    """每名项目组成员一条评估。"""
    exclusions: list[Exclusion] = []
    """不参加评估的名册成员（须写明理由）。"""

    @field_validator("dimensions")
    @classmethod
    def _unique_dimensions(cls, value: list[PerfDimension]) -> list[PerfDimension]:
        return unique(value, "name", "评估维度", "每个维度只列一次")

    @field_validator("evaluations")
    @classmethod
    def _unique_people(cls, value: list[Evaluation]) -> list[Evaluation]:
        return unique(value, "name", "被评估人", "每名成员只评估一次")

    @field_validator("exclusions")
    @classmethod
    def _unique_exclusions(cls, value: list[Exclusion]) -> list[Exclusion]:
        return unique(value, "name", "不参加评估的成员", "每名成员只列一次")
