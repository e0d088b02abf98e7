"""ISS 问题清单 (问题升级机制): the register, the escalation record and the resolutions (landscape).

The XLSX register keeps 已开放天数 (to the 解决日期, else to the 状态日期) and 应达级别 (by the two
thresholds, input cells on the 文档信息 sheet) as live formulas; a 当前级别 below the level the
thresholds require turns red."""

from ..layout import Column as C, Heading, If, Input, KeyValue, Layout, Para, Signatures, Table, value_column

AGE = 'IF({提出日期}="","",IF({解决日期}<>"",{解决日期},{@状态日期})-{提出日期})'
REQUIRED = ('IF({已开放天数}="","",IF({已开放天数}>{@管理层升级天数},"管理层",'
            'IF({已开放天数}>{@项目经理升级天数},"项目经理","项目组")))')
BELOW = 'OR(AND({应达级别}="管理层",{当前级别}<>"管理层"),AND({应达级别}="项目经理",{当前级别}="项目组"))'

LAYOUT = Layout("ISS", (
    Heading("一、编制说明"),
    Para("本问题清单截至{{ report.date|cn_date }}，共登记问题 {{ report.total }} 个：未解决 {{ report.open }} 个"
         "（开放 {{ report.opened }} 个、处理中 {{ report.working }} 个），已解决 {{ report.resolved }} 个；"
         "升级到项目经理及以上 {{ report.to_manager }} 个，其中提交管理层 {{ report.to_management }} 个"
         "{% if report.overdue %}；{{ report.overdue }} 个未解决的问题已超过计划解决日期{% endif %}。"),
    Para("问题只在本清单登记一次，各周周进度报告列出当周开放的问题及其在周末的状态。已开放天数按日历天计算："
         "已解决的问题自提出日期至解决日期，未解决的问题至状态日期。"),
    KeyValue((("项目名称", "{{ project.name }}"), ("项目经理", "{{ rule.manager_name|dash }}"),
              ("发起人", "{{ rule.sponsor|dash }}"))),

    Heading("二、升级规则"),
    Para("问题提出后由责任人处理；未解决超过 {{ rule.manager }} 天上报项目经理，超过 {{ rule.management }} 天提交管理层"
         "（与沟通计划的升级机制一致）。升级最迟应在提出后第 {{ rule.manager_day }} 天与第 {{ rule.management_day }} 天"
         "进行；责任人即项目经理的问题，提出时即在项目经理级别。"),

    Heading("三、问题清单"),
    If("issues", (
        Table((C("编号", "{{ r.id }}", .05, value="r.id"),
               C("问题描述", "{{ r.description }}", value="r.description"),
               value_column("提出日期", "r.raised", "date", .075),
               C("影响", "{{ r.impact|dash }}", .13, value="r.impact"),
               C("责任人", "{{ r.owner|dash }}", .06, value="r.owner", choices="lists.owners"),
               C("当前\n级别", "{{ r.level }}", .07, value="r.level", choices="lists.levels",
                 fills=((BELOW, "F4B6B0"),)),
               C("升级记录", "{{ r.escalated|dash }}", .14, value="r.escalated"),
               value_column("计划解决\n日期", "r.due", "date", .075),
               C("状态", "{{ r.status }}", .055, value="r.status", choices="lists.status"),
               value_column("解决日期", "r.resolved", "date", .075),
               C("已开放\n天数", "{{ r.age }}", .065, "right", value="r.age", fmt="int", formula=AGE),
               C("应达\n级别", "{{ r.required }}", .07, value="r.required", formula=REQUIRED)),
              loop="r in issues", small=True, sheet="问题清单"),
        Para("当前级别为问题实际升级到的最高级别；应达级别为按已开放天数与升级规则应达到的级别。"),),
       (Para("尚未登记问题。"),)),

    Heading("四、升级记录"),
    If("escalations", (
        Table((C("问题编号", "{{ e.id }}", .09, value="e.id"), value_column("升级日期", "e.date", "date", .10),
               C("级别", "{{ e.level }}", .09, value="e.level", choices="lists.levels"),
               C("升级对象", "{{ e.to }}", .09, value="e.to"),
               value_column("最迟升级日期", "e.due", "date", .13),
               C("说明", "{{ e.note|dash }}", value="e.note")),
              loop="e in escalations", sheet="升级记录"),),
       (Para("没有升级记录：所有问题均在 {{ rule.manager }} 天内解决。"),)),

    Heading("五、解决情况"),
    If("resolved", (
        Table((C("问题编号", "{{ r.id }}", .09, value="r.id"), value_column("提出日期", "r.raised", "date", .10),
               value_column("解决日期", "r.resolved", "date", .10),
               C("历时（天）", "{{ r.age }}", .10, "right", value="r.age", fmt="int",
                 formula='IF(OR({提出日期}="",{解决日期}=""),"",{解决日期}-{提出日期})'),
               C("解决方式", "{{ r.resolution|dash }}", value="r.resolution")),
              loop="r in resolved", sheet="解决情况"),),
       (Para("尚无已解决的问题。"),)),
    If("unresolved", (Para("未解决的问题：{% for r in unresolved %}{{ r.id }}（{{ r.owner|dash }}，计划{{ r.due|cn_date }}解决"
                           "{% if r.overdue %}，已逾期{% endif %}）{% if not loop.last %}、{% endif %}{% endfor %}。"),),
       (Para("全部问题均已解决。"),)),

    Signatures("六、审批签字"),
), landscape=True, inputs=(
    Input("项目经理升级天数", "rule.manager", "int", "可修改：未解决超过此天数须上报项目经理"),
    Input("管理层升级天数", "rule.management", "int", "可修改：未解决超过此天数须提交管理层"),
))
