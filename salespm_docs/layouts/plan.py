"""PLAN 项目管理方案: the summary of the charter, WBS, 资源分配表, 沟通计划 and 风险登记册 (portrait).

Every figure is derived (see ``artifacts/plan.py``); the typed parts are the KPIs, budget-control
measures, feedback channels and improvement loop of ``plan.yaml``."""

from ..layout import Bullets, Column as C, Heading, If, KeyValue, Layout, Para, Signatures, Table, money, percent

LAYOUT = Layout("PLAN", (
    Para("本方案汇总项目章程、工作分解结构、资源分配表、沟通计划与风险登记册，说明项目如何实施、监控与改进；"
         "方案中的目标、里程碑、工作量、人员、预算与风险均取自上述文件，以上述文件为准。"),
    KeyValue((("项目名称", "{{ project.name }}"), ("客户名称", "{{ client.name }}"),
              ("项目周期", "{{ period.start|cn_date }} 至 {{ period.end|cn_date }}"),
              ("预算总额", "{{ budget.total|yuan }}"))),

    Heading("一、目标（SMART）"),
    Para("项目目标取自项目章程，每项目标均有可度量的指标与完成期限：", label=True),
    Table((C("编号", "{{ g.id }}", .08), C("目标", "{{ g.description|dash }}"),
           C("衡量指标与目标值", "{{ g.target|dash }}", .30), C("完成期限", "{{ g.deadline|iso|dash }}", .14)),
          loop="g in goals"),

    Heading("二、范围（包含 / 不包含）"),
    Heading("包含", 2),
    Bullets("x in scope.included"),
    Heading("不包含", 2),
    Bullets("x in scope.excluded"),
    Para("范围以外的需求按变更流程处理（变更申请经评审批准后方可实施）。"),

    Heading("三、时间表与里程碑"),
    Para("项目周期为{{ period.start|cn_date }}至{{ period.end|cn_date }}"
         "{% if period.finish %}，按工作分解结构的任务与依赖关系排定的计划完工日期为{{ period.finish|cn_date }}{% endif %}。"
         "关键里程碑如下（详见项目进度计划）："),
    Table((C("编号", "{{ m.id }}", .08), C("里程碑", "{{ m.name }}", .20), C("计划日期", "{{ m.date|iso }}", .14),
           C("完成交付物", "{{ m.deliverables|dash }}"), C("责任人", "{{ m.owner|dash }}", .10)),
          loop="m in milestones"),

    Heading("四、任务分解"),
    Para("工作分解结构共 {{ wbs.leaves }} 项工作包，总工作量 {{ wbs.total|num }} 人天，按一级分支汇总如下"
         "（详见工作分解结构，关键路径见项目进度计划）。"),
    Table((C("编码", "{{ b.code }}", .08), C("分支", "{{ b.name }}"), C("负责人", "{{ b.owner|dash }}", .10),
           C("计划开始", "{{ b.start|iso|dash }}", .15), C("计划结束", "{{ b.end|iso|dash }}", .15),
           C("工作量\n（人天）", "{{ b.effort|num }}", .13, "right"), percent("占比", "b.share", .11)),
          loop="b in wbs.branches", total=("合计", "", "", "", "", "{{ wbs.total|num }}", "100.0%")),

    Heading("五、人力资源分配"),
    Para("项目投入 {{ headcount }} 人，人力成本合计 {{ people_total|yuan }}；投入比例取自项目名册，"
         "逐周负荷见资源分配表。"),
    Table((C("姓名", "{{ r.name }}", .12), C("角色", "{{ r.role|dash }}"),
           C("投入比例", "{{ r.allocation|pct(0) if r.allocation is not none else '—' }}", .14, "right"),
           money("人力成本", "r.cost", .20)),
          loop="r in staff", total=("合计", "", "", "{{ people_total|yuan }}")),

    Heading("六、财务资源与预算控制"),
    Para("项目预算总额{{ budget.total|upper_cny }}（{{ budget.total|yuan }}），与资源分配表合计"
         "{{ budget.resources_total|yuan }}一致。各科目如下："),
    Table((C("科目", "{{ b.category }}", .14), money("金额", "b.amount", .20), percent("占比", "b.share", .10),
           C("说明", "{{ b.note|dash }}")),
          loop="b in budget.lines", total=("合计", "{{ budget.total|yuan }}", "100.0%", "")),
    Heading("预算控制措施", 2),
    Bullets("x in budget_control"),
    Para("实际成本或完工预测超出预算 {{ overrun|num }}% 以上的，须提交变更申请并经批准后方可继续支出；"
         "成本执行情况（计划值、挣值、实际成本）每周在周进度报告中报告。"),

    Heading("七、沟通与反馈机制"),
    Para("定期会议与报告按沟通计划执行：", label=True),
    Table((C("名称", "{{ c.name }}", .15), C("目的", "{{ c.purpose|dash }}"), C("频率", "{{ c.frequency|dash }}", .08),
           C("负责人", "{{ c.owner|dash }}", .10), C("形式 / 渠道", "{{ c.channel|dash }}", .21),
           C("输出物", "{{ c.output|dash }}", .14)),
          loop="c in communication"),
    Heading("反馈渠道", 2),
    If("feedback", (Bullets("x in feedback"),), (Para("反馈经周例会与周进度报告收集。"),)),

    Heading("八、监控与绩效评估（KPI）"),
    Para("下列 KPI 按所列频率统计；与项目章程的目标或成功标准衡量同一指标的，目标取自项目章程。"
         "当前值由系统根据回款记录、最近一期周进度报告、验收结果与满意度调查计算，截至{{ report_date|cn_date }}；"
         "按项目结束时统计的指标在项目结束前列示当前值，评估为「未到评估期」。"),
    Table((C("指标", "{{ k.name }}", .15), C("计算公式", "{{ k.formula|dash }}"), C("目标", "{{ k.target|dash }}", .11),
           C("频率", "{{ k.frequency|dash }}", .14), C("负责人", "{{ k.owner|dash }}", .10),
           C("当前值", "{{ k.current|dash }}", .10, "right"), C("评估", "{{ k.verdict }}", .13)),
          loop="k in kpis"),

    Heading("九、风险管理与应急预案"),
    Para("风险登记册共识别风险 {{ risk_count.total }} 项，其中高风险 {{ risk_count.high }} 项"
         "{% if risk_count.high_ids %}（{{ risk_count.high_ids }}）{% endif %}，未关闭 {{ risk_count.open }} 项。"
         "{% if risk_count.missing %}缺少应急计划的风险：{{ risk_count.missing }}。"
         "{% else %}每项风险均有应对措施与应急计划。{% endif %}风险在周例会上复核，登记册每周更新："),
    Table((C("编号", "{{ r.id }}", .07), C("风险", "{{ r.description }}", .19), C("等级", "{{ r.level|dash }}", .07),
           C("状态", "{{ r.status }}", .09), C("应对措施", "{{ r.actions|dash }}"),
           C("应急计划", "{{ r.contingency|dash }}"), C("责任人", "{{ r.owner|dash }}", .09)),
          loop="r in risks", small=True),

    Heading("十、总结与持续改进"),
    If("improvement", (Bullets("x in improvement"),), (Para("项目结束后编写项目复盘报告。"),)),

    Signatures("十一、审批签字"),
))
