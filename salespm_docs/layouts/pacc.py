"""PACC 阶段性验收报告: the phase and its scope, each deliverable of the phase with its result, the
tests and checks, the open items, the conclusion and both parties' signatures (portrait).

Client-facing: results, tests and open items only, no internal figures."""

from ..layout import Column as C, Heading, If, KeyValue, Layout, Para, PartySignatures, Table

LAYOUT = Layout("PACC", (
    Heading("一、阶段与范围"),
    KeyValue((("项目名称", "{{ project.name }}"), ("客户名称", "{{ client.name }}"),
              ("承建单位", "{{ company.name }}"),
              ("验收名称", "{{ phase.name }}"),
              ("验收阶段", "{{ phase.code }} {{ phase.wbs_name|dash }}（工作分解结构第一层）"),
              ("阶段计划周期", "{{ phase.start|cn_date }} 至 {{ phase.end|cn_date }}"),
              ("验收日期", "{{ phase.date|cn_date }}"), ("验收地点", "{{ phase.location|dash }}"),
              ("参加人员（甲方）", "{{ participants.client|join_cn }}"),
              ("参加人员（乙方）", "{{ participants.vendor|join_cn }}"))),
    Para("{{ phase.scope|dash }}"),
    Para("本阶段的交付物为工作分解结构中本阶段各项工作所对应的项目章程交付物，共 {{ tally.total }} 项；"
         "计划完成日期不晚于验收日期的 {{ tally.scoped }} 项纳入本次验收"
         "{% if tally.later %}，{{ later }}计划在验收日期之后完成，不在本次验收范围内，在后续验收中验收{% endif %}。"),

    Heading("二、交付物清单与验收结果"),
    Para("交付物清单（共 {{ rows|length }} 项）：", label=True),
    Table((C("编号", "{{ r.id }}", .08), C("交付物", "{{ r.name }}", .20), C("验收标准", "{{ r.criteria|dash }}"),
           C("计划日期", "{{ r.due|iso }}", .15), C("完成日期", "{{ r.completed|iso }}", .15)), loop="r in rows"),
    Para("验收结果：", label=True),
    Table((C("编号", "{{ r.id }}", .08), C("交付物", "{{ r.name }}", .20), C("验收结果", "{{ r.result }}", .17),
           C("说明", "{{ r.note|dash }}")), loop="r in rows"),
    Para("纳入本次验收的交付物 {{ tally.scoped }} 项：通过 {{ tally.passed }} 项，有条件通过 {{ tally.conditional }} 项，"
         "不通过 {{ tally.failed }} 项{% if tally.unjudged %}，未验收 {{ tally.unjudged }} 项{% endif %}。"),

    Heading("三、测试与检查记录"),
    If("tests", (
        Table((C("测试 / 检查项", "{{ t.item }}", .20), C("方式", "{{ t.method|dash }}", .14),
               C("日期", "{{ t.date|iso }}", .15), C("结果", "{{ t.result|dash }}"), C("说明", "{{ t.note|dash }}", .23)),
              loop="t in tests"),),
       (Para("本阶段未登记测试与检查记录。"),)),

    Heading("四、遗留问题"),
    If("open_items", (
        Table((C("相关交付物", "{{ o.deliverable|dash }} {{ o.deliverable_name|dash }}", .20),
               C("问题描述", "{{ o.description }}"),
               C("整改责任人", "{{ o.owner|dash }}", .16), C("整改期限", "{{ o.due|iso }}", .15)),
              loop="o in open_items"),)),
    Para("{{ follow_up }}"),

    Heading("五、结论"),
    Para("{{ phase.conclusion|dash }}"),
    Para("验收组意见：纳入本次验收的交付物 {{ tally.scoped }} 项，通过 {{ tally.passed }} 项、"
         "有条件通过 {{ tally.conditional }} 项、不通过 {{ tally.failed }} 项"
         "{% if tally.unjudged %}、未验收 {{ tally.unjudged }} 项{% endif %}；遗留问题 {{ open_items|length }} 项。",
         bold=True),

    PartySignatures("六、双方签字"),
))
