"""MIN 会议纪要: the layout of the minutes of one meeting (portrait)."""

from ..layout import Bullets, Column as C, Heading, If, KeyValue, Layout, Para, Signatures, Table

LAYOUT = Layout("MIN", (
    Heading("一、会议信息"),
    KeyValue((("会议名称", "{{ meeting.title }}"), ("会议类型", "{{ meeting.kind|dash }}"),
              ("时间", "{{ meeting.when }}"), ("地点", "{{ meeting.location|dash }}"),
              ("主持", "{{ meeting.chair|dash }}"), ("记录", "{{ meeting.recorder|dash }}"),
              ("参会人（甲方）", "{{ client.short_name or client.name }}：{{ attend.client|join_cn }}"),
              ("参会人（乙方）", "{{ company.name }}：{{ attend.vendor|join_cn }}"))),
    If("attend.other", (Para("其他参会人：{{ attend.other|join_cn }}。"),)),

    Heading("二、议题"),
    If("topics", (Bullets("x in topics"),), (Para("本次会议未列议题。"),)),

    Heading("三、讨论要点"),
    If("discussion", (Bullets("x in discussion"),), (Para("本次会议未记录讨论要点。"),)),

    Heading("四、决议"),
    If("decisions", (Bullets("x in decisions"),), (Para("本次会议未形成决议。"),)),

    Heading("五、待办事项"),
    If("actions", (
        Para("本次会议形成待办事项 {{ summary.total }} 项；截至{{ summary.date|cn_date }}已关闭 {{ summary.closed }} 项，"
             "未关闭 {{ summary.open }} 项{% if summary.overdue %}（其中已逾期 {{ summary.overdue }} 项）{% endif %}。"
             "未关闭的事项列入此后各周周进度报告：乙方事项列入下周计划，甲方事项列入需客户配合事项，直至关闭。"),
        Table((C("序号", "{{ a.no }}", .07, "center"), C("事项", "{{ a.item }}"),
               C("责任人", "{{ a.owner|dash }}", .10), C("所属", "{{ a.side|dash }}", .07, "center"),
               C("期限", "{{ a.due|iso }}", .13),
               C("状态", "{{ a.status }}", .13, "center", lines=("{% if a.closed %}{{ a.closed|iso }}{% endif %}",)),
               C("说明", "{{ a.note|dash }}", .20)),
              loop="a in actions", small=True),),
       (Para("本次会议未形成待办事项。"),)),

    Signatures("六、审批签字"),
))
