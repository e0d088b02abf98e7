"""PERF 团队绩效评估 (landscape, internal): the method, the weights, the result table (姓名 · 角色 ·
维度得分 · 加权总分 · 等级 · 评语), the grade distribution, who was not evaluated and why, signatures."""

from ..layout import Bullets, Column as C, Heading, If, KeyValue, Layout, Para, Signatures, Table

LAYOUT = Layout("PERF", (
    Heading("一、评估说明"),
    KeyValue((("项目名称", "{{ project.name }}"),
              ("评估期间", "{{ perf.start|cn_date }}至{{ perf.end|cn_date }}"),
              ("评估日期", "{{ perf.date|cn_date }}"),
              ("评估人", "{% for e in perf.evaluators %}{{ e.name }}{% if e.role %}（{{ e.role }}）{% endif %}"
                        "{% if not loop.last %}、{% endif %}{% else %}—{% endfor %}"))),
    Para("本次评估覆盖项目组名册中的 {{ perf.team }} 名成员：评估 {{ perf.count }} 人"
         "{% if exclusions %}，{{ exclusions|length }} 人不参加评估（理由见第五节）{% endif %}。"
         "各维度按百分制（{{ perf.scale_low|num }}–{{ perf.scale_high|num }} 分）评分，"
         "加权总分 = Σ 维度权重 × 维度得分 ÷ 100，保留一位小数；等级按公司规定的等级区间由加权总分确定。"
         "{% if perf.average is not none %}评估人员加权总分平均 {{ perf.average|num(1) }} 分，"
         "最高 {{ perf.top|num(1) }} 分（{{ perf.top_names|join_cn }}）。{% endif %}"),
    If("perf.basis", (Para("评估依据："), Bullets("x in perf.basis"))),
    Para("本文档含个人评分与评语，为内部文档，仅限项目发起人、项目经理与被评估人本人查阅，不得对外提供。"),

    Heading("二、评估维度与权重"),
    If("dimensions", (
        Table((C("序号", "{{ loop.index }}", .06, "right"), C("维度", "{{ d.name }}", .14),
               C("权重", "{{ d.weight|pct(0) }}", .08, "right"), C("评价要点", "{{ d.criteria|dash }}")),
              loop="d in dimensions", total=("合计", "", "{{ weight_total|pct(0) }}", ""), keep=True),),
       (Para("尚未填写评估维度（performance.dimensions）。"),)),
    Para("等级区间：{% for b in bands %}{{ b.range }} 分为{{ b.grade }}{% if not loop.last %}；{% endif %}{% endfor %}"
         "（下限含本数）。"),

    Heading("三、评估结果"),
    If("rows", (
        Table((C("序号", "{{ r.n }}", .045, "right"), C("姓名", "{{ r.name }}", .065),
               C("角色", "{{ r.role|dash }}", .09), C("维度得分", "{{ r.scores }}", .2, lines=("{{ r.scores_more }}",)),
               C("加权\n总分", "{{ r.total|num(1) }}", .06, "right"), C("等级", "{{ r.grade|dash }}", .06, "center"),
               C("评语", "{{ r.comment }}")),
              loop="r in rows", small=True),),
       (Para("尚未填写评估（performance.evaluations）。"),)),

    Heading("四、等级分布"),
    Table((C("等级", "{{ g.grade }}", .1), C("加权总分区间", "{{ g.range }}", .16),
           C("人数", "{{ g.count }}", .08, "right"), C("占比", "{{ g.share|pct(1, true) }}", .1, "right"),
           C("人员", "{{ g.names|join_cn|dash }}")),
          loop="g in distribution", total=("合计", "", "{{ perf.graded }}", "", ""), keep=True),

    Heading("五、未参加评估人员"),
    If("exclusions", (
        Table((C("姓名", "{{ x.name }}", .1), C("角色", "{{ x.role|dash }}", .14), C("不参加评估的理由", "{{ x.reason }}")),
              loop="x in exclusions"),),
       (Para("无：项目组名册中的成员均参加了本次评估。"),)),

    Signatures("六、审批签字"),
), landscape=True)
