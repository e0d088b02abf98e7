"""templates/docx/RET.docx: 项目复盘报告."""


def build(t) -> None:
    t.control_block()
    t.heading("一、项目概况")
    t.kv_table([("客户名称", "{{ client.name }}"), ("项目编号", "{{ project.code }}"),
                ("项目周期", "{{ project.start|cn_date }} 至 {{ project.end|cn_date }}（计划）"),
                ("验收日期", "{{ overview.acceptance_date|cn_date }}"),
                ("合同金额", "{{ overview.contract_amount|yuan }}"),
                ("成本预算", "{{ overview.budget|yuan }}"),
                ("项目发起人", "{{ overview.sponsor }}"),
                ("项目经理", "{{ overview.manager }}"),
                ("销售负责人", "{{ overview.sales_owner }}"),
                ("复盘会", "{{ meeting.date|cn_date }}，{{ meeting.location }}，主持人：{{ meeting.host }}")])
    t.para("总体评价：{{ overview.summary }}")
    t.heading("二、目标回顾")
    t.para("对照项目章程的 {{ tally.total }} 项目标与成功标准：达成 {{ tally.achieved }} 项，"
           "未达成 {{ tally.missed }} 项，不适用 {{ tally.unknown }} 项。实际值均由验收、回款、满意度、"
           "周进度成本与合同数据计算得出。")
    t.table(["编号", "目标", "指标", "目标值", "实际值", "达成"],
            ["{{ g.id }}", "{{ g.description }}", "{{ g.metric }}", "{{ g.target_text }}",
             "{{ g.actual_text }}", "{{ g.verdict }}"],
            loop="g in goals", widths=[1.2, 5.0, 3.2, 2.5, 2.3, 2.0])
    t.para("实际值计算依据", bold=True)
    t.table(["编号", "指标", "数据来源", "计算依据"],
            ["{{ g.id }}", "{{ g.metric }}", "{{ g.source }}", "{{ g.basis }}"],
            loop="g in goals", widths=[1.2, 3.0, 4.0, 8.0])
    t.heading("三、结果评估")
    t.table(["维度", "数据", "评估"],
            ["{{ r.dimension }}", "{{ r.evidence }}", "{{ r.assessment }}"],
            loop="r in results", widths=[1.8, 6.6, 7.8])
    t.heading("四、原因分析")
    def missed() -> None:
        t.para("未达成的目标：", bold=True)
        t.bullets("g in missed", "{{ g.id }} {{ g.metric }}：实际 {{ g.actual_text }}，目标 {{ g.target_text }}，未达成")

    t.either("missed", missed, "项目章程的各项目标与成功标准均已达成或尚不适用，无未达成项。")
    t.tag("{%p if causes %}")
    t.table(["编号", "指标", "实际值", "类别", "原因"],
            ["{{ c.target }}", "{{ c.metric }}", "{{ c.actual_text }}", "{{ c.category }}", "{{ c.cause }}"],
            loop="c in causes", widths=[1.2, 2.8, 2.0, 1.4, 8.8])
    t.tag("{%p endif %}")
    t.heading("五、成功经验")
    t.bullets("x in successes", "{{ x }}")
    t.heading("六、改进措施")
    t.table(["序号", "措施", "责任人", "完成时间"],
            ["{{ loop.index }}", "{{ i.action }}", "{{ i.owner }}", "{{ i.due|iso }}"],
            loop="i in improvements", widths=[1.2, 10.0, 2.2, 2.8])
    t.heading("七、知识沉淀")
    t.bullets("x in knowledge", "{{ x }}")
    t.heading("八、参会人员")
    t.table(["姓名", "单位", "角色", "类别"],
            ["{{ m.name }}", "{{ m.side }}", "{{ m.role }}", "{{ m.group }}"],
            loop="m in participants", widths=[2.4, 6.4, 4.4, 3.0])
    t.internal_signatures("九、审批签字")


