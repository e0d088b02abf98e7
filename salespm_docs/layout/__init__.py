"""Layouts: one description of each document's layout, from which every format's template is
generated (``layout.generate``): the Word template, the HTML template, later the XLSX registers."""

from .elements import (Block, Bullets, Column, Heading, If, Input, KeyValue, Layout, Named, Para, PartySignatures,
                       Picture, Signatures, Table, decimal, money, percent, value_column)

__all__ = ["Block", "Bullets", "Column", "Heading", "If", "Input", "KeyValue", "Layout", "Named", "Para",
           "PartySignatures", "Picture", "Signatures", "Table", "decimal", "money", "percent", "value_column"]
