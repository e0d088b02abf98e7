"""GNT 项目进度计划 (甘特图): the layout of the Gantt chart and its task table (landscape)."""

from ..layout import Column as C, Heading, If, Layout, Named, Para, Signatures, Table, value_column

FLOAT = "{% if r.leaf %}{{ r.float }}{% else %}—{% endif %}"

LAYOUT = Layout("GNT", (
    Heading("一、编制说明"),
    Para("本进度计划由工作分解结构的 {{ schedule.leaves }} 项叶子任务{% if schedule.milestones %}（含里程碑 {{ schedule.milestones }} 个）{% endif %}"
         "及其 {{ schedule.links }} 个前置关系按关键路径法计算：计划自{{ schedule.start|cn_date }}至"
         "{{ schedule.finish|cn_date }}，共 {{ schedule.days }} 个工作日；关键路径上有 {{ schedule.critical_count }} 项任务。"),
    Para("工期与浮动时间均按中国法定节假日与调休安排计算工作日。前置关系：FS 完成—开始、SS 开始—开始、FF 完成—完成、"
         "SF 开始—完成，其后的数字为延隔（工作日）。总浮动时间为零的任务在关键路径上，以红色显示；"
         "虚线为状态日期（{{ schedule.status_date|cn_date }}）{% if schedule.baseline_count %}，"
         "计划条下方的灰色细条为基线（{{ schedule.baseline_count }} 项任务的计划已变更）{% endif %}。"),

    Heading("二、甘特图"),
    Named("gantt"),

    Heading("三、任务表"),
    Table((C("WBS编码", "{{ r.code }}", .075), C("任务名称", "{{ r.indent }}{{ r.name }}"),
           C("责任人", "{{ r.owner|dash }}", .075),
           C("工期\n（工作日）", "{% if r.leaf %}{{ r.duration }}{% else %}—{% endif %}", .09, "right"),
           value_column("开始", "r.start", "date", .095), value_column("完成", "r.finish", "date", .095),
           C("前置任务", "{{ r.predecessors|dash }}", .13),
           C("总浮动\n（工作日）", FLOAT, .09, "right"),
           C("关键", "{% if r.critical %}是{% else %}—{% endif %}", .05, "center")),
          loop="r in tasks", small=True),

    Heading("四、关键路径"),
    If("critical", (
        Para("关键路径（按开始日期）：", label=True),
        Table((C("WBS编码", "{{ c.code }}", .10), C("任务名称", "{{ c.name }}"), C("责任人", "{{ c.owner|dash }}", .12),
               value_column("开始", "c.start", "date", .14), value_column("完成", "c.finish", "date", .14),
               C("工期（工作日）", "{{ c.duration }}", .14, "right")), loop="c in critical"),
        Para("关键路径上任何任务延误都会推迟项目完工（{{ schedule.finish|cn_date }}）。")),
       (Para("尚无关键路径：工作分解结构中没有带计划日期的叶子任务。"),)),

    Signatures("五、审批签字"),
), landscape=True)
