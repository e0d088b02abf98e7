"""WBS 工作分解结构: the layout of the task list (landscape), also the XLSX register.

The register keeps 工期 live: ``WORKDAYS`` over the 节假日 sheet (the project calendar's holidays
and 调休 make-up days); the 合计 row sums the leaves' effort."""

from ..layout import Column as C, Heading, KeyValue, Layout, Para, Signatures, Table, decimal, percent, value_column

KIND = "{% if r.milestone %}里程碑{% elif r.leaf %}任务{% else %}汇总{% endif %}"

LAYOUT = Layout("WBS", (
    Heading("一、编制说明"),
    Para("本工作分解结构共 {{ wbs_summary.elements }} 个要素、{{ wbs_summary.levels }} 级，其中叶子任务 "
         "{{ wbs_summary.leaves }} 项{% if wbs_summary.milestones %}（含里程碑 {{ wbs_summary.milestones }} 个）{% endif %}，合计工作量 "
         "{{ wbs_summary.effort|num }} 人天；计划自{{ wbs_summary.start|cn_date }}至{{ wbs_summary.finish|cn_date }}，"
         "共 {{ wbs_summary.days }} 个工作日。"),
    Para("叶子任务即项目进度表的行，每项都落实到责任人与岗位（任务到人、责任到岗）。工期按中国法定节假日与调休安排计算工作日；"
         "上级要素的工作量与起止日期由其下级汇总。前置任务注明关系类型与延隔（工作日），未注明者为完成—开始（FS）。"),
    KeyValue((("项目名称", "{{ project.name }}"), ("项目周期", "{{ project.start|cn_date }} 至 {{ project.end|cn_date }}"))),

    Heading("二、工作分解结构"),
    Table((C("WBS编码", "{{ r.code }}", .075, value="r.code"),
           C("名称", "{{ r.indent }}{{ r.name }}", value="r.name"),
           C("类型", KIND, .06, value="'里程碑' if r.milestone else ('任务' if r.leaf else '汇总')", choices="lists.kinds"),
           C("交付物", "{{ r.deliverable|dash }}", .065, value="r.deliverable"),
           C("责任人", "{{ r.owner|dash }}", .07, value="r.owner", choices="lists.owners"),
           C("岗位", "{{ r.post|dash }}", .09, value="r.post", choices="lists.posts"),
           C("工作量\n（人天）", "{{ r.effort|num(1) }}", .075, "right", value="r.effort", fmt="num", places=1,
             sheet_total='SUMIFS({工作量（人天）},{类型},"<>汇总")'),
           value_column("计划开始", "r.start", "date", .09),
           value_column("计划结束", "r.end", "date", .09),
           C("工期\n（工作日）", "{{ r.days|dash }}", .09, "right", value="r.days", fmt="int",
             formula='IF({类型}="里程碑",0,WORKDAYS({计划开始},{计划结束}))'),
           C("前置任务", "{{ r.predecessors|dash }}", .09, value="r.predecessors")),
          loop="r in wbs", small=True, sheet="WBS"),

    Heading("三、工作量汇总"),
    Para("按一级要素汇总：", label=True),
    Table((C("WBS编码", "{{ r.code }}", .10), C("名称", "{{ r.name }}"), C("责任人", "{{ r.owner|dash }}", .14),
           decimal("工作量（人天）", "r.effort", .16, places=1),
           value_column("计划开始", "r.start", "date", .14), value_column("计划结束", "r.end", "date", .14)),
          loop="r in wbs_tops", total=("合计", "", "", "{{ wbs_summary.effort|num(1) }}", "", "")),
    Para("按责任人汇总：", label=True),
    Table((C("责任人", "{{ o.name }}", .16), C("职务", "{{ o.role|dash }}"),
           decimal("工作量（人天）", "o.effort", .20, places=1), percent("占比", "o.share", .16)),
          loop="o in owners"),

    Signatures("四、审批签字"),
), landscape=True)
