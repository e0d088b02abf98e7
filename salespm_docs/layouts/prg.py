"""PRG 项目进度表: plan against actual per WBS leaf, earned value and the S-curve (landscape).

The XLSX register keeps 计划工期 and 偏差天数 live (``WORKDAYS`` / ``DELTA`` over the 节假日
sheet), the 完成% roll-up in its 合计 row, and SV, CV, SPI and CPI on the 挣值 sheet."""

from ..layout import Column as C, Heading, If, KeyValue, Layout, Named, Para, Signatures, Table, value_column

WEIGHTED = "ROUND(SUMPRODUCT({工作量},{完成%})/SUM({工作量}),1)"
#: a milestone (one day, no effort) has no duration
MILESTONE_OR_DAYS = "IF(AND({计划开始}={计划结束},{工作量}=0),0,WORKDAYS({计划开始},{计划结束}))"

LAYOUT = Layout("PRG", (
    Heading("一、编制说明"),
    Para("本进度表为截至{{ report.date|cn_date }}（{{ report.week }} 周报）的计划与实际对比：共 {{ report.leaves }} 项"
         "工作分解结构叶子任务，按工作量加权总体完成 {{ report.percent|pct(1, true) }}，落后于计划 {{ report.behind }} 项"
         "（{{ report.counts }}）。"),
    Para("计划来自工作分解结构，实际来自各周周进度报告，各周周报的数字即本表在该周的快照。偏差天数为实际（未完成时为预计）"
         "结束日期相对计划结束日期的工作日数，正数为延期；未按期完成的任务至少按状态日期后的下一个工作日计。"
         "工作日按中国法定节假日与调休安排计算。"),

    Heading("二、进度表"),
    If("rows", (
        Table((C("WBS编码", "{{ r.code }}", .07, value="r.code"), C("任务", "{{ r.name }}", value="r.name"),
               C("责任人", "{{ r.owner|dash }}", .06, value="r.owner", choices="lists.owners"),
               C("工作量", "{{ r.effort|num(1) }}", .058, "right", value="r.effort", fmt="num", places=1,
                 sheet_total="SUM({工作量})"),
               value_column("计划开始", "r.planned_start", "date", .076),
               value_column("计划结束", "r.planned_end", "date", .076),
               C("计划\n工期", "{{ r.planned_days|dash }}", .045, "right", value="r.planned_days", fmt="int",
                 formula=MILESTONE_OR_DAYS),
               value_column("实际开始", "r.actual_start", "date", .076),
               value_column("实际/预计\n结束", "r.basis", "date", .08),
               C("完成%", "{{ r.percent|pct(1, true) }}", .058, "right", value="r.percent", fmt="pct", places=1,
                 sheet_total=WEIGHTED),
               C("状态", "{{ r.status }}", .05, value="r.status", choices="lists.status"),
               C("偏差\n天数", "{{ r.deviation|signed }}", .045, "right", value="r.deviation", fmt="int",
                 formula="DELTA({计划结束},{实际/预计结束})")),
              loop="r in rows", small=True, sheet="进度表",
              total=("合计", "", "", "{{ report.effort|num(1) }}", "", "", "", "", "", "{{ report.percent|pct(1, true) }}",
                     "", "")),
        Para("落后于计划的任务的延期原因与纠正措施见第三节。"),),
       (Para("尚无周进度报告，进度表没有实际数据。"),)),

    Heading("三、延期原因与纠正措施"),
    If("behind", (
        Table((C("WBS编码", "{{ r.code }}", .08, value="r.code"), C("任务", "{{ r.name }}", .16, value="r.name"),
               C("责任人", "{{ r.owner|dash }}", .08, value="r.owner", choices="lists.owners"),
               C("偏差天数", "{{ r.deviation|signed }}", .09, "right", value="r.deviation", fmt="int"),
               C("延期原因", "{{ r.delay_reason|dash }}", value="r.delay_reason"),
               C("纠正措施", "{{ r.corrective_action|dash }}", .28, value="r.corrective_action")),
              loop="r in behind", sheet="延期原因与纠正措施"),),
       (Para("截至状态日期没有落后于计划的任务。"),)),

    Heading("四、挣值分析"),
    If("cost", (
        KeyValue((("预算（BAC）", "{{ cost.bac|yuan }}"), ("计划值（PV）", "{{ cost.pv|yuan }}"),
                  ("挣值（EV）", "{{ cost.ev|yuan }}"), ("实际成本（AC）", "{{ cost.ac|yuan }}"),
                  ("进度偏差（SV = EV − PV）", "{{ cost.sv|yuan }}"), ("成本偏差（CV = EV − AC）", "{{ cost.cv|yuan }}"),
                  ("进度绩效指数（SPI = EV / PV）", "{{ cost.spi|num(2) }}"),
                  ("成本绩效指数（CPI = EV / AC）", "{{ cost.cpi|num(2) }}"))),
        If("baseline.changed", (
            Para("预算（BAC）为 {{ report.week }} 周报报告日的预算基线：项目章程预算 {{ baseline.original|yuan }} 加已批准变更"
                 " {{ baseline.ids }} 的预算调整 {{ baseline.moved_text }}。变更增加的预算按其涉及的 WBS 任务的工作量"
                 "计入计划值与挣值，各周按当周周报报告日的预算基线计算。"),)),
        Para("各周累计值：", label=True),
        Table((C("周次", "{{ w.week }}", .09, value="w.week"), value_column("周末日期", "w.end", "date", .11),
               C("PV", "{{ w.pv|yuan }}", .13, "right", value="w.pv", fmt="yuan"),
               C("EV", "{{ w.ev|yuan }}", .13, "right", value="w.ev", fmt="yuan"),
               C("AC", "{{ w.ac|yuan }}", .13, "right", value="w.ac", fmt="yuan"),
               C("SV", "{{ w.sv|yuan }}", .12, "right", value="w.sv", fmt="yuan", formula="{EV}-{PV}"),
               C("CV", "{{ w.cv|yuan }}", .12, "right", value="w.cv", fmt="yuan", formula="{EV}-{AC}"),
               C("SPI", "{{ w.spi|num(2) }}", .085, "right", value="w.spi", fmt="num", places=2,
                 formula='IF({PV}=0,"",ROUND({EV}/{PV},2))'),
               C("CPI", "{{ w.cpi|num(2) }}", .085, "right", value="w.cpi", fmt="num", places=2,
                 formula='IF({AC}=0,"",ROUND({EV}/{AC},2))')),
              loop="w in weeks", small=True, sheet="挣值"),),
       (Para("尚无周进度报告，没有挣值数据。"),)),

    Heading("五、S 曲线"),
    Para("累计计划值（PV）、挣值（EV）与实际成本（AC）按周变化，虚线为状态日期。", label=True),
    Named("s_curve"),

    Signatures("六、审批签字"),
), landscape=True)
