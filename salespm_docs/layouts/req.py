"""REQ 需求说明书 (portrait): the requirements by kind, each with its priority and acceptance criterion,
the change management with the derived 需求跟踪矩阵, and the 甲方 / 乙方 confirmation with room for
the seals. Client-facing: nothing internal (budget, cost) is shown."""

from ..layout import Bullets, Column as C, Heading, If, Layout, Para, PartySignatures, Table


def _requirements(name: str, empty: str) -> If:
    return If(name, (
        Table((C("编号", "{{ r.id }}", .08), C("需求名称", "{{ r.title }}", .14),
               C("需求描述", "{{ r.description|dash }}"),
               C("优先级", "{{ r.priority|dash }}", .09, "center"),
               C("验收标准", "{{ r.acceptance|dash }}", .26),
               C("来源", "{{ r.source|dash }}", .12)),
              loop=f"r in {name}", small=True),),
        (Para(empty),))


LAYOUT = Layout("REQ", (
    Heading("一、引言"),
    Para("{{ req.introduction|dash }}"),
    Para("本说明书共列需求 {{ counts.total }} 条：功能需求 {{ counts.functional }} 条、非功能需求 "
         "{{ counts.non_functional }} 条、接口与数据需求 {{ counts.interfaces }} 条；按优先级分，必须 {{ counts.p0 }} 条、"
         "应该 {{ counts.p1 }} 条、可以 {{ counts.p2 }} 条。优先级的含义：「必须」为本期必须实现、验收时逐条检验；"
         "「应该」为本期计划实现；「可以」为视进度与资源安排，可在后续阶段实现。"),

    Heading("二、项目背景与业务目标"),
    Para("{{ req.background|dash }}"),
    If("req.goals", (Para("业务目标：", label=True), Bullets("x in req.goals")),),

    Heading("三、用户与角色"),
    If("roles", (
        Table((C("角色", "{{ r.name }}", .18), C("职责与使用场景", "{{ r.description|dash }}"),
               C("用户数", "{{ r.users|dash }}", .10, "right")), loop="r in roles"),),
       (Para("尚未列出用户与角色（requirements.roles）。"),)),

    Heading("四、功能需求"),
    _requirements("functional", "尚未列出功能需求（requirements.functional）。"),

    Heading("五、非功能需求"),
    _requirements("non_functional", "尚未列出非功能需求（requirements.non_functional）。"),

    Heading("六、接口与数据需求"),
    _requirements("interfaces", "尚未列出接口与数据需求（requirements.interfaces）。"),

    Heading("七、约束与假设"),
    Heading("约束", 2),
    If("req.constraints", (Bullets("x in req.constraints"),), (Para("无。"),)),
    Heading("假设", 2),
    If("req.assumptions", (Bullets("x in req.assumptions"),), (Para("无。"),)),

    Heading("八、需求变更管理"),
    Para("{{ req.change_management|dash }}"),
    If("changed", (
        Para("经变更申请纳入的需求：{% for c in changed %}{{ c.id }}「{{ c.title }}」（{{ c.change }}）"
             "{% if not loop.last %}、{% endif %}{% endfor %}。版本变化见文档修订记录。"),)),
    Heading("需求跟踪矩阵", 2),
    Para("下表列出每条需求由解决方案的哪些功能实现、由工作分解结构（WBS）中的哪些工作完成、形成哪些交付物，"
         "以及交付物的验收结果（尚无验收结果的为「未验收」）。{{ counts.total }} 条需求中 {{ counts.covered }} 条"
         "已由方案功能与 WBS 工作覆盖{% if counts.accepted %}，{{ counts.accepted }} 条的交付物均已有验收结果{% endif %}。"),
    Table((C("需求\n编号", "{{ m.id }}", .09), C("需求名称", "{{ m.title }}", .13),
           C("优先级", "{{ m.priority|dash }}", .09, "center"),
           C("方案功能", "{{ m.functions }}"), C("WBS\n元素", "{{ m.wbs }}", .13),
           C("交付物", "{{ m.deliverables }}", .20), C("验收结果", "{{ m.results }}", .13)),
          loop="m in matrix", small=True),

    PartySignatures("九、双方确认"),
))
