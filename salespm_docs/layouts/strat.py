"""STRAT 销售策略 (portrait): the strategy texts, the sales-target breakdown as a table and a bar
chart, and the action plan."""

from ..layout import Column as C, Heading, If, Layout, Named, Para, Signatures, Table, value_column

LAYOUT = Layout("STRAT", (
    Heading("一、目标客户与需求分析"),
    Para("{{ strategy.customers|dash }}"),
    Heading("二、竞争分析"),
    Para("{{ strategy.competition|dash }}"),
    Heading("三、定价策略"),
    Para("{{ strategy.pricing|dash }}"),
    Heading("四、促销策略"),
    Para("{{ strategy.promotion|dash }}"),
    Heading("五、渠道策略"),
    Para("{{ strategy.channels|dash }}"),

    Heading("六、销售目标分解"),
    If("target", (Para("项目章程的销售额目标为 {{ target.id }}「{{ target.text }}」"
                       "{% if target.amount is not none %}，即 {{ target.amount|yuan }}{% endif %}；"
                       "下表按{{ strategy.by }}分解{% if target.matches %}，合计与目标一致{% endif %}。"
                       "占比按一位小数列示，按最大余数法取舍，各项之和恰为 100.0%。"),),
       (Para("项目章程中没有销售额目标；下表按{{ strategy.by }}列示销售目标分解。"),)),
    If("breakdown", (
        Table((C("序号", "{{ loop.index }}", .08, "right"),
               C("分解项", "{{ b.label }}", .26),
               C("金额", "{{ b.amount|yuan }}", .2, "right"),
               C("占比", "{{ b.share|pct(1, true) }}", .1, "right"),
               C("说明", "{{ b.note|dash }}")),
              loop="b in breakdown",
              total=("合计", "", "{{ breakdown_total|yuan }}", "{{ share_total|pct(1, true) }}", "")),
        Named("bars"),),
       (Para("尚未填写销售目标分解（strategy.breakdown）。"),)),

    Heading("七、行动计划"),
    If("actions", (
        Table((C("序号", "{{ a.n }}", .08, "right"), C("行动", "{{ a.action }}"),
               C("负责人", "{{ a.owner|dash }}", .12), value_column("完成日期", "a.due", "date", .14)),
              loop="a in actions"),),
       (Para("尚未填写行动计划（strategy.actions）。"),)),

    Signatures("八、审批签字"),
))
