"""WEEK 周进度报告: the layout of one weekly progress report."""

from ..layout import Bullets, Column as C, Heading, If, KeyValue, Layout, Para, Signatures, Table

FINISHED_DAYS = "{% if r.actual_days is none %}—{% else %}{{ r.actual_days }}{{ '' if r.finished else '（预计）' }}{% endif %}"

LAYOUT = Layout("WEEK", (
    Heading("一、报告期"),
    KeyValue((("报告周次", "{{ week.label }}（第 {{ week.number }} 周）"),
              ("报告期", "{{ week.start|cn_date }} 至 {{ week.end|cn_date }}（本周工作日 {{ week.workdays }} 天）"),
              ("报告频率", "{{ week.frequency }}"),
              ("项目周期", "{{ project.start|cn_date }} 至 {{ project.end|cn_date }}"))),

    Heading("二、总体状态"),
    Para("总体状态：{{ status.value }}", bold=True, status="status.value"),
    Para("状态说明：{{ status.reason }}"),
    Para("项目总体完成 {{ cost.earned_percent|pct }}，按计划应完成 {{ cost.planned_percent|pct }}"
         "（进度绩效指数 SPI {{ cost.spi }}）；本周落后于计划的任务 {{ behind|length }} 项。"),

    Heading("三、本周完成"),
    If("done", (Bullets("x in done"),),
       (If("finished", (Para("本周完成的 WBS 任务：{{ finished|join_cn }}。"),), (Para("本周无完成事项。"),)),)),

    Heading("四、下周计划"),
    If("next", (Bullets("x in next"),), (Para("下周无新增计划事项。"),)),

    Heading("五、里程碑状态"),
    Table((C("编号", "{{ m.id }}", .075), C("里程碑", "{{ m.name }}", .155), C("计划日期", "{{ m.planned|iso }}", .14),
           C("状态", "{{ m.status }}", .10), C("预计/实际\n日期", "{{ m.forecast|iso }}", .14),
           C("偏差\n工作日", "{{ m.deviation|signed }}", .10, "right"), C("说明", "{{ m.note|dash }}")),
          loop="m in milestones"),

    Heading("六、进度偏差"),
    Para("下表列出本周处于计划期内、正在进行或逾期未完成的 WBS 任务。工期按中国法定节假日与调休安排计算工作日；"
         "偏差为实际（或预计）结束日期相对计划结束日期的工作日数，正数为延期。"),
    If("tasks", (
        Table((C("编码", "{{ r.code }}", .07), C("任务", "{{ r.name }}"), C("责任人", "{{ r.owner }}", .09),
               C("计划起止", "{{ r.planned_start|iso }}", .115, lines=("{{ r.planned_end|iso }}",)),
               C("计划\n工期", "{{ r.planned_days|dash }}", .07, "right"),
               C("实际起止", "{{ r.actual_start|iso }}", .115, lines=("{{ (r.actual_end or r.forecast_end)|iso }}",)),
               C("实际\n工期", FINISHED_DAYS, .11, "right"),
               C("完成%", "{{ r.percent|pct }}", .08, "right"),
               C("偏差\n工作日", "{{ r.deviation|signed }}", .09, "right"),
               C("状态", "{{ r.status }}", .09)),
              loop="r in tasks", small=True),),
       (Para("本周没有处于计划期内或正在进行的任务。"),)),
    Heading("延期原因与纠正措施", 2),
    If("behind", (
        Table((C("编码", "{{ r.code }}", .07), C("任务", "{{ r.name }}", .13),
               C("计划\n工期", "{{ r.planned_days }}", .07, "right"),
               C("实际\n工期", "{{ r.actual_days }}{{ '' if r.finished else '（预计）' }}", .11, "right"),
               C("偏差\n工作日", "{{ r.deviation|signed }}", .09, "right"),
               C("延期原因", "{{ r.delay_reason|dash }}", .26), C("纠正措施", "{{ r.corrective_action|dash }}")),
              loop="r in behind", small=True),),
       (Para("本周没有落后于计划的任务。"),)),

    Heading("七、成本执行"),
    Para("{% if baseline.changed %}项目成本预算基线为{{ cost.budget|upper_cny }}（{{ cost.budget|yuan }}），为项目章程预算"
         " {{ baseline.original|yuan }} 加截至本周报告日（{{ baseline.date|cn_date }}）已批准变更的预算调整"
         " {{ baseline.moved_text }}。{% else %}项目预算总额{{ cost.budget|upper_cny }}（{{ cost.budget|yuan }}）。{% endif %}"
         "{% if cost.actual_cost is not none %}截至本周累计实际成本{{ cost.actual_cost|upper_cny }}"
         "（{{ cost.actual_cost|yuan }}），预算执行率 {{ cost.spent_percent|pct }}。{% endif %}"
         "{% if cost.forecast_at_completion is not none %}完工预测成本 {{ cost.forecast_at_completion|yuan }}，"
         "{% if cost.direction == '持平' %}与预算持平{% else %}较预算{{ cost.direction }} {{ cost.variance_share|pct }}"
         "{% endif %}。{% endif %}"),
    Table((C("指标", "{{ c.label }}", .30),
           C("金额 / 数值", "{% if c.kind == 'yuan' %}{{ c.value|yuan }}{% elif c.kind == 'pct' %}{{ c.value|pct }}"
                        "{% else %}{{ c.value }}{% endif %}", .24, "right"),
           C("说明", "{{ c.note }}")), loop="c in cost_lines"),
    If("cost.note", (Para("说明：{{ cost.note }}"),)),
    If("cost.carried", (Para("本周未报告成本数据，上表沿用 {{ cost.reported_week }} 的数据。"),)),
    Heading("变更记录", 2),
    If("baseline.log", (
        Table((C("编号", "{{ e.id }}", .1), C("变更名称", "{{ e.title }}"), C("批准日期", "{{ e.approved|iso }}", .15),
               C("预算调整", "{% if e.budget_change %}{{ e.budget_change|yuan }}{% else %}不调整{% endif %}", .16, "right"),
               C("调整后预算", "{{ e.after|yuan }}", .18, "right")), loop="e in baseline.log"),
        Para("预算基线 = 项目章程预算 {{ baseline.original|yuan }} + 截至本周报告日（{{ baseline.date|cn_date }}）"
             "已批准变更的预算调整；批准日期晚于报告日的变更自下一份周报起计入。"),),
       (Para("截至本周报告日（{{ baseline.date|cn_date }}）没有已批准的变更申请，预算即项目章程批准的成本预算。"),)),

    Heading("八、风险与问题"),
    Heading("风险", 2),
    If("risks", (
        Table((C("编号", "{{ r.id }}", .08), C("风险描述", "{{ r.description }}", .31),
               C("等级", "{{ r.level }}", .075, "center"), C("责任人", "{{ r.owner }}", .10),
               C("应对措施", "{{ r.actions }}")), loop="r in risks"),),
       (If("open_high", (Para("本周未单独报告风险；风险登记册中尚未关闭的高等级风险：{{ open_high|join_cn }}。"),),
           (Para("本周无需重点关注的风险。"),)),)),
    Heading("问题", 2),
    If("issues", (
        Table((C("编号", "{{ x.id }}", .08), C("问题", "{{ x.description }}"), C("责任人", "{{ x.owner|dash }}", .10),
               C("计划解决\n日期", "{{ x.due|iso }}", .13), C("当前\n级别", "{{ x.level }}", .10),
               C("状态", "{{ x.status }}", .09)), loop="x in issues"),
        Para("问题登记在问题清单中，此处为本周开放的问题在周末的状态；未解决超过 {{ escalation.manager }} 天上报项目经理，"
             "超过 {{ escalation.management }} 天提交管理层。"),),
       (Para("本周没有开放的问题。"),)),

    Heading("九、需客户配合事项"),
    If("client_actions", (
        Table((C("事项", "{{ a.item }}{% if a.source %}（{{ a.source }}）{% endif %}"),
               C("客户方负责人", "{{ a.contact }}", .18), C("职务", "{{ a.title|dash }}", .17),
               C("期限", "{{ a.due|iso }}", .15)), loop="a in client_actions"),),
       (Para("本周无需客户配合的事项。"),)),

    Signatures("十、审批签字"),
))
