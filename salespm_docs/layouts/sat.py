"""SAT 满意度问卷: one layout, two documents (``artifacts/sat.py``) — the blank questionnaire
(``form``) and a survey's results summary. The 答卷 sheet (workbook only) is the XLSX form in both:
empty rows with drop-downs for the blank form, the answers for a results summary."""

from ..layout import Column as C, Heading, If, Input, KeyValue, Layout, Para, Signatures, Table, percent

DIMS = ("交付质量", "进度", "沟通响应", "团队专业度", "培训/售后")
HEAD = {"交付质量": "交付\n质量", "进度": "进度", "沟通响应": "沟通\n响应", "团队专业度": "团队\n专业度", "培训/售后": "培训/\n售后"}

_score_box = tuple(C(f"{n} 分\n{label}", "□", .10, "center")
                   for n, label in zip(range(1, 6), ("非常\n不满意", "不满意", "一般", "满意", "非常\n满意")))

FORM = (
    Heading("一、填写说明"),
    Para("尊敬的{{ client.name }}：感谢您对「{{ project.name }}」项目的支持。为持续改进我们的服务，请您就以下五个方面"
         "对{{ company.name }}项目团队的工作进行评价，在每一行选定的分值下方框内打“√”（每行只选一项）："
         "1 分 = 非常不满意，2 分 = 不满意，3 分 = 一般，4 分 = 满意，5 分 = 非常满意。"
         "对评分为 1–2 分的方面，烦请在“意见与建议”中写明原因，我们将逐项制定改进措施并向您反馈。"),
    Heading("二、满意度评分"),
    Table((C("序号", "{{ d.no }}", .08, "center"), C("评价维度", "{{ d.name }}", .13),
           C("评价内容", "{{ d.question }}"), *_score_box), loop="d in dimensions", keep=True),
    Heading("三、推荐意愿（NPS）"),
    Para("您有多大可能向同行或合作伙伴推荐{{ company.name }}？请在一个分值下方框内打“√”"
         "（0 = 完全不可能，10 = 非常可能）。"),
    Table(tuple(C(f"{v}", "□", None, "center") for v in range(11)), rows=(("□",) * 11,), keep=True),
    Heading("四、意见与建议"),
    Table((C("问题", "{{ x }}", .28), C("您的意见", "　")),
          rows=(("您最满意的方面", "　"), ("最需要改进的方面（1–2 分的原因）", "　"), ("其他意见与建议", "　")),
          row_headers=True, sign=True),
    Heading("五、答卷人信息"),
    Table((C("答卷人姓名", "　", .16), C("单位与职务", "　", .24), C("联系电话 / 邮箱", "　"), C("签字", "　", .14),
           C("填写日期", "　年　　月　　日", .2)),
          rows=(("　", "　", "　", "　", "　年　　月　　日"),), sign=True),
    Para("请将填好的问卷（纸质签字扫描件，或同名 XLSX 表格）交回项目经理。感谢您的宝贵意见！"),
)

