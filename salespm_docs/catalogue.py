"""Catalogue: a document code → its title, stage and what it is one per (ARTIFACTS.md §3).

Plain data, below everything else: the model checks ``documents:`` keys against it, the registry
accepts only its codes, and incremental builds tell a document's own template from shared ones.
"""

from __future__ import annotations

#: Every document of ARTIFACTS.md §3: code → (title, stage, one per …).
CATALOGUE: dict[str, tuple[str, str, str]] = {
    "INIT": ("项目立项申请", "启动", "project"),
    "OPP": ("项目机会评估报告", "启动", "project"),
    "CHT": ("项目章程", "启动", "project"),
    "PLAN": ("项目管理方案", "规划", "project"),
    "WBS": ("工作分解结构", "规划", "project"),
    "GNT": ("项目进度计划", "规划", "project"),
    "RES": ("资源分配表", "规划", "project"),
    "RISK": ("风险登记册", "规划", "project"),
    "COM": ("沟通计划", "规划", "project"),
    "STRAT": ("销售策略", "规划", "project"),
    "REQ": ("需求说明书", "执行", "project"),
    "SOL": ("解决方案", "执行", "project"),
    "CTR": ("合同评审表", "执行", "contract"),
    "MAIL": ("项目进展邮件", "执行", "week"),
    "PACC": ("阶段性验收报告", "执行", "phase"),
    "MIN": ("会议纪要", "执行", "meeting"),
    "WEEK": ("周进度报告", "监控", "week"),
    "PRG": ("项目进度表", "监控", "project"),
    "CHG": ("变更申请", "监控", "change"),
    "ISS": ("问题清单", "监控", "project"),
    "SAT": ("满意度问卷", "监控", "stage survey"),
    "ACC": ("项目验收报告", "收尾", "project"),
    "PAY": ("回款跟踪表", "收尾", "project"),
    "RET": ("项目复盘报告", "收尾", "project"),
    "PERF": ("团队绩效评估", "收尾", "project"),
    "SALES": ("销售数据分析", "收尾", "project"),
    "ARC": ("归档清单", "收尾", "project"),
}


#: Per-item documents: code → (top-level list, key field), e.g. ``WEEK`` → ``("weekly", "week")``.
#: Filled by ``artifacts.registry.register`` from ``Artifact.instance_of``; read by
#: ``Facts.own_item`` (which must not import the registry: the registry's types name ``Facts``).
INSTANCE_OF: dict[str, tuple[str, str]] = {}
