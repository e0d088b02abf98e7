"""PAY 回款跟踪表: the payment plan against invoices and receipts, aging, the collection chart (landscape).

The XLSX register keeps 未收金额, 逾期天数 and 账龄 live against the 报告日期 input cell of its
文档信息 sheet (change it and the overdue days and aging buckets follow), and the 合计 row's sums."""

from ..layout import Column as C, Heading, Input, KeyValue, Layout, Named, Para, Signatures, Table, value_column

#: 未收金额 = 应收（计划金额）− 实收金额, a blank 实收 counting as 0
OUTSTANDING = 'IF({计划金额}="","",{计划金额}-N({实收金额}))'
#: calendar days past the due date: received in full → days late at receipt, else as of 报告日期;
#: 0 without a due date (a 尾款 whose 计划日期 reads 「验收后 15 天」) and before it
OVERDUE = ("IF(NOT(ISNUMBER({计划日期})),0,IF(AND(ISNUMBER({实收日期}),N({未收金额})<=0),"
           "MAX({实收日期}-{计划日期},0),MAX({@报告日期}-{计划日期},0)))")
#: as ``outcomes._payment_status``; the drop-down lets the user overwrite it
STATUS = ('IF(N({未收金额})<=0,IF({逾期天数}>0,"延期收清","已收清"),IF({逾期天数}>0,"逾期",'
          'IF(N({实收金额})>0,"部分到账",IF(ISNUMBER({开票日期}),"已开票","未到期"))))')
AGING = ('IF(N({未收金额})<=0,"已收清",IF({逾期天数}<=0,"未到期",IF({逾期天数}<=30,"0–30 天",'
         'IF({逾期天数}<=60,"31–60 天",IF({逾期天数}<=90,"61–90 天","> 90 天")))))')

#: The register as the workbook keeps it: one sheet, all fifteen columns, live 未收金额 / 逾期天数 / 账龄.
#: Fifteen columns do not fit a landscape page without breaking amounts and dates, so the documents
#: show the same rows in two tables (二、回款计划与执行 up to 状态; 五、跟进事项 with 跟进人 and 下一步)
#: and this one is the workbook's only (``document=False``).
REGISTER = Table((
    C("期次", "{{ r.no }}", .045, "right", value="r.no", fmt="int"),
    C("节点", "{{ r.milestone }}", value="r.milestone"),
    C("比例", "{{ r.ratio|pct }}", .045, "right", value="r.ratio", fmt="pct", places=1, sheet_total="SUM({比例})"),
    C("计划金额", "{{ r.amount|yuan }}", .082, "right", value="r.amount", fmt="yuan", sheet_total="SUM({计划金额})"),
    C("计划\n日期", "{{ r.due_text }}", .07, value="r.due_cell", fmt="date"),
    value_column("开票\n日期", "r.invoice_date", "date", .07),
    C("开票金额", "{{ r.invoice_amount|yuan }}", .082, "right", value="r.invoice_amount", fmt="yuan",
      sheet_total="SUM({开票金额})"),
    value_column("实收\n日期", "r.received_date", "date", .07),
    C("实收金额", "{{ r.received_amount|yuan }}", .082, "right", value="r.received_amount", fmt="yuan",
      sheet_total="SUM({实收金额})"),
    C("未收金额", "{{ r.outstanding|yuan }}", .082, "right", value="r.outstanding", fmt="yuan",
      formula=OUTSTANDING, sheet_total="SUM({未收金额})"),
    C("逾期\n天数", "{{ r.days_overdue }}", .045, "right", value="r.days_overdue", fmt="int", formula=OVERDUE),
    C("账龄", "{{ r.aging }}", .05, value="r.aging", formula=AGING),
    C("状态", "{{ r.status }}", .05, value="r.status", formula=STATUS, choices="lists.status"),
    C("跟进人", "{{ r.owner|dash }}", .06, value="r.owner", choices="lists.owners"),
    C("下一步", "{{ r.next_step|dash }}", .095, value="r.next_step")),
    loop="r in rows", small=True, sheet="回款跟踪表", document=False)

#: the bold amounts of the 合计 row stay on one line
CSS = "table.small tr.total th { white-space: nowrap; }"

