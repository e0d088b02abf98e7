"""templates/docx/ACC.docx: 项目验收报告."""

CONTRACT = ("{% if overview.contract_amount is not none %}{{ overview.contract_amount|upper_cny }}"
            "（{{ overview.contract_amount|yuan }}）{% else %}—{% endif %}")


def build(t) -> None:
    t.control_block()
    t.heading("一、项目概况")
    t.kv_table([("项目名称", "{{ project.name }}"), ("项目编号", "{{ project.code }}"),
                ("客户名称", "{{ client.name }}"), ("承建单位", "{{ company.name }}"),
                ("合同金额", CONTRACT),
                ("计划周期", "{{ project.start|cn_date }} 至 {{ project.end|cn_date }}"),
                ("验收日期", "{{ acceptance.date|cn_date }}（{{ overview.schedule_note }}）"),
                ("项目经理", "{{ overview.manager }}"), ("客户接口人", "{{ overview.client_contact }}"),
                ("交付物", "项目章程约定 {{ overview.deliverable_count }} 项")])
    t.para("项目目的：{{ project.purpose }}")
    t.heading("二、验收依据")
    def basis() -> None:
        t.para("本次验收依据以下文件，各交付物的验收标准以项目章程「主要交付物」中的约定为准：")
        t.bullets("x in acceptance.basis", "{{ x }}")

    t.either("acceptance.basis", basis, "—")
    t.heading("三、验收范围与交付物清单")
    t.para("验收范围为项目章程约定的全部工作内容：")
    t.bullets("x in scope_items", "{{ x }}")
    t.para("交付物清单（共 {{ rows|length }} 项）：")
    t.table(["编号", "交付物", "验收标准", "计划日期", "完成日期", "责任人"],
            ["{{ r.id }}", "{{ r.name }}", "{{ r.criteria }}", "{{ r.due|iso }}", "{{ r.completed|iso }}",
             "{{ r.owner }}"],
            loop="r in rows", widths=[1.3, 3.4, 5.8, 2.3, 2.3, 1.6])
    t.heading("四、验收过程")
    t.kv_table([("验收时间", "{{ acceptance.date|cn_date }}"), ("验收地点", "{{ acceptance.location }}"),
                ("验收方式", "{{ acceptance.method }}"),
                ("参加人员（甲方）", "{{ participants.client|join_cn }}"),
                ("参加人员（乙方）", "{{ participants.vendor|join_cn }}")])
    t.heading("五、验收结果")
    t.table(["编号", "交付物", "验收结果", "说明"],
            ["{{ r.id }}", "{{ r.name }}", "{{ r.result }}", "{{ r.note }}"],
            loop="r in rows", widths=[1.3, 3.6, 2.6, 9.2])
    t.para("交付物共 {{ tally.total }} 项：通过 {{ tally.passed }} 项，有条件通过 {{ tally.conditional }} 项，"
           "不通过 {{ tally.failed }} 项。")
    t.para("验收通过率 = 通过 / 总数 = {{ tally.passed }} / {{ tally.total }} = {{ tally.pass_rate|pct }}，"
           "对照{{ rate_target.source }} {{ rate_target.operator }} {{ rate_target.target|num }}{{ rate_target.unit }}："
           "{{ rate_target.verdict }}。", bold=True)
    t.table(["对照目标", "目标值", "实际值", "结论"],
            ["{{ g.source }}", "{{ g.operator }} {{ g.target|num }}{{ g.unit }}", "{{ g.actual|pct }}",
             "{{ g.verdict }}"],
            loop="g in targets", widths=[7.6, 3.0, 3.0, 3.0])
    t.heading("六、遗留问题与整改")
    def open_items() -> None:
        t.table(["相关交付物", "问题描述", "整改责任人", "整改期限"],
                ["{{ o.deliverable }} {{ o.deliverable_name }}", "{{ o.description }}", "{{ o.owner }}",
                 "{{ o.due|iso }}"],
                loop="o in open_items", widths=[3.2, 8.6, 2.4, 2.6])
        t.para("遗留问题由整改责任人在整改期限内完成，经甲方复核确认后关闭。")

    t.either("open_items", open_items, "无遗留问题。")
    t.heading("七、验收结论")
    t.para("{{ acceptance.conclusion }}")
    t.para("验收组意见：交付物共 {{ tally.total }} 项，通过 {{ tally.passed }} 项、有条件通过 {{ tally.conditional }} 项、"
           "不通过 {{ tally.failed }} 项，验收通过率 {{ tally.pass_rate|pct }}（{{ rate_target.verdict }}"
           "{{ rate_target.source }} {{ rate_target.operator }} {{ rate_target.target|num }}{{ rate_target.unit }}）；"
           "遗留问题 {{ open_items|length }} 项。")
    t.party_signatures("八、双方签字盖章")
    t.para("甲方（盖章）：　　　　　　　　　　　　乙方（盖章）：")
    t.para("")
    t.para("")
