"""Common blocks: the cover (control block) of every document and the two signature blocks,
expanded into plain elements so that each writer has one way to draw a table."""

from __future__ import annotations

from .elements import (Block, Column, Heading, If, KeyValue, Named, Para, PartySignatures, Picture,
                       Signatures, Table)

DRAFT_TEXT = "「草稿」本文档尚未批准或未通过完整性检查，不得作为正式文件使用"

COVER: tuple[Block, ...] = (
    If("doc.draft", (Para(DRAFT_TEXT, bold=True, center=True, role="banner"),)),
    Picture("logo", "company.logo", alt="{{ company.name }}", css_class="logo"),
    Para("{{ doc.title }}", role="title", center=True, bold=True),
    Para("{{ project.name }}", role="subtitle", center=True, bold=True),
    KeyValue((
        ("文档名称", "{{ doc.title }}"),
        ("文档编号", "{{ doc.number }}"),
        ("版本号", "{{ doc.version }}"),
        ("密级", "{{ doc.classification }}"),
        ("项目名称", "{{ project.name }}"),
        ("项目编号", "{{ project.code }}"),
        ("客户名称", "{{ client.name }}"),
        ("状态", "{{ doc.status }}"),
        ("编制", "{{ doc.prepared.name }}　{{ doc.prepared.date|iso }}"),
        ("审核", "{{ doc.reviewed.name }}　{{ doc.reviewed.date|iso }}"),
        ("批准", "{{ doc.approved.name }}　{{ doc.approved.date|iso }}"),
    )),
    Para("修订记录", bold=True, label=True),
    Table((Column("版本", "{{ r.version }}", 0.12),
           Column("日期", "{{ r.date|iso }}", 0.17),
           Column("修订人", "{{ r.author }}", 0.14),
           Column("修订内容", "{{ r.summary }}")),
          loop="r in doc.revisions"),
)

SIGNATURE_COLUMNS = (Column("环节", "{{ s.label }}", 0.12), Column("姓名", "{{ s.name }}", 0.16),
                     Column("职务", "{{ s.role }}", 0.24), Column("签字", ""),
                     Column("日期", "{{ s.date|cn_date }}", 0.22))


def expand(block: Block) -> tuple[Block, ...]:
    """A composite block as plain elements (other blocks unchanged)."""
    if isinstance(block, Signatures):
        head = (Heading(block.heading),) if block.heading else ()
        return head + (Table(SIGNATURE_COLUMNS, loop="s in signatures", sign=True, keep=True),)
    if isinstance(block, PartySignatures):
        head = (Heading(block.heading),) if block.heading else ()
        table = Table((Column("", "", 0.24), Column("甲方", ""), Column("乙方", "")),
                      rows=(("单位名称（盖章）", "{{ parties.client.organisation }}", "{{ parties.vendor.organisation }}"),
                            ("代表签字", "{{ parties.client.representative }}", "{{ parties.vendor.representative }}"),
                            ("日期", "{{ parties.client.date|cn_date }}", "{{ parties.vendor.date|cn_date }}")),
                      row_headers=True, sign=True, keep=True)
        seal = (Para("甲方（盖章）：\t乙方（盖章）：", role="seal"),) if block.seal_line else ()
        return head + (table,) + seal
    return (block,)


__all__ = ["COVER", "DRAFT_TEXT", "expand", "Named"]
