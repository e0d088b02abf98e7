"""INIT 项目立项申请: the layout of the application and the 项目委员会's decision (portrait)."""

from ..layout import Bullets, Column as C, Heading, If, KeyValue, Layout, Para, Signatures, Table, money, percent

AMOUNT = "{{ init.expected_amount|upper_cny }}（{{ init.expected_amount|yuan }}）"
RATE = ("{% if margin.rate is none %}不适用（缺少预计收入）{% else %}{{ margin.rate|pct(1, true) }}{% endif %}")

LAYOUT = Layout("INIT", (
    Heading("一、基本信息"),
    KeyValue((("项目名称", "{{ project.name }}"), ("客户名称", "{{ client.name }}"),
              ("所属行业", "{{ client.industry|dash }}"),
              ("销售负责人", "{{ owner.name|dash }}{% if owner.role %}（{{ owner.role }}）{% endif %}"),
              ("预计签约金额", "{% if init.expected_amount is none %}—{% else %}" + AMOUNT + "{% endif %}"),
              ("预计签约日期", "{{ init.expected_sign_date|cn_date }}"),
              ("商机来源", "{{ init.source|dash }}"), ("申请日期", "{{ init.date|cn_date }}"))),

    Heading("二、立项背景与客户需求"),
    Para("{{ init.background|dash }}"),
    If("init.needs", (Para("客户需求：", label=True), Bullets("x in init.needs"))),

    Heading("三、项目目标与范围"),
    Para("项目目标：", label=True),
    If("init.goals", (Bullets("x in init.goals"),), (Para("—"),)),
    Para("项目范围：", label=True),
    If("init.scope", (Bullets("x in init.scope"),), (Para("—"),)),

    Heading("四、初步方案与交付物"),
    Para("{{ init.solution|dash }}"),
    If("init.deliverables", (Para("主要交付物：", label=True), Bullets("x in init.deliverables"))),

    Heading("五、预算估算与预期收益"),
    Para("立项预算总额：{{ budget.total|upper_cny }}（{{ budget.total|yuan }}）", bold=True),
    If("budget.lines", (
        Table((C("科目", "{{ b.category }}", .16), money("金额", "b.amount", .22),
               percent("占比", "b.share", .12), C("说明", "{{ b.note|dash }}")),
              loop="b in budget.lines", keep=True,
              total=("合计", "{{ budget.total|yuan }}", "{{ budget.share_total|pct(1, true) }}", "")),),
       (Para("预算尚未分解到科目。"),)),
    KeyValue((("预计收入", "{{ margin.revenue|yuan }}"), ("预算成本", "{{ margin.cost|yuan }}"),
              ("预计毛利", "{{ margin.profit|yuan }}"), ("毛利率", RATE))),
    Para("毛利率 =（预计收入 − 预算成本）/ 预计收入，按一位小数四舍五入；预算成本即立项预算总额。"
         "批准后，立项预算总额是项目章程预算的上限。"),
    If("init.benefits", (Para("预期收益：", label=True), Bullets("x in init.benefits"))),

    Heading("六、关键里程碑"),
    Table((C("序号", "{{ loop.index }}", .08, "center"), C("里程碑", "{{ m.name }}"),
           C("计划日期", "{{ m.date|iso }}", .2)), loop="m in milestones", keep=True),

    Heading("七、主要风险"),
    Table((C("序号", "{{ loop.index }}", .08, "center"), C("风险描述", "{{ r.description }}", .42),
           C("等级", "{{ r.level|dash }}", .08, "center"), C("应对", "{{ r.response|dash }}")),
          loop="r in init_risks"),

    Heading("八、审批意见"),
    KeyValue((("审批结论", "{{ approval.decision|dash }}"), ("审批意见", "{{ approval.opinion|dash }}"),
              ("审批人（项目委员会）", "{% for a in approval.approvers %}{{ a.name }}"
                                   "{% if a.role %}（{{ a.role }}）{% endif %}{% if not loop.last %}、{% endif %}"
                                   "{% else %}—{% endfor %}"),
              ("审批日期", "{{ approval.date|cn_date }}"))),
    Signatures(),
))
