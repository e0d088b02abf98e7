"""Stages: a document's stage + the project's stage → whether that stage has been reached (ARTIFACTS.md §3).

The one rule for "is this stage reached", shared by everything that compares stages (``status``
today). Stages follow each other 启动 → 规划 → 执行 → 监控 → 收尾, except that 执行 and 监控 run
together: monitoring starts when execution starts. So a project in 执行 is due its 监控 documents
(周进度报告 from the first week of execution), and a project recorded as in 监控 is still executing
and is due its 执行 documents.
"""

from __future__ import annotations

from .model.types import STAGES

#: Stages that start together with an earlier one: 监控 starts when 执行 starts.
RUNS_WITH: dict[str, str] = {"监控": "执行"}


def _rank(stage: str) -> int:
    return STAGES.index(RUNS_WITH.get(stage, stage))


def reached(stage: str, project_stage: str) -> bool:
    """Whether a project at ``project_stage`` has reached ``stage`` (so that its documents are due).

    ``reached("监控", "执行")`` and ``reached("执行", "监控")`` are both true; ``reached("收尾", "执行")``
    is false.
    """
    return _rank(stage) <= _rank(project_stage)
