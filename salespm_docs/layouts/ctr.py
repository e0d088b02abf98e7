"""CTR 合同评审表: the contract's key facts, the ten 评审要点, the four departments' opinions, the
conclusion, and the 甲方 / 乙方 signing block of the contract (portrait).

The amount is shown as ¥ and as 大写 generated from it (R-COM-5 reads the pair back); the 大写 typed
in the contract text is judged against it in words, never shown as if it were right."""

from ..layout import Column as C, Heading, KeyValue, Layout, Para, PartySignatures, Table, value_column

LAYOUT = Layout("CTR", (
    Heading("一、合同基本信息"),
    KeyValue((("合同编号", "{{ contract.id }}"), ("合同名称", "{{ contract.name }}"),
              ("客户（甲方）", "{{ client.name }}"), ("承建单位（乙方）", "{{ company.name }}"),
              ("合同金额（小写）", "{{ contract.amount|yuan }}"),
              ("合同金额（大写）", "{{ contract.amount_upper }}"),
              ("合同文本大写核对", "{{ contract.words_note }}"),
              ("签订日期", "{{ contract.signed|cn_date }}"),
              ("合同期限", "{{ contract.start|cn_date }} 至 {{ contract.end|cn_date }}（{{ contract.term_note }}）"),
              ("交付内容与标准", "{{ contract.delivery|dash }}"),
              ("需求说明书版本", "{{ contract.requirements_version|dash }}"
                              "{% if contract.requirements_number %}（{{ contract.requirements_number }}）{% endif %}")),
             label_width=0.22),
    Para("付款节点：", label=True),
    Table((C("期次", "{{ t.no }}", .08, "right"), C("付款节点", "{{ t.milestone }}", .17),
           value_column("比例", "t.ratio", "pct", .09, places=0),
           value_column("金额", "t.amount", "yuan", .19),
           C("付款条件", "{{ t.condition|dash }}"), C("回款计划\n核对", "{{ t.plan }}", .13)),
          loop="t in terms", keep=True,
          total=("合计", "", "{{ terms_total.ratio|pct(0) }}", "{{ terms_total.amount|yuan }}", "", "")),
    Para("{{ payment_note }}"),

    Heading("二、评审要点"),
    Table((C("序号", "{{ x.n }}", .08, "right"), C("评审要点", "{{ x.topic }}", .15),
           C("合同约定", "{{ x.terms|dash }}"), C("评审意见", "{{ x.opinion|dash }}", .30)),
          loop="x in points"),

    Heading("三、各部门评审意见"),
    Table((C("部门", "{{ r.department }}", .11), C("评审人", "{{ r.reviewer|dash }}", .17),
           C("结论", "{{ r.conclusion }}", .10), C("意见", "{{ r.opinion|dash }}"),
           C("日期", "{{ r.date|iso }}", .15), C("签字", "", .08)),
          loop="r in reviews", keep=True, sign=True),

    Heading("四、结论"),
    Para("{{ contract.conclusion|dash }}"),
    Para("{{ review_summary }}", bold=True),

    PartySignatures("五、合同签署"),
))
