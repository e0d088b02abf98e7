"""SALES 销售数据分析 (portrait): the KPIs with formula, inputs (and their source document) and value,
the sales against the target, the collection reconciled with the contract and the payment plan,
the margin beside the 立项 expectation, and the conclusions."""

from ..layout import Bullets, Column as C, Heading, If, KeyValue, Layout, Named, Para, Signatures, Table

LAYOUT = Layout("SALES", (
    Heading("一、分析概况"),
    KeyValue((("分析期间", "{{ sales.period }}"), ("分析日期", "{{ sales.date|cn_date }}"),
              ("客户", "{{ client.name }}"), ("销售负责人", "{{ project.sales_owner|dash }}"),
              ("销售额", "{{ amount|yuan }}"), ("数据来源", "合同评审表（CTR）、回款跟踪表（PAY）、项目章程（CHT）、"
                                            "满意度问卷（SAT）、周进度报告（WEEK）、项目立项申请（INIT）；"
                                            "上期销售额与获客费用为本表录入"))),
    Para("本表为内部文档（含毛利与成本），不对客户发送。各项指标均由来源数据按公式计算；"
         "分母为 0 或缺少输入的指标显示为不适用。"),

    Heading("二、关键指标"),
    Table((C("序号", "{{ k.n }}", .08, "center"), C("指标", "{{ k.name }}", .18),
           C("计算公式", "{{ k.formula }}", .37), C("结果", "{{ k.shown }}", .16, "right"),
           C("说明", "{{ k.why|dash }}", .21)),
          loop="k in kpis"),
    Named("bars", ("kpi_bars",)),

    Heading("三、指标计算明细"),
    Table((C("指标", "{{ i.kpi }}", .19), C("输入项", "{{ i.label }}", .37), C("数值", "{{ i.shown }}", .19, "right"),
           C("来源", "{{ i.source }}", .25)),
          loop="i in inputs", small=True),
    If("sales.previous", (Para("销售额增长率的对比口径：{{ sales.previous.basis }}（{{ sales.previous.period }}）。"),)),
    If("sales.acquisition and sales.acquisition.note",
       (Para("获客费用构成：{{ sales.acquisition.note }}"),)),

    Heading("四、销售额与目标"),
    If("achievement.target is not none", (
        Para("销售额 {{ amount|yuan }}（{{ amount_wan }}），销售目标 {{ achievement.target|yuan }}"
             "（{{ achievement.target_wan }}），目标达成率 {{ achievement.shown }}；"
             "{% if achievement.met %}已达成目标，超出 {{ achievement.gap|yuan }}。"
             "{% else %}未达成目标，差额 {{ (-achievement.gap)|yuan }}。{% endif %}"),),
       (Para("项目章程中没有可换算为金额的销售额目标，目标达成率不适用。"),)),
    If("causes", (Para("未达标原因（见项目复盘报告 RET）："), Bullets("x in causes"))),
    Named("bars", ("sales_bars",)),

    Heading("五、回款分析"),
    If("payments", (
        Table((C("期次", "{{ r.no }}", .08, "center"), C("回款节点", "{{ r.milestone }}", .21),
               C("计划金额", "{{ r.amount|yuan }}", .17, "right"), C("到期日", "{{ r.due|iso }}", .13),
               C("实收日期", "{{ r.received_date|iso }}", .13), C("实收金额", "{{ r.received|yuan }}", .17, "right"),
               C("状态", "{{ r.status }}", .11, "center")),
              loop="r in payments", small=True,
              total=("合计", "", "{{ planned_total|yuan }}", "", "", "{{ collection.received|yuan }}", "")),
        Para("已回款 {{ collection.received|yuan }}，未回款 {{ collection.outstanding|yuan }}，"
             "回款率 {{ collection.shown }}。"),),
       (Para("回款计划为空（payments），回款率不适用。"),)),
    Para("销售额与合同、回款计划核对："),
    Table((C("核对项", "{{ r.item }}", .5), C("金额", "{{ r.amount|yuan }}", .25, "right"),
           C("与销售额", "{% if r.agrees is none %}—{% elif r.agrees %}一致{% else %}不一致{% endif %}", .25, "center")),
          loop="r in reconcile"),

    Heading("六、毛利分析"),
    KeyValue((("销售额", "{{ amount|yuan }}"), ("完工成本", "{{ margin.cost|yuan }}"),
              ("毛利", "{{ margin.profit|yuan }}"), ("毛利率", "{{ margin.shown }}"),
              ("立项预期毛利率", "{{ margin.planned|pct(1, true) }}"
                              "{% if margin.planned_revenue %}（预计收入 {{ margin.planned_revenue|yuan }}，"
                              "预算成本 {{ margin.planned_cost|yuan }}）{% endif %}"),
              ("与预期相比", "{% if margin.diff is none %}不适用{% else %}{{ margin.diff|signed }} 个百分点{% endif %}"))),
    Para("完工成本取最后一期周进度报告的完工预测成本（项目关闭后即实际成本），与项目进度表、项目复盘报告的成本口径一致；"
         "预算基线是成本的考核基准而非成本，不用于计算毛利率。"),

    Heading("七、分析结论"),
    If("sales.commentary", (Bullets("x in sales.commentary"),), (Para("尚未填写分析结论（sales.commentary）。"),)),
    If("sales.actions", (Para("后续销售行动建议："), Bullets("x in sales.actions"))),

    Signatures("八、审批签字"),
))
