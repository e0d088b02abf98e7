"""CHG 变更申请: the layout of one change request (portrait)."""

from ..layout import Bullets, Column as C, Heading, If, KeyValue, Layout, Para, Signatures, Table

BUDGET = ("{% if budget.changed %}{{ budget.change_text }}（预算基线 {{ budget.before|yuan }} → "
          "{{ budget.after|yuan }}{% if not decision.approved %}，批准后生效{% endif %}）"
          "{% else %}不调整预算（预算基线 {{ budget.before|yuan }}）{% endif %}")

LAYOUT = Layout("CHG", (
    Heading("一、变更信息"),
    KeyValue((("变更编号", "{{ change.id }}"), ("变更名称", "{{ change.title }}"),
              ("申请日期", "{{ change.date|cn_date }}"),
              ("申请人", "{{ change.applicant }}{% if change.applicant_role %}（{{ change.applicant_role }}）{% endif %}"),
              ("变更类型", "{{ change.type_boxes }}"),
              ("涉及 WBS 任务", "{{ change.tasks_text|dash }}"),
              ("涉及需求", "{{ change.requirements_text|dash }}"),
              ("完工日期影响", "{% if schedule_days is none %}—{% elif schedule_days == 0 %}不影响完工日期"
                             "{% else %}{{ schedule_days|signed }} 个工作日{% endif %}"))),

    Heading("二、变更描述"),
    Para("{{ change.description|dash }}"),

    Heading("三、原因"),
    Para("{{ change.reason|dash }}"),

    Heading("四、影响分析"),
    Table((C("维度", "{{ x.dimension }}", .12), C("影响", "{{ x.text|dash }}")), loop="x in impacts"),

    Heading("五、备选方案"),
    If("change.alternatives", (Bullets("x in change.alternatives"),), (Para("未提出备选方案。"),)),

    Heading("六、不变更的影响"),
    Para("{{ change.if_not_changed|dash }}"),

    Heading("七、评审意见"),
    If("reviews", (
        Table((C("评审人", "{{ r.reviewer }}", .14), C("意见", "{{ r.opinion }}"), C("日期", "{{ r.date|iso }}", .15)),
              loop="r in reviews"),),
       (Para("尚无评审意见。"),)),

    Heading("八、审批"),
    KeyValue((("审批结果", "{{ decision.result or '待审批' }}"),
              ("审批人", "{{ decision.by|dash }}{% if decision.role %}（{{ decision.role }}）{% endif %}"),
              ("审批日期", "{% if decision.date %}{{ decision.date|cn_date }}{% else %}—{% endif %}"),
              ("预算调整", BUDGET),
              ("审批意见", "{{ decision.note|dash }}"))),
    If("decision.approved", (
        Para("本变更自{{ decision.date|cn_date }}起生效{% if budget.changed %}：此后各周周进度报告与项目进度表的成本预算"
             "基线为 {{ budget.after|yuan }}，并在变更记录中列出本变更{% endif %}。"),)),

    Signatures("九、签字"),
))
