"""templates/docx/OPP.docx: 项目机会评估报告."""


def dimension(t, key: str) -> None:
    """权重 · 得分 line, the written assessment and the 评分依据 of one dimension."""
    t.para(f"权重 {{{{ dims.{key}.weight|pct }}}}，得分 {{{{ dims.{key}.score|num }}}} 分（满分 5 分）。", bold=True)
    t.para(f"评估：{{{{ dims.{key}.assessment }}}}")
    t.tag(f"{{%p if dims.{key}.basis %}}")
    t.para("评分依据：")
    t.bullets(f"x in dims.{key}.basis", "{{ x }}")
    t.tag("{%p endif %}")


def build(t) -> None:
    t.control_block()

    t.heading("一、商机概况")
    t.kv_table([("客户名称", "{{ client.name }}"),
                ("所属行业", "{{ client.industry }}"),
                ("商机来源", "{{ opp.source }}"),
                ("销售负责人", "{{ sales_owner.name }}（{{ sales_owner.role }}）"),
                ("预计签约金额", "{{ opp.expected_amount|upper_cny }}（{{ opp.expected_amount|yuan }}）"),
                ("预计签约日期", "{{ opp.expected_sign_date|cn_date }}"),
                ("客户预算", "{{ opp.client_budget }}"),
                ("评估日期", "{{ opp.date|cn_date }}")])
    t.para("{{ opp.summary }}")
    t.tag("{%p if opp.needs %}")
    t.heading("客户痛点与需求", 2)
    t.bullets("x in opp.needs", "{{ x }}")
    t.tag("{%p endif %}")

    t.heading("二、客户与决策链")
    t.either("decision_chain", lambda: t.table(
        ["姓名", "职务", "决策角色", "态度", "关注点"],
        ["{{ d.name }}", "{{ d.title }}", "{{ d.role }}", "{{ d.attitude }}", "{{ d.concern }}"],
        loop="d in decision_chain", widths=[1.8, 2.8, 4.6, 1.4, 5.6]),
        "尚未摸清客户决策链。")

    t.heading("三、技术匹配度")
    dimension(t, "tech")

    t.heading("四、资源缺口")
    dimension(t, "resources")
    t.either("gaps", lambda: t.table(
        ["缺口资源", "缺口说明", "补足方案", "责任人", "期限"],
        ["{{ g.resource }}", "{{ g.gap }}", "{{ g.disposition }}", "{{ g.owner }}", "{{ g.due|iso }}"],
        loop="g in gaps", widths=[2.6, 4.4, 5.4, 1.6, 2.2]),
        "未识别资源缺口。")

    t.heading("五、竞争态势")
    dimension(t, "competition")
    t.para("{{ opp.competition }}")
    t.tag("{%p if competitors %}")
    t.table(["竞争对手", "优势", "劣势", "我方对策"],
            ["{{ c.name }}", "{{ c.strengths }}", "{{ c.weaknesses }}", "{{ c.response }}"],
            loop="c in competitors", widths=[2.8, 4.0, 4.6, 4.8])
    t.tag("{%p endif %}")

    t.heading("六、商务评估")
    dimension(t, "business")
    t.kv_table([("预计签约金额", "{{ opp.expected_amount|upper_cny }}（{{ opp.expected_amount|yuan }}）"),
                ("客户预算", "{{ opp.client_budget }}"),
                ("付款条件", "{{ opp.payment_terms }}")])

    t.heading("七、可行性评分")
    t.para("可行性评分 = Σ 权重 × 得分（各维度 1–5 分，权重合计 100%）：")
    t.table(["评估维度", "权重", "得分", "权重 × 得分"],
            ["{{ r.name }}", "{{ r.weight|pct }}", "{{ r.score|num }}", "{{ r.weighted|num }}"],
            loop="r in score_rows", widths=[5.2, 3.6, 3.6, 3.8])
    _total_row(t, ["合计", "{{ score.weight_total|pct }}", "", "{{ score.value|num }}"])
    t.para("计算：{% for r in score_rows %}{{ r.weight|pct }} × {{ r.score|num }}{% if not loop.last %} + {% endif %}"
           "{% endfor %} = {{ score.value|num }}")
    t.para("综合可行性评分：{{ score.value|num }} 分（满分 5 分）", bold=True)
    t.para("评分区间：≥ {{ bands.proceed_min|num }} 分推进；{{ bands.conditional_min|num }} 分至 "
           "{{ bands.proceed_min|num }} 分（不含）有条件推进；< {{ bands.conditional_min|num }} 分放弃。"
           "本次评分对应结论「{{ score.band }}」。")

    t.heading("八、关键风险提示")
    t.table(["序号", "风险描述", "等级", "应对", "责任人", "登记编号"],
            ["{{ loop.index }}", "{{ r.description }}", "{{ r.level }}", "{{ r.response }}", "{{ r.owner }}",
             "{{ r.risk_id }}"],
            loop="r in opp_risks", widths=[1.1, 5.4, 1.1, 5.4, 1.6, 1.6])

    t.heading("九、结论与建议")
    t.para("评估结论：{{ opp.conclusion }}", bold=True)
    t.para("依据：综合可行性评分 {{ score.value|num }} 分，按评分区间对应「{{ score.band }}」。")
    t.para("建议：{{ opp.recommendation }}")
    t.tag("{%p if opp.next_steps %}")
    t.para("后续行动：")
    t.bullets("x in opp.next_steps", "{{ x }}")
    t.tag("{%p endif %}")

    t.heading("十、评估与审批")
    t.para("评估日期：{{ opp.date|cn_date }}")
    t.para("评估小组：{% for a in assessors %}{{ a.name }}（{{ a.role }}）{% if not loop.last %}、{% endif %}{% else %}—{% endfor %}")
    t.para("审批意见：{{ opp.approval_opinion }}")
    t.table(["环节", "姓名", "职务", "签字", "日期"],
            ["{{ s.label }}", "{{ s.name }}", "{{ s.role }}", "", "{{ s.date|cn_date }}"],
            loop="s in signatures", widths=[2.4, 2.8, 3.6, 3.6, 3.8])


def _total_row(t, cells: list[str]) -> None:
    """A fixed 合计 row under the loop rows of the table just written."""
    table = t.doc.tables[-1]
    row = table.add_row()
    for cell, text in zip(row.cells, cells):
        t._cell(cell, text, bold=True)