LAYOUT = Layout("PAY", (
    Heading("一、合同与回款概况"),
    Para("合同金额：{{ overview.contract_upper }}（{{ overview.contract_amount|yuan }}），分 {{ overview.installments }} 期"
         "回款；尾款为合同金额的 {{ overview.final_ratio }}%，在最终验收后 {{ overview.final_days }} 天内支付。"),
    KeyValue((("合同金额（小写）", "{{ overview.contract_amount|yuan }}"),
              ("合同金额（大写）", "{{ overview.contract_upper|dash }}"),
              ("报告日期", "{{ overview.report_date|cn_date }}"),
              ("最终验收日期", "{% if overview.acceptance_date %}{{ overview.acceptance_date|cn_date }}"
                            "{% else %}尚未最终验收{% endif %}"),
              ("尾款到期日", "{{ overview.final_due_text }}"),
              ("计划回款合计", "{{ totals.planned|yuan }}（比例合计 {{ totals.ratio|pct }}）"),
              ("已开票合计", "{{ totals.invoiced|yuan }}"),
              ("已回款合计", "{{ totals.received|yuan }}（占合同金额 {{ overview.received_pct|pct }}）"),
              ("未收合计", "{{ totals.outstanding|yuan }}"),
              ("回款周期", "{% if cycle.days is not none %}{{ cycle.days }} 天（目标 ≤ {{ cycle.target }} 天，"
                        "{{ '已达成' if cycle.met else '未达成' }}）{% else %}尾款到账后计算"
                        "（目标 ≤ {{ cycle.target }} 天）{% endif %}"))),
    Para("{{ cycle.text }}"),

    Heading("二、回款计划与执行"),
    REGISTER,
    Table((C("期次", "{{ r.no }}", .045, "right"), C("节点", "{{ r.milestone }}"),
           C("比例", "{{ r.ratio|pct }}", .05, "right"), C("计划金额", "{{ r.amount|yuan }}", .09, "right"),
           C("计划日期", "{{ r.due_text }}", .078), C("开票日期", "{{ r.invoice_date|iso }}", .078),
           C("开票金额", "{{ r.invoice_amount|yuan }}", .09, "right"),
           C("实收日期", "{{ r.received_date|iso }}", .078),
           C("实收金额", "{{ r.received_amount|yuan }}", .09, "right"),
           C("未收金额", "{{ r.outstanding|yuan }}", .09, "right"),
           C("逾期\n天数", "{{ r.days_overdue }}", .045, "right"), C("账龄", "{{ r.aging }}", .055),
           C("状态", "{{ r.status }}", .068)),
          loop="r in rows", small=True,
          total=("合计", "", "{{ totals.ratio|pct }}", "{{ totals.planned|yuan }}", "", "",
                 "{{ totals.invoiced|yuan }}", "", "{{ totals.received|yuan }}", "{{ totals.outstanding|yuan }}",
                 "", "", "")),
    Para("应收按各期计划金额计（开票不改变应收）：未收金额 = 计划金额 − 实收金额。逾期天数为自然日：尚有未收金额的，"
         "按报告日期{{ report.date|cn_date }}距计划日期的天数计（未到计划日期为 0）；已收清的，按实收日期晚于计划日期的天数计。"
         "尾款计划日期为最终验收日期后 {{ overview.final_days }} 天，验收前记为「验收后 {{ overview.final_days }} 天」。"),

    Heading("三、逾期与账龄"),
    Para("{{ overdue_text }}"),
    Table((C("账龄（逾期天数）", "{{ a.label }}", .3), C("期数", "{{ a.count }}", .1, "right"),
           C("未收金额", "{{ a.amount|yuan }}", .2, "right"), C("所含期次", "{{ a.installments }}")),
          loop="a in aging"),

    Heading("四、回款曲线"),
    Para("累计计划回款与累计实际回款按日期变化，虚线为合同金额与报告日期；尚无到期日的款项（如验收前的尾款）不计入计划曲线。",
         label=True),
    Named("collection"),

    Heading("五、跟进事项"),
    Para("{% if follow %}尚未收清的 {{ follow|length }} 期由跟进人按下一步推进；{% else %}各期均已收清；"
         "{% endif %}各期跟进人与下一步如下。", label=True),
    Table((C("期次", "{{ r.no }}", .06, "right"), C("节点", "{{ r.milestone }}", .16),
           C("状态", "{{ r.status }}", .08), C("未收金额", "{{ r.outstanding|yuan }}", .12, "right"),
           C("跟进人", "{{ r.owner|dash }}", .08), C("下一步", "{{ r.next_step|dash }}")),
          loop="r in rows"),

    Signatures("六、审批签字"),
), landscape=True, css=CSS, inputs=(Input("报告日期", "report.date", "date",
                                 "可修改：未收各期的逾期天数与账龄按此日期重新计算"),))
