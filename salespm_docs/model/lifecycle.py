"""Data recorded as the project moves on: opportunity assessment, weekly progress, acceptance,
payments, satisfaction surveys and the retrospective."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints, ValidationInfo, field_validator

from .control import DocControl
from .types import Ident, Level, Model, Money, Nps, Number, Percent, Person, Score, Stage, Text


def _iso_week(value: str) -> str:
    """The week must exist: ``2026-W00``, ``2026-W99`` and ``2027-W53`` (2027 has 52 weeks) do not."""
    year, week = int(value[:4]), int(value[6:])
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        if not 1 <= year <= 9999:
            raise ValueError(f"不存在的 ISO 周「{value}」：年份应在 0001–9999 之间") from None
        weeks = dt.date(year, 12, 28).isocalendar().week
        raise ValueError(f"不存在的 ISO 周「{value}」：{year} 年共 {weeks} 周（W01–W{weeks}）") from None
    return value


WeekLabel = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-W[0-9]{2}$"), AfterValidator(_iso_week)]


class DecisionMaker(Model):
    """客户决策链中的一人。"""

    name: Person
    """姓名（须在客户联系人 client.contacts 中，或是我方名册中的人）。"""
    title: Text | None = None
    """职务。"""
    role: Text | None = None
    """在决策中的作用：决策者、影响者、使用者、技术把关。"""
    attitude: Literal["支持", "中立", "反对", "未知"] | None = None
    """态度。"""
    concern: Text | None = None
    """关注点（此人最在意什么）。"""


class Dimension(Model):
    """机会评估的一个维度。"""

    name: Literal["技术匹配度", "资源缺口", "竞争态势", "商务"]
    """维度名称。"""
    weight: Percent
    """权重（%），各维度之和为 100%。"""
    score: Number
    """得分，1–5 的整数。"""
    assessment: Text | None = None
    """书面评估（不能只给分数）。"""
    basis: list[Text] = []
    """评分依据（事实、案例、证据），逐条列出。"""


class OppRisk(Model):
    """机会评估中的关键风险提示。"""

    description: Text
    """风险描述。"""
    level: Level | None = None
    """等级：高 / 中 / 低。"""
    response: Text | None = None
    """应对。"""
    risk_id: Ident | None = None
    """对应风险登记册中的编号（高风险必须登记）。"""
    owner: Person | None = None
    """应对责任人。"""


class ResourceGap(Model):
    """资源缺口。"""

    resource: Text
    """缺口资源。"""
    gap: Text | None = None
    """缺口说明。"""
    plan: Text | None = None
    """补足方案。"""
    accepted: bool = False
    """明确接受该缺口（无补足方案时须为 true）。"""
    owner: Person | None = None
    """补足责任人。"""
    due: dt.date | None = None
    """补足期限。"""


class Competitor(Model):
    """竞争态势中的一个竞争对手。"""

    name: Text
    """竞争对手（名称或类型）。"""
    strengths: Text | None = None
    """对手优势。"""
    weaknesses: Text | None = None
    """对手劣势。"""
    response: Text | None = None
    """我方对策。"""


class Opportunity(Model):
    """项目机会评估。"""

    date: dt.date
    """评估日期。"""
    source: Text | None = None
    """商机来源。"""
    summary: Text | None = None
    """商机概况。"""
    needs: list[Text] = []
    """客户痛点与需求，逐条列出。"""
    client_budget: Text | None = None
    """客户预算范围及落实情况。"""
    expected_amount: Money | None = None
    """预计签约金额（元）。"""
    expected_sign_date: dt.date | None = None
    """预计签约日期。"""
    decision_chain: list[DecisionMaker] = []
    """客户与决策链。"""
    dimensions: list[Dimension] = []
    """各维度得分、权重与书面评估。"""
    competition: Text | None = None
    """竞争态势补充说明（对手、优劣势）。"""
    competitors: list[Competitor] = []
    """主要竞争对手及我方对策。"""
    payment_terms: Text | None = None
    """客户提出或预期的付款条件。"""
    risks: list[OppRisk] = []
    """关键风险提示。"""
    gaps: list[ResourceGap] = []
    """资源缺口及补足方案。"""
    conclusion: Literal["推进", "有条件推进", "放弃"] | None = None
    """结论（须与可行性评分所在区间一致）。"""
    recommendation: Text | None = None
    """建议。"""
    next_steps: list[Text] = []
    """后续行动（推进或有条件推进时的具体动作）。"""
    assessors: list[Person] = []
    """评估小组成员（须在项目名册中）。"""
    approval_opinion: Text | None = None
    """审批意见。"""


class TaskProgress(Model):
    """某周某任务的进展快照（项目进度表的一行）。"""

    task: Ident
    """WBS 编码（叶子任务）。"""
    actual_start: dt.date | None = None
    """实际开始。"""
    actual_end: dt.date | None = None
    """实际结束（完成时填写）。"""
    forecast_end: dt.date | None = None
    """预计结束（未完成时）。"""
    percent: Percent = 0
    """完成百分比。"""
    delay_reason: Text | None = None
    """延期原因（落后于计划时必填）。"""
    corrective_action: Text | None = None
    """纠正措施（落后于计划时必填）。"""


class MilestoneStatus(Model):
    """某周的里程碑状态。"""

    id: Ident
    """里程碑编号。"""
    status: Literal["未开始", "进行中", "已完成", "延期"]
    """状态。"""
    forecast: dt.date | None = None
    """预计（或实际）完成日期。"""
    note: Text | None = None
    """说明。"""


def _no_issues_here(value: list) -> list:
    """Issues are recorded once, in the 问题清单; the report shows those open in its week. An issue
    written in a weekly file would be a second list that can disagree with the register, and an ID
    list would say nothing the dates do not: both are refused, with the way out."""
    if value:
        first = value[0]
        what = first.get("description") if isinstance(first, dict) else first
        shown = f"（如「{str(what)[:30]}」）" if what else ""
        raise ValueError(f"周报不再填写问题{shown}：问题登记在问题清单（issues.yaml 的 issues）中，"
                         "周进度报告自动列出当周开放的问题，请把它们移到 issues.yaml 并删除周报中的 issues")
    return value


class Escalation(Model):
    """一次问题升级：日期、升级到的级别与对象。"""

    date: dt.date
    """升级日期（不得早于问题的提出日期）。"""
    level: Literal["项目经理", "管理层"]
    """升级到的级别：项目经理 或 管理层。"""
    to: Person
    """升级对象（须在名册中），如 项目经理 张伟、发起人 王建国。"""
    note: Text | None = None
    """说明（升级方式、要求的支持）。"""


class Issue(Model):
    """问题清单中的一个问题；周报按编号引用，问题的状态与升级只在这里记录一次。"""

    id: Ident
    """问题编号，如 I01。"""
    description: Text
    """问题描述。"""
    raised: dt.date
    """提出日期。"""
    raised_by: Person | None = None
    """提出人。"""
    impact: Text | None = None
    """影响（对进度、成本、质量或客户的影响）。"""
    owner: Person | None = None
    """责任人。"""
    escalations: list[Escalation] = []
    """升级记录（日期 / 级别 / 对象），按问题升级机制：未解决超过阈值天数须升级。"""
    due: dt.date | None = None
    """计划解决日期。"""
    status: Literal["开放", "处理中", "已解决"] = "开放"
    """状态：开放 / 处理中 / 已解决。"""
    resolved: dt.date | None = None
    """解决日期（已解决时必填）。"""
    resolution: Text | None = None
    """解决方式（已解决时必填）。"""

    @field_validator("resolved")
    @classmethod
    def _resolved_after_raised(cls, resolved: dt.date | None, info: ValidationInfo) -> dt.date | None:
        raised = info.data.get("raised")
        if resolved is not None and raised is not None and resolved < raised:
            raise ValueError(f"解决日期 {resolved} 早于提出日期 {raised}")
        return resolved


class ClientAction(Model):
    """需客户配合的事项。"""

    item: Text
    """事项。"""
    contact: Person | None = None
    """客户方负责人。"""
    due: dt.date | None = None
    """期限。"""


class WeekCost(Model):
    """截至本周的成本执行。"""

    actual_to_date: Money
    """累计实际成本（元）。"""
    planned_to_date: Money | None = None
    """累计计划成本（元，PV）。"""
    forecast_at_completion: Money | None = None
    """完工预测成本（元）。"""
    note: Text | None = None
    """说明。"""


class WeeklyMail(Model):
    """给客户的措辞（项目进展邮件 MAIL 使用）：周报是内部文档，状态原因或完成事项里写了成本、预算等内部内容时，
    在这里写给客户看的版本；未写的沿用周报本身。"""

    status_reason: Text | None = None
    """给客户的状态原因。"""
    done: list[Text] | None = None
    """给客户的本周完成（写了就整体替代周报的 done）。"""
    next: list[Text] | None = None
    """给客户的下周计划（写了就整体替代周报的 next；会议纪要的开放待办照常列出）。"""


class WeeklyReport(Model):
    """一周的进度数据，一周一个文件：weekly/2026-W18.yaml。"""

    week: WeekLabel
    """ISO 周，如 2026-W18。"""
    document: DocControl | None = None
    """本周报告的受控信息；未写的字段沿用 documents.WEEK。"""
    status: Literal["绿", "黄", "红"]
    """总体状态：绿 / 黄 / 红。"""
    status_reason: Text | None = None
    """状态原因。"""
    done: list[Text] = []
    """本周完成。"""
    next: list[Text] = []
    """下周计划。"""
    tasks: list[TaskProgress] = []
    """本周活动任务的进展（计划 vs 实际）。"""
    milestones: list[MilestoneStatus] = []
    """里程碑状态。"""
    cost: WeekCost | None = None
    """成本执行。"""
    risks: list[Ident] = []
    """本周关注的风险编号（来自风险登记册）。"""
    issues: Annotated[list, AfterValidator(_no_issues_here)] = []
    """（不再使用，须为空）问题登记在问题清单 issues.yaml 中，周进度报告自动列出当周开放的问题。"""
    client_actions: list[ClientAction] = []
    """需客户配合事项。"""
    mail: WeeklyMail | None = None
    """给客户的措辞（项目进展邮件）；未写时邮件沿用本周报的状态原因、完成与计划。"""


class AcceptanceResult(Model):
    """一项交付物的验收结果。"""

    deliverable: Ident
    """交付物编号（来自项目章程）。"""
    result: Literal["通过", "有条件通过", "不通过"]
    """验收结果。"""
    completed: dt.date | None = None
    """交付物完成日期。"""
    note: Text | None = None
    """说明。"""


class OpenItem(Model):
    """遗留问题。"""

    description: Text
    """问题描述。"""
    deliverable: Ident | None = None
    """相关交付物编号。"""
    owner: Person | None = None
    """整改责任人。"""
    due: dt.date | None = None
    """整改期限。"""


class PartySign(Model):
    """一方的签字盖章。"""

    organisation: Text | None = None
    """单位名称（盖章）。"""
    representative: Person | None = None
    """代表签字。"""
    date: dt.date | None = None
    """签字日期。"""


class Acceptance(Model):
    """最终验收。"""

    date: dt.date
    """验收日期。"""
    basis: list[Text] = []
    """验收依据（合同、需求说明书、项目章程，含编号与版本）。"""
    method: Text | None = None
    """验收方式。"""
    location: Text | None = None
    """验收地点。"""
    participants: list[Person] = []
    """参加人员。"""
    results: list[AcceptanceResult] = []
    """各交付物验收结果。"""
    open_items: list[OpenItem] = []
    """遗留问题与整改。"""
    conclusion: Text | None = None
    """验收结论。"""
    client: PartySign | None = None
    """甲方签字盖章。"""
    vendor: PartySign | None = None
    """乙方签字盖章。"""


class Installment(Model):
    """回款计划的一期。"""

    no: int
    """期次。"""
    milestone: Text
    """付款节点，如 合同签订、上线、验收。"""
    ratio: Percent
    """比例（%）。"""
    amount: Money
    """计划金额（元）。"""
    due: dt.date | None = None
    """计划日期（尾款由验收日期推算，可不填）。"""
    final: bool = False
    """是否为尾款。"""
    invoice_date: dt.date | None = None
    """开票日期。"""
    invoice_amount: Money | None = None
    """开票金额（元）。"""
    received_date: dt.date | None = None
    """实收日期。"""
    received_amount: Money | None = None
    """实收金额（元）。"""
    owner: Person | None = None
    """跟进人。"""
    next_step: Text | None = None
    """下一步。"""


#: The dimensions of the satisfaction survey (SAT), in the order the questionnaire asks them.
Dimension = Literal["交付质量", "进度", "沟通响应", "团队专业度", "培训/售后"]


class SurveyResponse(Model):
    """一份满意度问卷答卷。"""

    respondent: Text
    """答卷人（客户方）。"""
    scores: dict[Dimension, Score]
    """各维度评分（1–5 的整数）。"""
    nps: Nps | None = None
    """推荐意愿 0–10 的整数。"""
    comment: Text | None = None
    """意见。"""


class FollowUp(Model):
    """低分项的跟进措施。"""

    issue: Text
    """针对的低分项或意见。"""
    dimension: Dimension | None = None
    """针对的评分维度（低分项 ≤ 2 分须有跟进措施写明维度，R-SAT-3）。"""
    respondents: list[Text] = []
    """针对哪些答卷人的低分（姓名即可）；空表示该维度的全部低分。"""
    action: Text
    """改进措施。"""
    owner: Person | None = None
    """责任人。"""
    due: dt.date | None = None
    """完成时间。"""


class SurveyFigures(Model):
    """问卷数据里另行填写的汇总数字（可省略；填写时须与答卷重新计算的结果一致，R-SAT-2）。"""

    csat: Percent | None = None
    """CSAT（%）：4–5 分答案占全部评分答案的比例。"""
    nps: Number | None = None
    """NPS：9–10 分占比 − 0–6 分占比（百分点）。"""


class Survey(Model):
    """一次阶段满意度调研。"""

    stage: Stage
    """调研所在阶段。"""
    date: dt.date
    """调研日期。"""
    responses: list[SurveyResponse] = []
    """答卷。"""
    follow_ups: list[FollowUp] = []
    """跟进措施。"""
    reported: SurveyFigures | None = None
    """另行填写的 CSAT / NPS（可省略，文档只显示重新计算的数字）。"""
    document: DocControl | None = None
    """本次调研结果汇总（SAT）的文档控制信息；未写的项取 documents.SAT。"""


class Cause(Model):
    """未达标目标的原因。"""

    target: Ident
    """目标或成功标准编号（O1、S2…），须为项目章程中未达成的一项。"""
    cause: Text
    """原因（实际值由系统计算并显示，此处不再录入数字）。"""
    category: Literal["客户", "商务", "需求", "技术", "资源", "管理", "外部"] | None = None
    """原因类别。"""


class Improvement(Model):
    """改进措施。"""

    action: Text
    """措施。"""
    owner: Person | None = None
    """责任人。"""
    due: dt.date | None = None
    """完成时间。"""


class Retrospective(Model):
    """项目复盘。实际值不在此录入：目标回顾由项目章程的目标与成功标准及各文档数据计算得出。"""

    date: dt.date
    """复盘会日期。"""
    location: Text | None = None
    """复盘会地点 / 形式。"""
    host: Person | None = None
    """复盘会主持人。"""
    summary: Text | None = None
    """项目总体评价（一段话，不重复录入各项实际值）。"""
    participants: list[Person] = []
    """参会人员（核心团队、管理层、客户接口人）。"""
    results: dict[Literal["范围", "进度", "成本", "质量", "满意度", "回款"], Text] = {}
    """结果评估（范围、进度、成本、质量、满意度、回款各一段）。"""
    causes: list[Cause] = []
    """原因分析：每个未达标目标至少一条。"""
    successes: list[Text] = []
    """成功经验。"""
    improvements: list[Improvement] = []
    """改进措施。"""
    knowledge: list[Text] = []
    """知识沉淀（模板、案例、清单）。"""
