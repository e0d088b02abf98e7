"""OPP 项目机会评估报告: the layout of the opportunity assessment."""

from ..layout import Bullets, Column as C, Heading, If, KeyValue, Layout, Para, Signatures, Table, decimal, percent


def dimension(key: str) -> tuple:
    """权重 · 得分 line, the written assessment and the 评分依据 of one dimension."""
    d = f"dims.{key}"
    return (
        Para(f"权重 {{{{ {d}.weight|pct }}}}，得分 {{{{ {d}.score|num }}}} 分（满分 5 分）。", bold=True),
        Para(f"评估：{{{{ {d}.assessment }}}}"),
        If(f"{d}.basis", (Para("评分依据：", label=True), Bullets(f"x in {d}.basis"))),
    )


AMOUNT = "{{ opp.expected_amount|upper_cny }}（{{ opp.expected_amount|yuan }}）"

LAYOUT = Layout("OPP", (
    Heading("一、商机概况"),
    KeyValue((("客户名称", "{{ client.name }}"), ("所属行业", "{{ client.industry }}"),
              ("商机来源", "{{ opp.source }}"),
              ("销售负责人", "{{ sales_owner.name }}（{{ sales_owner.role }}）"),
              ("预计签约金额", AMOUNT), ("预计签约日期", "{{ opp.expected_sign_date|cn_date }}"),
              ("客户预算", "{{ opp.client_budget }}"), ("评估日期", "{{ opp.date|cn_date }}"))),
    Para("{{ opp.summary }}"),
    If("opp.needs", (Heading("客户痛点与需求", 2), Bullets("x in opp.needs"))),

    Heading("二、客户与决策链"),
    If("decision_chain", (
        Table((C("姓名", "{{ d.name }}", .11), C("职务", "{{ d.title }}", .17), C("决策角色", "{{ d.role }}", .28),
               C("态度", "{{ d.attitude }}", .09), C("关注点", "{{ d.concern }}")), loop="d in decision_chain"),),
       (Para("尚未摸清客户决策链。"),)),

    Heading("三、技术匹配度"),
    *dimension("tech"),

    Heading("四、资源缺口"),
    *dimension("resources"),
    If("gaps", (
        Table((C("缺口资源", "{{ g.resource }}", .16), C("缺口说明", "{{ g.gap }}", .27),
               C("补足方案", "{{ g.disposition }}"), C("责任人", "{{ g.owner }}", .10),
               C("期限", "{{ g.due|iso }}", .15)), loop="g in gaps"),),
       (Para("未识别资源缺口。"),)),

    Heading("五、竞争态势"),
    *dimension("competition"),
    Para("{{ opp.competition }}"),
    If("competitors", (
        Table((C("竞争对手", "{{ c.name }}", .17), C("优势", "{{ c.strengths }}", .25),
               C("劣势", "{{ c.weaknesses }}", .28), C("我方对策", "{{ c.response }}")), loop="c in competitors"),)),

    Heading("六、商务评估"),
    *dimension("business"),
    KeyValue((("预计签约金额", AMOUNT), ("客户预算", "{{ opp.client_budget }}"),
              ("付款条件", "{{ opp.payment_terms }}"))),

    Heading("七、可行性评分"),
    Para("可行性评分 = Σ 权重 × 得分（各维度按 1–5 分评分；本次各维度权重合计 {{ score.weight_total|pct }}）：",
         label=True),
    Table((C("评估维度", "{{ r.name }}"), percent("权重", "r.weight", .2),
           decimal("得分", "r.score", .2, places=1), decimal("权重 × 得分", "r.weighted", .22)),
          loop="r in score_rows", keep=True,
          total=("合计", "{{ score.weight_total|pct(1, true) }}", "", "{{ score.value|num(2) }}")),
    Para("计算：{% for r in score_rows %}{{ r.weight|pct }} × {{ r.score|num }}{% if not loop.last %} + {% endif %}"
         "{% endfor %} = {{ score.value|num }}"),
    Para("综合可行性评分：{{ score.value|num }} 分（满分 5 分）", bold=True),
    Para("评分区间：≥ {{ bands.proceed_min|num }} 分推进；{{ bands.conditional_min|num }} 分至 "
         "{{ bands.proceed_min|num }} 分（不含）有条件推进；< {{ bands.conditional_min|num }} 分放弃。"
         "本次评分对应结论「{{ score.band }}」。"),

    Heading("八、关键风险提示"),
    Table((C("序号", "{{ loop.index }}", .075, "center"), C("风险描述", "{{ r.description }}", .27),
           C("等级", "{{ r.level }}", .075, "center"), C("应对", "{{ r.response }}"), C("责任人", "{{ r.owner }}", .10),
           C("登记编号", "{{ r.risk_id }}", .125)), loop="r in opp_risks"),

    Heading("九、结论与建议"),
    Para("评估结论：{{ opp.conclusion }}", bold=True),
    Para("依据：综合可行性评分 {{ score.value|num }} 分，按评分区间对应「{{ score.band }}」。"),
    Para("建议：{{ opp.recommendation }}"),
    If("opp.next_steps", (Para("后续行动：", label=True), Bullets("x in opp.next_steps"))),

    Heading("十、评估与审批"),
    Para("评估日期：{{ opp.date|cn_date }}"),
    Para("评估小组：{% for a in assessors %}{{ a.name }}（{{ a.role }}）{% if not loop.last %}、{% endif %}"
         "{% else %}—{% endfor %}"),
    Para("审批意见：{{ opp.approval_opinion }}"),
    Signatures(),
))
