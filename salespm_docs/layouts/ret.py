"""RET 项目复盘报告: the layout of the retrospective."""

from ..layout import Bullets, Column as C, Heading, If, KeyValue, Layout, Para, Signatures, Table

LAYOUT = Layout("RET", (
    Heading("一、项目概况"),
    KeyValue((("客户名称", "{{ client.name }}"), ("项目编号", "{{ project.code }}"),
              ("项目周期", "{{ project.start|cn_date }} 至 {{ project.end|cn_date }}（计划）"),
              ("验收日期", "{{ overview.acceptance_date|cn_date }}"),
              ("合同金额", "{{ overview.contract_amount|yuan }}"), ("成本预算", "{{ overview.budget|yuan }}"),
              ("项目发起人", "{{ overview.sponsor }}"), ("项目经理", "{{ overview.manager }}"),
              ("销售负责人", "{{ overview.sales_owner }}"),
              ("复盘会", "{{ meeting.date|cn_date }}，{{ meeting.location }}，主持人：{{ meeting.host }}"))),
    Para("总体评价：{{ overview.summary }}"),

    Heading("二、目标回顾"),
    Para("对照项目章程的 {{ tally.total }} 项目标与成功标准：达成 {{ tally.achieved }} 项，"
         "未达成 {{ tally.missed }} 项，不适用 {{ tally.unknown }} 项。实际值均由验收、回款、满意度、"
         "周进度成本与合同数据计算得出。"),
    Table((C("编号", "{{ g.id }}", .08), C("目标", "{{ g.description }}"), C("指标", "{{ g.metric }}", .19),
           C("目标值", "{{ g.target_text }}", .14), C("实际值", "{{ g.actual_text }}", .14),
           C("达成", "{{ g.verdict }}", .10, status="'绿' if g.verdict == '达成' else '红' if g.verdict == '未达成' else ''")), loop="g in goals"),
    Para("实际值计算依据", bold=True, label=True),
    Table((C("编号", "{{ g.id }}", .08), C("指标", "{{ g.metric }}", .19), C("数据来源", "{{ g.source }}", .22),
           C("计算依据", "{{ g.basis }}")), loop="g in goals"),

    Heading("三、结果评估"),
    Table((C("维度", "{{ r.dimension }}", .11), C("数据", "{{ r.evidence }}", .40), C("评估", "{{ r.assessment }}")),
          loop="r in results"),

    Heading("四、原因分析"),
    If("missed", (
        Para("未达成的目标：", bold=True, label=True),
        Bullets("g in missed", "{{ g.id }} {{ g.metric }}：实际 {{ g.actual_text }}，目标 {{ g.target_text }}，未达成")),
       (Para("项目章程的各项目标与成功标准均已达成或尚不适用，无未达成项。"),)),
    If("causes", (
        Table((C("编号", "{{ c.target }}", .08), C("指标", "{{ c.metric }}", .17), C("实际值", "{{ c.actual_text }}", .13),
               C("类别", "{{ c.category }}", .09), C("原因", "{{ c.cause }}")), loop="c in causes"),)),

    Heading("五、成功经验"),
    Bullets("x in successes"),

    Heading("六、改进措施"),
    Table((C("序号", "{{ loop.index }}", .075, "center"), C("措施", "{{ i.action }}"), C("责任人", "{{ i.owner }}", .12),
           C("完成时间", "{{ i.due|iso }}", .15)), loop="i in improvements"),

    Heading("七、知识沉淀"),
    Bullets("x in knowledge"),

    Heading("八、参会人员"),
    Table((C("姓名", "{{ p.name }}", .15), C("单位", "{{ p.side }}"), C("角色", "{{ p.role }}", .26),
           C("类别", "{{ p.group }}", .17)), loop="p in participants"),

    Signatures("九、审批签字"),
))