RESULTS = (
    Heading("一、调研概况"),
    KeyValue((("调研阶段", "{{ survey.stage }}阶段"), ("调研日期", "{{ survey.date|cn_date }}"),
              ("回收答卷", "{{ survey.count }} 份（评分答案 {{ survey.answers }} 个）"),
              ("CSAT（满意度）", "{{ survey.csat|pct(1, true) }}（4–5 分答案 {{ survey.satisfied }} 个 / 全部评分答案 "
                               "{{ survey.answers }} 个）"),
              ("NPS（净推荐值）", "{{ survey.nps|num }}（（推荐者 {{ tally.promoters }} 人 − 贬损者 {{ tally.detractors }} 人）"
                               "÷ 作答 {{ tally.count }} 人 × 100）"))),
    Para("CSAT = 评分为 4–5 分（满意、非常满意）的答案占全部评分答案的比例；NPS = 推荐意愿 9–10 分的比例 − 0–6 分的比例"
         "（百分点，−100 至 100）。以上数字均按答卷重新计算。"),
    Heading("二、满意度评分（CSAT）"),
    Table((C("评价维度", "{{ r.name }}"), C("作答", "{{ r.count }}", .08, "center"),
           C("1 分", "{{ r.counts[0] }}", .08, "center"), C("2 分", "{{ r.counts[1] }}", .08, "center"),
           C("3 分", "{{ r.counts[2] }}", .08, "center"), C("4 分", "{{ r.counts[3] }}", .08, "center"),
           C("5 分", "{{ r.counts[4] }}", .08, "center"), C("平均分", "{{ r.mean|num(2) }}", .10, "right"),
           percent("CSAT", "r.csat", .11), C("低分项\n≤ 2 分", "{{ r.low }}", .11, "center")),
          loop="r in rows", total=("合计", "{{ survey.answers }}", "", "", "", "", "", "", "{{ survey.csat|pct(1, true) }}",
                                   "{{ low|length }}"), keep=True),
    Para("答卷明细（每份答卷的各维度评分与推荐意愿）："),
    Table((C("序号", "{{ a.no }}", .08, "center"), C("答卷人", "{{ a.respondent }}"),
           *(C(HEAD[d], f"{{{{ a.scores['{d}']|dash }}}}", .095, "center") for d in DIMS),
           C("推荐\n意愿", "{{ a.nps|dash }}", .09, "center")), loop="a in responses", small=True),
    Heading("三、推荐意愿（NPS）"),
    Table((C("作答人数", "{{ tally.count }}", None, "center"), C("推荐者\n（9–10 分）", "{{ tally.promoters }}", None, "center"),
           C("被动者\n（7–8 分）", "{{ tally.passives }}", None, "center"),
           C("贬损者\n（0–6 分）", "{{ tally.detractors }}", None, "center"), C("NPS", "{{ tally.nps|num }}", None, "center")),
          rows=(("{{ tally.count }}", "{{ tally.promoters }}", "{{ tally.passives }}", "{{ tally.detractors }}",
                 "{{ tally.nps|num }}"),), keep=True),
    Heading("四、意见与建议"),
    If("comments", (Table((C("答卷人", "{{ c.respondent }}", .26), C("意见与建议", "{{ c.comment }}")),
                          loop="c in comments"),),
       (Para("本次调研的答卷未填写意见。"),)),
    Heading("五、跟进措施"),
    If("low", (Para("低分项（≤ 2 分）{{ low|length }} 个，均须有跟进措施："
                    "{% for x in low %}{{ x.respondent }}「{{ x.dimension }}」{{ x.score }} 分"
                    "（{% if x.follow_ups %}措施 {{ x.follow_ups|join_cn }}{% else %}尚无跟进措施{% endif %}）"
                    "{% if not loop.last %}；{% endif %}{% endfor %}。"),),
       (Para("本次调研没有低分项（≤ 2 分）。"),)),
    If("follow_ups", (Table((C("序号", "{{ f.no }}", .08, "center"), C("针对的问题", "{{ f.issue }}", .25),
                            C("维度", "{{ f.dimension|dash }}", .13), C("改进措施", "{{ f.action }}"),
                            C("责任人", "{{ f.owner|dash }}", .10), C("完成时间", "{{ f.due|iso }}", .13)),
                           loop="f in follow_ups"),),
       (Para("本次调研未提出跟进措施。"),)),
    Signatures("六、审批签字"),
)

LAYOUT = Layout("SAT", (
    If("form", FORM, RESULTS),
    Table((C("答卷人", "{{ a.respondent }}", .16),
           *(C(HEAD[d], f"{{{{ a.scores['{d}']|dash }}}}", .09, "center", value=f"a.scores['{d}']", fmt="int",
               choices="scales.score") for d in DIMS),
           C("推荐\n意愿", "{{ a.nps|dash }}", .09, "center", value="a.nps", fmt="int", choices="scales.nps"),
           C("意见与建议", "{{ a.comment|dash }}", .30)),
          loop="a in responses", sheet="答卷", document=False),
), inputs=(Input("评分说明", "'1 = 非常不满意，2 = 不满意，3 = 一般，4 = 满意，5 = 非常满意'",
                 note="在「答卷」工作表每行填写一位答卷人，五个维度从下拉列表选 1–5 分"),
           Input("推荐意愿说明", "'0 = 完全不可能推荐，10 = 非常可能推荐'",
                 note="「推荐意愿」从下拉列表选 0–10 分；1–2 分的维度请在「意见与建议」写明原因")))
