"""RES 资源分配表: 人力 · 物料与设备 · 预算 · 人员负荷 (landscape).

The XLSX register keeps 金额 = ROUND(数量 × 单价, 2) and every 合计 live, and 占比 live by the same
largest-remainder rounding the documents use (``figures/shares.py``): each line's share in tenths
of a percent is rounded down, and the tenths still missing to 100.0 go to the lines with the largest
remainders (ties: the larger amount, then the earlier line). Rounding each share on its own (what
``金额/SUM(金额)`` in a 0.0% format would show) can make the rows add up to 100.1%; this way the
rows show exactly the document's figures and add up to the 100.0% of the 合计 row, also after the
user edits an amount. Drop-downs for 姓名 and 科目."""

from ..layout import Column as C, Heading, If, Layout, Para, Signatures, Table, value_column

#: The 金额 cells of the budget sheet's lines: 科目 (A) and 金额 (B) are its first columns, as laid out
#: below; A holds the header, one 科目 per line and the 合计 label, so the lines are B2 to B(COUNTA-1).
LINES = "$B$2:INDEX($B:$B,COUNTA($A:$A)-1)"
_SUM = f"SUM({LINES})"
_TENTHS = f"ROUND({{金额}}*1000/{_SUM},9)"                       # this line's share in tenths of a %
_ALL = f"ROUND({LINES}*1000/{_SUM},9)"                           # every line's
_REM, _ALL_REM = f"ROUND({_TENTHS}-INT({_TENTHS}),9)", f"ROUND({_ALL}-INT({_ALL}),9)"
_MISSING = f"(1000-SUMPRODUCT(INT({_ALL})))"                      # tenths left after rounding down
_AHEAD = (f"(SUMPRODUCT(--({_ALL_REM}>{_REM}))+SUMPRODUCT(({_ALL_REM}={_REM})*({LINES}>{{金额}}))"
          f"+SUMPRODUCT(({_ALL_REM}={_REM})*({LINES}={{金额}})*(ROW({LINES})<ROW({{金额}}))))")
#: 占比 of a budget line by largest remainder, in % to one decimal (0 when the lines sum to 0)
SHARE = f"IF({_SUM}=0,0,(INT({_TENTHS})+IF({_AHEAD}<{_MISSING},1,0))/10)"
#: the shade of a load over 100% in the register
OVER = "F4B6B0"
ALLOCATION = "{{ r.allocation|pct(0, true) if r.allocation is not none else '—' }}"

