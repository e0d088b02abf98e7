"""templates/docx/WEEK.docx: 周进度报告 (one per ISO week)."""

from docx.shared import Pt


def _small(t, size: float = 9) -> None:
    """Set the last table in a smaller size: the 进度偏差 tables have many narrow columns."""
    for row in t.doc.tables[-1].rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(size)


def _progress_table(t) -> None:
    """计划 vs 实际 per active task; start and end dates stacked in one cell to fit A4 portrait."""
    t.table(["编码", "任务", "责任人", "计划开始/结束", "计划工期", "实际开始/结束", "实际工期", "完成%", "偏差天数", "状态"],
            ["{{ r.code }}", "{{ r.name }}", "{{ r.owner }}", "{{ r.planned_start|iso }}", "{{ r.planned_days|dash }}",
             "{{ r.actual_start|iso }}",
             "{% if r.actual_days is none %}—{% else %}{{ r.actual_days }}{{ '' if r.finished else '（预计）' }}{% endif %}",
             "{{ r.percent|pct }}", "{{ r.deviation }}", "{{ r.status }}"],
            loop="r in tasks", widths=[1.3, 2.5, 1.3, 2.3, 1.2, 2.3, 1.5, 1.3, 1.2, 1.3])
    row = t.doc.tables[-1].rows[2]
    for column, text in ((3, "{{ r.planned_end|iso }}"), (5, "{{ (r.actual_end or r.forecast_end)|iso }}")):
        t._run(row.cells[column].add_paragraph(), text, size=10.5)
    _small(t)


def _reasons_table(t) -> None:
    """延期原因与纠正措施 of every task behind plan."""
    t.table(["编码", "任务", "计划工期", "实际工期", "偏差天数", "延期原因", "纠正措施"],
            ["{{ r.code }}", "{{ r.name }}", "{{ r.planned_days }}",
             "{{ r.actual_days }}{{ '' if r.finished else '（预计）' }}", "{{ r.deviation }}",
             "{{ r.delay_reason|dash }}", "{{ r.corrective_action|dash }}"],
            loop="r in behind", widths=[1.3, 2.4, 1.2, 1.5, 1.2, 4.1, 4.5])
    _small(t)


def build(t) -> None:
    t.control_block()

    t.heading("一、报告期")
    t.kv_table([("报告周次", "{{ week.label }}（第 {{ week.number }} 周）"),
                ("报告期", "{{ week.start|cn_date }} 至 {{ week.end|cn_date }}（本周工作日 {{ week.workdays }} 天）"),
                ("报告频率", "{{ week.frequency }}"),
                ("项目周期", "{{ project.start|cn_date }} 至 {{ project.end|cn_date }}")])

    t.heading("二、总体状态")
    t.para("总体状态：{{ status.value }}", bold=True)
    t.para("状态说明：{{ status.reason }}")
    t.para("项目总体完成 {{ cost.earned_percent|pct }}，按计划应完成 {{ cost.planned_percent|pct }}"
           "（进度绩效指数 SPI {{ cost.spi }}）；本周落后于计划的任务 {{ behind|length }} 项。")

    t.heading("三、本周完成")
    t.either("done", lambda: t.bullets("x in done", "{{ x }}"), "本周无完成事项。")

    t.heading("四、下周计划")
    t.either("next", lambda: t.bullets("x in next", "{{ x }}"), "下周无新增计划事项。")

    t.heading("五、里程碑状态")
    t.table(["编号", "里程碑", "计划日期", "状态", "预计/实际日期", "偏差天数", "说明"],
            ["{{ m.id }}", "{{ m.name }}", "{{ m.planned|iso }}", "{{ m.status }}", "{{ m.forecast|iso }}",
             "{{ m.deviation|dash }}", "{{ m.note|dash }}"],
            loop="m in milestones", widths=[1.1, 2.4, 2.5, 1.5, 2.5, 1.3, 4.9])

    t.heading("六、进度偏差")
    t.para("下表列出本周处于计划期内、正在进行或逾期未完成的 WBS 任务。工期按中国法定节假日与调休安排计算工作日；"
           "偏差天数为实际（或预计）结束日期相对计划结束日期的工作日数，正数为延期。")
    t.either("tasks", lambda: _progress_table(t), "本周没有处于计划期内或正在进行的任务。")
    t.heading("延期原因与纠正措施", 2)
    t.either("behind", lambda: _reasons_table(t), "本周没有落后于计划的任务。")

    t.heading("七、成本执行")
    t.para("项目预算总额{{ cost.budget|upper_cny }}（{{ cost.budget|yuan }}）。"
           "{% if cost.actual_cost is not none %}截至本周累计实际成本{{ cost.actual_cost|upper_cny }}"
           "（{{ cost.actual_cost|yuan }}），预算执行率 {{ cost.spent_percent|pct }}。{% endif %}"
           "{% if cost.forecast_at_completion is not none %}完工预测成本 {{ cost.forecast_at_completion|yuan }}，"
           "{% if cost.direction == '持平' %}与预算持平{% else %}较预算{{ cost.direction }} {{ cost.variance_share|pct }}{% endif %}。{% endif %}")
    t.table(["指标", "金额 / 数值", "说明"],
            ["{{ c.label }}", "{% if c.kind == 'yuan' %}{{ c.value|yuan }}{% elif c.kind == 'pct' %}{{ c.value|pct }}"
             "{% else %}{{ c.value }}{% endif %}", "{{ c.note }}"],
            loop="c in cost_lines", widths=[4.2, 4.0, 8.0])
    t.tag("{%p if cost.note %}")
    t.para("说明：{{ cost.note }}")
    t.tag("{%p endif %}")
    t.tag("{%p if cost.carried %}")
    t.para("本周未报告成本数据，上表沿用 {{ cost.reported_week }} 的数据。")
    t.tag("{%p endif %}")

    t.heading("八、风险与问题")
    t.heading("风险", 2)
    t.either("risks", lambda: t.table(
        ["编号", "风险描述", "等级", "责任人", "应对措施"],
        ["{{ r.id }}", "{{ r.description }}", "{{ r.level }}", "{{ r.owner }}", "{{ r.actions }}"],
        loop="r in risks", widths=[1.3, 5.0, 1.2, 1.6, 7.1]),
        "本周无需重点关注的风险。")
    t.heading("问题", 2)
    t.either("issues", lambda: t.table(
        ["问题", "责任人", "计划解决日期", "状态"],
        ["{{ x.description }}", "{{ x.owner }}", "{{ x.due|iso }}", "{{ x.status }}"],
        loop="x in issues", widths=[9.4, 2.0, 2.8, 2.0]),
        "本周无需报告的问题。")

    t.heading("九、需客户配合事项")
    t.either("client_actions", lambda: t.table(
        ["事项", "客户方负责人", "职务", "期限"],
        ["{{ a.item }}", "{{ a.contact }}", "{{ a.title }}", "{{ a.due|iso }}"],
        loop="a in client_actions", widths=[8.6, 2.4, 3.0, 2.2]),
        "本周无需客户配合的事项。")

    t.internal_signatures("十、审批签字")
