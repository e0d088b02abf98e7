"""ARC 归档清单: 归档说明 · 归档文件目录 (档号, 保管期限, SHA-256 …) · 未归档文件 · 移交与接收 (landscape).

The XLSX register keeps the whole list on one sheet, each SHA-256 in one cell; the documents break
it into two lines of 32 digits."""

from ..layout import Column as C, Heading, If, Layout, Para, Table

LAYOUT = Layout("ARC", (
    Heading("一、归档说明"),
    Para("本清单列出项目「{{ project.name }}」（{{ project.code }}）归档的全部文件，共 {{ archive.total }} 件、"
         "{{ archive.pages }} 页，涉及 {{ archive.documents }} 份文档；本次（第 {{ archive.batch }} 次归档，"
         "{{ archive.date|cn_date }}）新增 {{ archive.added }} 件。归档目标：{{ archive.target }}。"),
    Para("档号按 DA/T 22-2015 编制：全宗号-年度-保管期限代码-件号，全宗号 {{ archive.fonds }}；年度取文件批准日期所在年度，"
         "保管期限代码 Y 为永久、D30 为 30 年、D10 为 10 年，件号在同一年度、同一保管期限内从 0001 起连续编号。"
         "文件均转换为 {{ archive.format }}（GB/T 23286.3），内嵌可编辑原件与项目源数据；"
         "全部文件按 BagIt 格式封装，SHA-256 校验值用于证明文件未被改动。同一文档的新版本另行归档，旧版本保留。"),

    Heading("二、归档文件目录"),
    If("records", (
        Table((C("序号", "{{ r.seq }}", .045, "right", value="r.seq", fmt="int"),
               C("档号", "{{ r.archival_code }}", .135, value="r.archival_code"),
               C("文件名称", "{{ r.title }}", value="r.title"),
               C("文档编号", "{{ r.number }}", .115, value="r.number"),
               C("版本", "{{ r.version }}", .05, value="r.version"),
               C("页数", "{{ r.pages }}", .045, "right", value="r.pages", fmt="int", sheet_total="SUM({页数})"),
               C("密级", "{{ r.classification }}", .05, value="r.classification"),
               C("保管\n期限", "{{ r.retention }}", .045, value="r.retention"),
               C("格式", "{{ r.format }}", .08, value="r.format"),
               C("SHA-256", "{{ r.sha256[:32] }}", .25, lines=("{{ r.sha256[32:] }}",), value="r.sha256")),
              loop="r in records", small=True, sheet="归档文件目录",
              total=("合计", "", "", "", "", "{{ archive.pages }}", "", "", "", "")),),
       (Para("尚无归档文件。"),)),

    Heading("三、未归档文件"),
    If("gaps", (
        Para("以下应归档文件未能归档（缺失、未批准或未通过完整性检查），须补齐后再次归档：", label=True),
        Table((C("文档类型", "{{ g.code }}", .09, value="g.code"),
               C("文件名称", "{{ g.title }}", .3, value="g.title"),
               C("原因", "{{ g.reason }}", value="g.reason")),
              loop="g in gaps", sheet="未归档文件"),),
       (Para("应归档文件均已归档，无缺漏。"),)),

    Heading("四、移交与接收"),
    Table((C("交接", "{{ h.role }}", .22), C("姓名", "{{ h.name|dash }}", .2), C("签字", "　"),
           C("日期", "　年　　月　　日", .22)),
          loop="h in handover", sign=True),
), landscape=True)
