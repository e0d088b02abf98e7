"""ACC 项目验收报告: the layout of the final acceptance report (signed by both parties).

Client-facing (ARTIFACTS.md, audience): it shows the acceptance result — counts, the pass rate as a
fact — and the open items, never a verdict against our internal targets (that comparison is RET's)."""

from ..layout import Bullets, Column as C, Heading, If, KeyValue, Layout, Para, PartySignatures, Table

CONTRACT = ("{% if overview.contract_amount is not none %}{{ overview.contract_amount|upper_cny }}"
            "（{{ overview.contract_amount|yuan }}）{% else %}—{% endif %}")

LAYOUT = Layout("ACC", (
    Heading("一、项目概况"),
    KeyValue((("项目名称", "{{ project.name }}"), ("项目编号", "{{ project.code }}"),
              ("客户名称", "{{ client.name }}"), ("承建单位", "{{ company.name }}"),
              ("合同金额", CONTRACT),
              ("计划周期", "{{ project.start|cn_date }} 至 {{ project.end|cn_date }}"),
              ("验收日期", "{{ acceptance.date|cn_date }}（{{ overview.schedule_note }}）"),
              ("项目经理", "{{ overview.manager }}"), ("客户接口人", "{{ overview.client_contact }}"),
              ("交付物", "项目章程约定 {{ overview.deliverable_count }} 项"))),
    Para("项目目的：{{ project.purpose }}"),

    Heading("二、验收依据"),
    If("acceptance.basis", (
        Para("本次验收依据以下文件，各交付物的验收标准以项目章程「主要交付物」中的约定为准：", label=True),
        Bullets("x in acceptance.basis")),
       (Para("—"),)),

    Heading("三、验收范围与交付物清单"),
    Para("{{ scope_statement }}", label=True),
    Bullets("x in scope_items"),
    Para("交付物清单（共 {{ rows|length }} 项）：", label=True),
    Table((C("编号", "{{ r.id }}", .08), C("交付物", "{{ r.name }}", .18), C("验收标准", "{{ r.criteria }}"),
           C("计划日期", "{{ r.due|iso }}", .14), C("完成日期", "{{ r.completed|iso }}", .14),
           C("责任人", "{{ r.owner }}", .10)), loop="r in rows"),

    Heading("四、验收过程"),
    KeyValue((("验收时间", "{{ acceptance.date|cn_date }}"), ("验收地点", "{{ acceptance.location }}"),
              ("验收方式", "{{ acceptance.method }}"),
              ("参加人员（甲方）", "{{ participants.client|join_cn }}"),
              ("参加人员（乙方）", "{{ participants.vendor|join_cn }}"))),

    Heading("五、验收结果"),
    Table((C("编号", "{{ r.id }}", .08), C("交付物", "{{ r.name }}", .22), C("验收结果", "{{ r.result }}", .15),
           C("说明", "{{ r.note }}")), loop="r in rows"),
    Para("交付物共 {{ tally.total }} 项：通过 {{ tally.passed }} 项，有条件通过 {{ tally.conditional }} 项，"
         "不通过 {{ tally.failed }} 项{% if tally.unjudged %}，未验收 {{ tally.unjudged }} 项{% endif %}。"),
    Para("验收通过率 = 通过 / 总数 = {{ tally.passed }} / {{ tally.total }} = {{ tally.pass_rate|pct }}。",
         bold=True),

    Heading("六、遗留问题与整改"),
    If("open_items", (
        Table((C("相关交付物", "{{ o.deliverable }} {{ o.deliverable_name }}", .20), C("问题描述", "{{ o.description }}"),
               C("整改责任人", "{{ o.owner }}", .15), C("整改期限", "{{ o.due|iso }}", .15)), loop="o in open_items"),)),
    Para("{{ follow_up }}"),

    Heading("七、验收结论"),
    Para("{{ acceptance.conclusion }}"),
    Para("验收组意见：交付物共 {{ tally.total }} 项，通过 {{ tally.passed }} 项、有条件通过 {{ tally.conditional }} 项、"
         "不通过 {{ tally.failed }} 项{% if tally.unjudged %}、未验收 {{ tally.unjudged }} 项{% endif %}，验收通过率 {{ tally.pass_rate|pct }}；遗留问题 {{ open_items|length }} 项。"),

    PartySignatures("八、双方签字盖章"),
))
