"""SOL 解决方案 (portrait): current state and pain points, the design, the 功能清单 traced to the
需求说明书 and the WBS, the architecture, the implementation period by phase, training and
operations, the quote (小写 and 大写), risks and assumptions. Client-facing: the quote is our price;
no budget, cost or margin appears."""

from ..layout import Bullets, Column as C, Heading, If, KeyValue, Layout, Para, Signatures, Table, money, \
    value_column

LAYOUT = Layout("SOL", (
    Heading("一、客户现状与痛点"),
    Para("{{ sol.current_state|dash }}"),
    If("sol.pain_points", (Para("主要痛点：", label=True), Bullets("x in sol.pain_points")),),

    Heading("二、方案总体设计"),
    Para("{{ sol.design|dash }}"),

    Heading("三、功能清单"),
    If("functions", (
        Para("方案共 {{ functions|length }} 项功能{% if modules %}，分为{{ modules|join_cn }} {{ modules|length }} 个模块"
             "{% endif %}；覆盖需求说明书中的 {{ coverage.requirements }} 条需求（共 {{ coverage.of }} 条）。"
             "「对应需求」为需求说明书中的需求编号，「实施工作」为项目工作分解结构（WBS）中的工作编码。"),
        Table((C("编号", "{{ f.id }}", .08), C("模块", "{{ f.module|dash }}", .11),
               C("功能名称", "{{ f.name }}", .14), C("功能说明", "{{ f.description|dash }}"),
               C("对应需求", "{{ f.requirements|dash }}", .14), C("实施工作", "{{ f.wbs|dash }}", .14)),
              loop="f in functions", small=True),),
       (Para("尚未列出功能清单（solution.functions）。"),)),

    Heading("四、技术架构"),
    If("sol.architecture", (Bullets("x in sol.architecture"),), (Para("—"),)),

    Heading("五、实施方案与周期"),
    Para("实施周期：{{ period.start|cn_date }}至{{ period.end|cn_date }}"
         "{% if period.days %}，共 {{ period.days }} 个工作日{% endif %}。"),
    Para("{{ sol.approach|dash }}"),
    If("phases", (
        Table((C("阶段", "{{ x.code }}", .08), C("阶段名称", "{{ x.name }}"),
               value_column("开始", "x.start", "date", .18), value_column("结束", "x.end", "date", .18)),
              loop="x in phases"),),),

    Heading("六、培训与运维"),
    Heading("培训", 2),
    Para("{{ sol.training|dash }}"),
    Heading("运维与售后", 2),
    Para("{{ sol.operations|dash }}"),

    Heading("七、报价"),
    If("quote", (
        Table((C("序号", "{{ q.n }}", .07, "right"), C("项目", "{{ q.item }}", .19),
               C("规格说明", "{{ q.spec|dash }}"),
               C("数量", "{{ q.quantity|num }}", .08, "right"), C("单位", "{{ q.unit|dash }}", .08, "center"),
               money("单价", "q.unit_price", .13), money("金额", "q.amount", .15)),
              loop="q in quote", small=True,
              total=("合计", "", "", "", "", "", "{{ quote_total|yuan }}")),
        KeyValue((("报价合计（小写）", "{{ quote_total|yuan }}"), ("报价合计（大写）", "{{ quote_total|upper_cny }}"))),
        ),
       (Para("尚未填写报价（solution.quote）。"),)),

    Heading("八、风险与假设"),
    Heading("风险", 2),
    If("sol.risks", (Bullets("x in sol.risks"),), (Para("无。"),)),
    Heading("假设", 2),
    If("sol.assumptions", (Bullets("x in sol.assumptions"),), (Para("无。"),)),

    Signatures("九、审批签字"),
))
