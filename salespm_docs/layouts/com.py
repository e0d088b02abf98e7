"""COM 沟通计划: principles, the communication matrix, each meeting and report, the stakeholders'
contacts, the escalation rules (from the configured thresholds) and signatures (landscape: the matrix
has eight columns)."""

from ..layout import Column as C, Heading, If, KeyValue, Layout, Para, Signatures, Table

LAYOUT = Layout("COM", (
    Heading("一、沟通目标与原则"),
    Para("本沟通计划规定{{ project.name }}的会议、报告与问题升级机制，使项目组、公司管理层与客户"
         "（{{ plan.client }}）及时获得一致的项目信息：共 {{ plan.count }} 项沟通安排，"
         "其中{% for r in plan.required %}{{ r.name }}（{{ r.frequency }}）{% if not loop.last %}、{% endif %}{% endfor %}"
         "为公司规定必须开展的会议与报告。"),
    Para("沟通原则：项目信息以本计划规定的会议与报告为准，由负责人按频率组织并形成输出物，统一存档；"
         "周进度报告按规定频率连续编制、不得缺期；客户方沟通经客户接口人"
         "{{ org.client_contact|dash }}进行；问题按第五节的升级机制逐级上报。"),

    Heading("二、沟通矩阵"),
    Table((C("名称", "{{ c.name }}", .105), C("目的", "{{ c.purpose|dash }}"),
           C("参与 /\n接收人", "{{ c.audience|dash }}", .15), C("负责人", "{{ c.owner|dash }}", .07),
           C("频率", "{{ c.frequency|dash }}", .06), C("形式 / 渠道", "{{ c.channel|dash }}", .14),
           C("输出物", "{{ c.output|dash }}", .10), C("存档位置", "{{ c.archive|dash }}", .11)),
          loop="c in communication", small=True),

    Heading("三、会议与报告"),
    Para("公司规定每个项目必须开展以下会议与报告，本计划的安排如下：", label=True),
    Table((C("名称", "{{ r.name }}", .16), C("规定频率", "{{ r.frequency }}", .12),
           C("本计划频率", "{{ r.planned|dash }}", .12), C("负责人", "{{ r.owner|dash }}", .12),
           C("是否符合规定", "{{ '符合' if r.ok else '不符合' }}")), loop="r in plan.required"),
    Para("周进度报告按「{{ plan.report_frequency }}」连续编制"
         "{% if plan.report_from_com %}（本计划周进度报告一项的频率）{% else %}（本计划未列周进度报告，按公司规定的频率）{% endif %}，"
         "自首份周报起不得缺期；周进度报告为内部文档，以邮件发送给下列收件人；客户每周另收项目进展邮件。"),
    If("recipients", (
        Heading("周进度报告收件人", 2),
        Table((C("收件人", "{{ r.name }}", .16), C("类别", "{{ r.kind }}", .10),
               C("电子邮箱", "{{ r.email|dash }}")), loop="r in recipients"),), ()),
    If("groups", (
        Heading("分组", 2),
        Table((C("分组", "{{ g.name }}", .14), C("成员", "{{ g.members|dash }}"),
               C("说明", "{{ g.description|dash }}", .34), C("邮件列表", "{{ g.email|dash }}", .28)),
              loop="g in groups"),), ()),

    Heading("四、干系人联系方式"),
    KeyValue((("项目经理", "{{ org.manager|dash }}"), ("管理层（项目发起人）", "{{ org.sponsor|dash }}"),
              ("客户接口人", "{{ org.client_contact|dash }}"))),
    Table((C("单位", "{{ m.side }}", .06, "center"), C("姓名", "{{ m.name }}", .08), C("角色", "{{ m.role|dash }}"),
           C("部门 / 职务", "{{ m.unit|dash }}", .20), C("电话", "{{ m.phone|dash }}", .13),
           C("电子邮箱", "{{ m.email|dash }}", .27)), loop="m in contacts", small=True),

    Heading("五、问题升级机制"),
    Para("问题提出后由责任人处理并登记在问题清单中；未解决超过 {{ rule.manager }} 天的问题上报项目经理"
         "（{{ org.manager|dash }}），超过 {{ rule.management }} 天的问题提交管理层（{{ org.sponsor|dash }}）。"
         "升级最迟应在问题提出后第 {{ rule.manager_day }} 天与第 {{ rule.management_day }} 天进行，"
         "并在问题清单的升级记录中写明日期与对象；责任人即项目经理的问题，提出时即在项目经理级别。"),
    Table((C("级别", "{{ l.level }}", .14), C("触发条件", "{{ l.when }}"), C("升级对象", "{{ l.to|dash }}", .20),
           C("最迟升级时间", "{{ l.due }}", .24)), loop="l in levels"),
    Para("以上阈值与问题清单的升级规则一致，均按公司统一规定执行。"),

    Signatures("六、审批签字"),
), landscape=True)
