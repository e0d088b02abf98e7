"""RISK 风险登记册: the heat map, the register, responses and contingency plans, reviews (landscape).

The documents split the sixteen columns in two tables (the register, then 应对措施 / 触发条件 /
应急计划 per risk); the XLSX has them all on one sheet 风险登记册 (a ``Table(document=False)``). Its 风险值 and 等级 are live
formulas over the 高风险下限 / 中风险下限 input cells of the 文档信息 sheet, 等级 shaded in the
heat map's colours by conditional formatting."""

from ..charts.heatmap import LEVELS as HEAT_COLOURS
from ..layout import Column as C, Heading, If, Input, Layout, Named, Para, Signatures, Table, value_column

VALUE = 'IF(OR({可能性}="",{影响}=""),"",{可能性}*{影响})'
LEVEL = 'IF({风险值}="","",IF({风险值}>={@高风险下限},"高",IF({风险值}>={@中风险下限},"中","低")))'
FILLS = tuple((f'{{等级}}="{name}"', HEAT_COLOURS[name][0].lstrip("#").upper()) for name in ("高", "中", "低"))


def _register_sheet() -> Table:
    """Every column of the register, for the XLSX sheet 风险登记册."""
    return Table((
        C("编号", "{{ r.id }}", .045, value="r.id"),
        C("描述", "{{ r.description }}", value="r.description"),
        C("类别", "{{ r.category|dash }}", .045, value="r.category"),
        C("可能\n性", "{{ r.probability|dash }}", .045, "right", value="r.probability", fmt="int", bounds=(1, 5)),
        C("影响", "{{ r.impact|dash }}", .045, "right", value="r.impact", fmt="int", bounds=(1, 5)),
        C("风险\n值", "{{ r.value|dash }}", .045, "right", value="r.value", fmt="int", formula=VALUE),
        C("等级", "{{ r.level|dash }}", .045, value="r.level", formula=LEVEL, choices="lists.levels", fills=FILLS),
        C("应对\n策略", "{{ r.strategy|dash }}", .045, value="r.strategy", choices="lists.strategies"),
        C("应对措施", "{{ r.actions|dash }}", .11, value="r.actions"),
        C("责任\n人", "{{ r.owner|dash }}", .045, value="r.owner", choices="lists.owners"),
        C("触发条件", "{{ r.trigger|dash }}", .08, value="r.trigger"),
        C("应急计划", "{{ r.contingency|dash }}", .09, value="r.contingency"),
        C("状态", "{{ r.status }}", .045, value="r.status", choices="lists.statuses"),
        value_column("识别\n日期", "r.identified", "date", .065),
        value_column("下次复\n核日期", "r.next_review", "date", .065),
        value_column("关闭\n日期", "r.closed", "date", .065),
    ), loop="r in risks", small=True, sheet="风险登记册", document=False)


LAYOUT = Layout("RISK", (
    Heading("一、编制说明"),
    Para("本风险登记册截至{{ status_date|cn_date }}，共登记风险 {{ summary.total }} 项：按等级，{{ summary.levels }}；"
         "按状态，{{ summary.statuses }}。"
         "{% if summary.open_high %}未关闭的高风险 {{ summary.open_high_count }} 项：{{ summary.open_high }}，"
         "须按触发条件密切监控并备好应急计划。{% else %}目前没有未关闭的高风险。{% endif %}"
         "{% if summary.unassessed %}风险 {{ summary.unassessed }} 尚未评估可能性或影响，等级待定。{% endif %}"),
    Para("风险值 = 可能性 × 影响（各 1–5 分）；等级按本项目的风险矩阵划分：{{ matrix.bands }}。"
         "未关闭的风险在周例会上跟踪、按下次复核日期复核，周进度报告列出本周关注的风险编号；高风险须有触发条件与应急计划。"),

    Heading("二、风险热力图"),
    Para("各风险按可能性（纵轴）与影响（横轴）落在矩阵中，格内数字为风险值，颜色为等级。", label=True),
    Named("heat_map"),

    Heading("三、风险登记册"),
    _register_sheet(),
    Table((C("编号", "{{ r.id }}", .045), C("描述", "{{ r.description }}"),
           C("类别", "{{ r.category|dash }}", .05),
           C("可能性", "{{ r.probability|dash }}", .058, "right"),
           C("影响", "{{ r.impact|dash }}", .045, "right"),
           C("风险值", "{{ r.value|dash }}", .058, "right"),
           C("等级", "{{ r.level|dash }}", .045, "center", status="r.colour"),
           C("应对\n策略", "{{ r.strategy|dash }}", .05),
           C("责任人", "{{ r.owner|dash }}", .06),
           C("状态", "{{ r.status }}", .06),
           C("识别日期", "{{ r.identified|iso }}", .08),
           C("下次复核\n日期", "{{ r.next_review|iso }}", .08),
           C("关闭日期", "{{ r.closed|iso }}", .08)),
          loop="r in risks", small=True),
    Para("各风险的应对措施、触发条件与应急计划见第四节。"),

    Heading("四、应对与应急计划"),
    Table((C("编号", "{{ r.id }}", .05), C("等级", "{{ r.level|dash }}", .045, "center", status="r.colour"),
           C("责任人", "{{ r.owner|dash }}", .06),
           C("应对措施", "{{ r.actions|dash }}"),
           C("触发条件", "{{ r.trigger|dash }}", .22),
           C("应急计划", "{{ r.contingency|dash }}", .26)),
          loop="r in risks", small=True),

    Heading("五、复核提醒"),
    If("review", (
        Para("以下未关闭的风险已过下次复核日期或尚未安排复核，请责任人尽快复核并更新登记册：", label=True),
        Table((C("编号", "{{ r.id }}", .06), C("描述", "{{ r.description }}"),
               C("等级", "{{ r.level|dash }}", .06, "center", status="r.colour"),
               C("责任人", "{{ r.owner|dash }}", .08), C("状态", "{{ r.status }}", .08),
               C("下次复核日期", "{{ r.next_review|iso }}", .12), C("提醒", "{{ r.review }}", .12)),
              loop="r in review", small=True),),
       (Para("{% if summary.open %}截至{{ status_date|cn_date }}，所有未关闭的风险均已安排复核，且没有超过下次复核日期的风险。"
             "{% else %}登记册中的风险均已关闭，无需复核。{% endif %}"),)),
    If("upcoming", (Para("{{ soon_days }} 天内到期复核：{{ upcoming }}。"),)),

    Signatures("六、审批签字"),
), landscape=True, inputs=(
    Input("高风险下限", "matrix.high_min", "int", "可修改：风险值不低于此值为高，等级随之重新计算"),
    Input("中风险下限", "matrix.medium_min", "int", "可修改：风险值不低于此值（且低于高风险下限）为中，再低为低"),
))
