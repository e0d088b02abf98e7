"""templates/docx/CHT.docx: 项目章程."""


def build(t) -> None:
    t.control_block()
    t.heading("一、项目背景与目的")
    t.para("项目背景：{{ project.background }}")
    t.para("项目目的：{{ project.purpose }}")
    t.kv_table([("客户名称", "{{ client.name }}"), ("项目编号", "{{ project.code }}"),
                ("项目周期", "{{ project.start|cn_date }} 至 {{ project.end|cn_date }}"),
                ("销售负责人", "{{ project.sales_owner }}")])
    t.heading("二、项目目标")
    t.table(["编号", "目标", "指标", "目标值", "期限"],
            ["{{ o.id }}", "{{ o.description }}", "{{ o.metric }}",
             "{{ o.operator }} {{ o.target|num }}{{ o.unit }}", "{{ o.deadline|iso }}"],
            loop="o in objectives", widths=[1.4, 6.2, 3.2, 2.8, 2.6])
    t.heading("三、项目范围")
    t.heading("包含", 2)
    t.bullets("x in scope.included", "{{ x }}")
    t.heading("不包含", 2)
    t.bullets("x in scope.excluded", "{{ x }}")
    t.heading("四、主要交付物")
    t.table(["编号", "交付物", "说明", "验收标准", "计划日期", "责任人"],
            ["{{ d.id }}", "{{ d.name }}", "{{ d.description }}", "{{ d.acceptance_criteria }}",
             "{{ d.due|iso }}", "{{ d.owner }}"],
            loop="d in deliverables", widths=[1.2, 3.0, 3.6, 4.4, 2.4, 1.8])
    t.heading("五、里程碑计划")
    t.table(["编号", "里程碑", "计划日期", "完成交付物", "责任人"],
            ["{{ m.id }}", "{{ m.name }}", "{{ m.date|iso }}", "{{ m.deliverable_names|join_cn }}", "{{ m.owner }}"],
            loop="m in milestones", widths=[1.4, 4.4, 2.6, 5.4, 2.4])
    t.heading("六、预算")
    t.para("项目预算总额：{{ budget.total|upper_cny }}（{{ budget.total|yuan }}）")
    t.table(["科目", "金额", "占比", "说明"],
            ["{{ b.category }}", "{{ b.amount|yuan }}", "{{ b.share|pct }}", "{{ b.note }}"],
            loop="b in budget.lines", widths=[3.0, 4.0, 2.2, 7.0])
    t.heading("七、项目组织与职责")
    t.kv_table([("项目发起人", "{{ org.sponsor }}（{{ org.sponsor_role }}）"),
                ("项目经理", "{{ org.manager }}"),
                ("项目经理授权", "{{ org.manager_authority }}"),
                ("客户接口人", "{{ org.client_contact }}")])
    t.para("项目团队", bold=True)
    t.table(["姓名", "角色", "部门", "职责"],
            ["{{ m.name }}", "{{ m.role }}", "{{ m.department }}", "{{ m.responsibilities }}"],
            loop="m in team", widths=[2.2, 3.0, 3.0, 8.0])
    t.para("客户方干系人", bold=True)
    t.table(["姓名", "职务", "项目角色", "关键决策人"],
            ["{{ c.name }}", "{{ c.title }}", "{{ c.role }}", "{{ '是' if c.key_decision_maker else '否' }}"],
            loop="c in stakeholders", widths=[2.6, 4.0, 6.0, 3.6])
    t.heading("八、沟通机制")
    t.table(["名称", "目的", "参与 / 接收人", "负责人", "频率", "形式", "输出物"],
            ["{{ c.name }}", "{{ c.purpose }}", "{{ c.audience|join_cn }}", "{{ c.owner }}",
             "{{ c.frequency }}", "{{ c.channel }}", "{{ c.output }}"],
            loop="c in communication", widths=[2.2, 3.2, 3.0, 1.8, 1.4, 2.2, 2.4])
    t.heading("九、成功标准")
    t.table(["编号", "成功标准", "指标", "目标值"],
            ["{{ c.id }}", "{{ c.description }}", "{{ c.metric }}", "{{ c.operator }} {{ c.target|num }}{{ c.unit }}"],
            loop="c in criteria", widths=[1.4, 8.0, 3.8, 3.0])
    t.heading("十、假设与约束")
    t.heading("假设", 2)
    t.bullets("x in assumptions", "{{ x }}")
    t.heading("约束", 2)
    t.bullets("x in constraints", "{{ x }}")
    t.heading("十一、主要风险")
    t.table(["编号", "风险描述", "等级", "应对策略", "应对措施", "责任人"],
            ["{{ r.id }}", "{{ r.description }}", "{{ r.level }}", "{{ r.strategy }}", "{{ r.actions }}", "{{ r.owner }}"],
            loop="r in risks", widths=[1.2, 4.8, 1.2, 1.8, 5.4, 1.8])
    t.internal_signatures("十二、审批签字")