LAYOUT = Layout("RES", (
    Heading("一、编制说明"),
    Para("本表为项目的人力、物料与设备和成本预算分配：人力 {{ staff|length }} 人，成本合计 {{ staff_total|yuan }}；"
         "物料与设备 {{ materials|length }} 项，金额合计 {{ materials_total|yuan }}；预算总额 {{ budget.total|yuan }}"
         "（{{ budget.upper }}）。"),
    Para("投入比例取自项目名册；起止日期未另行填写时，取此人在工作分解结构中最早的任务开始与最晚的任务结束。"
         "预算的人工科目等于人力成本合计，物料与外采科目分别等于物料与设备中该类金额的合计，差旅、其他与不可预见费按预算科目列示；"
         "占比按一位小数列示，各项按最大余数法取舍，使各项之和恰为 100.0%。人员负荷按工作分解结构的任务分派逐周计算（未分派的任务由责任人全时承担），"
         "工作日按中国法定节假日与调休安排计算。"),

    Heading("二、人力"),
    If("staff", (
        Table((C("姓名", "{{ r.name }}", .07, value="r.name", choices="lists.names"),
               C("角色", "{{ r.role|dash }}", .1, value="r.role"),
               C("部门", "{{ r.department|dash }}", .12, value="r.department"),
               C("投入\n比例", ALLOCATION, .06, "right", value="r.allocation", fmt="pct", places=0),
               value_column("投入开始", "r.start", "date", .095),
               value_column("投入结束", "r.end", "date", .095),
               C("成本", "{{ r.cost|yuan }}", .12, "right", value="r.cost", fmt="yuan", sheet_total="SUM({成本})"),
               C("说明", "{{ r.note|dash }}", value="r.note")),
              loop="r in staff", sheet="人力",
              total=("合计", "", "", "", "", "", "{{ staff_total|yuan }}", "")),),
       (Para("尚未填写人力（resources.people）。"),)),

    Heading("三、物料与设备"),
    If("materials", (
        Table((C("名称", "{{ m.name }}", .13, value="m.name"),
               C("规格", "{{ m.spec|dash }}", value="m.spec"),
               C("科目", "{{ m.category }}", .05, value="m.category", choices="lists.categories"),
               C("数量", "{{ m.quantity|num }}", .05, "right", value="m.quantity"),
               C("单位", "{{ m.unit|dash }}", .05, value="m.unit"),
               C("单价", "{{ m.unit_price|yuan }}", .1, "right", value="m.unit_price", fmt="yuan"),
               C("金额", "{{ m.amount|yuan }}", .11, "right", value="m.amount", fmt="yuan",
                 formula="ROUND({数量}*{单价},2)", sheet_total="SUM({金额})"),
               value_column("到货日期", "m.arrival", "date", .095),
               C("供应商", "{{ m.supplier|dash }}", .12, value="m.supplier")),
              loop="m in materials", sheet="物料与设备",
              total=("合计", "", "", "", "", "", "{{ materials_total|yuan }}", "", "")),),
       (Para("本项目没有需要采购或租用的物料与设备。"),)),

    Heading("四、预算"),
    If("budget.lines", (
        Table((C("科目", "{{ b.category }}", .1, value="b.category", choices="lists.budget_categories"),
               C("金额", "{{ b.amount|yuan }}", .15, "right", value="b.amount", fmt="yuan", sheet_total="SUM({金额})"),
               C("占比", "{{ b.share|pct(1, true) }}", .08, "right", value="b.share", fmt="pct", places=1,
                 formula=SHARE, sheet_total="SUM({占比})"),
               C("核对依据", "{{ b.source }}", .24, value="b.source"),
               C("说明", "{{ b.note|dash }}", value="b.note")),
              loop="b in budget.lines", sheet="预算",
              total=("合计", "{{ budget.total|yuan }}", "{{ budget.share_total|pct(1, true) }}", "", "")),
        Para("预算总额 {{ budget.total|yuan }}（{{ budget.upper }}）。"),),
       (Para("尚未填写预算科目（budget.lines）。"),)),

    Heading("五、人员负荷"),
    Para("每人每周的负荷 = Σ（任务投入比例 × 该任务在该周的工作日数 ÷ 该周工作日数），里程碑不计负荷；"
         "平均周负荷按此人首个到最后一个有任务的周（有工作日的周）计算。共 {{ load.leaves }} 人次参与工作分解结构叶子任务。"),
    If("load.people", (
        Table((C("姓名", "{{ w.name }}", .1, value="w.name", choices="lists.names"),
               C("角色", "{{ w.role|dash }}", value="w.role"),
               C("参与任务数", "{{ w.tasks }}", .1, "right", value="w.tasks", fmt="int"),
               C("最高周负荷", "{{ w.peak|pct(1, true) if w.peak is not none else '—' }}", .12, "right",
                 value="w.peak", fmt="pct", places=1, fills=(("{最高周负荷}>100", OVER),)),
               C("所在周", "{{ w.peak_week|dash }}", .36, value="w.peak_week"),
               C("平均周负荷", "{{ w.average|pct(1, true) if w.average is not none else '—' }}", .12, "right",
                 value="w.average", fmt="pct", places=1)),
              loop="w in load.people", sheet="人员周负荷"),),
       (Para("工作分解结构中没有带日期的叶子任务，无法计算人员负荷。"),)),
    Para("超负荷（某周负荷超过 100%）：", label=True),
    If("load.over", (
        Table((C("姓名", "{{ o.name }}", .08), C("周次", "{{ o.week }}", .09),
               C("日期", "{{ o.dates }}", .2), C("负荷", "{{ o.load|pct(1, true) }}", .08, "right"),
               C("造成超负荷的任务", "{{ o.tasks }}")),
              loop="o in load.over"),),
       (Para("没有人在任何一周的负荷超过 100%。"),)),

    Signatures("六、审批签字"),
), landscape=True)
