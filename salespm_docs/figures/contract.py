"""Contract figures (CTR 合同评审表): the 大写 read back, the payment terms summed and matched with
the 回款计划 (PAY), and the contract term against the project dates. Rules and the document use
the same functions, so what the review form shows is what the rules check."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import money
from ..model.execution import Contract

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Words:
    """The contract's typed 大写 (``amount_in_words``) read back: ``value`` when it reads, else ``error``."""

    written: str
    value: Decimal | None
    error: str | None

    def agrees(self, amount: Decimal) -> bool:
        return self.value is not None and self.value == amount


def words(contract: Contract) -> Words | None:
    """The typed 大写 read back with the parser R-COM-5 uses (``None`` when none is typed)."""
    if not contract.amount_in_words:
        return None
    try:
        return Words(contract.amount_in_words, money.from_upper(contract.amount_in_words), None)
    except money.MoneyError as exc:
        return Words(contract.amount_in_words, None, str(exc))


def percent_text(value: Decimal) -> str:
    """``Decimal('99.00')`` → ``99%``, ``Decimal('12.5')`` → ``12.5%``."""
    text = f"{value.normalize():f}"
    return f"{text}%"


@dataclass(frozen=True)
class TermCheck:
    """One contract payment term against the 回款计划 installment of the same 期次."""

    no: int
    expected: Decimal
    """合同金额 × 比例, to the fen."""
    installment: int | None
    """Index of the PAY installment with this 期次 (``None``: not in the plan, or no plan)."""
    differences: tuple[str, ...]
    """What differs from that installment (比例 / 金额), in words; empty when they agree."""


def term_checks(contract: Contract, payments: list) -> list[TermCheck]:
    """Each payment term against ``amount × ratio`` and the PAY installment with the same 期次."""
    by_no = {}
    for k, i in enumerate(payments):
        by_no.setdefault(i.no, k)
    checks = []
    for t in contract.payment_terms:
        k = by_no.get(t.no)
        diffs: list[str] = []
        if k is not None:
            i = payments[k]
            if i.ratio != t.ratio:
                diffs.append(f"比例 {percent_text(t.ratio)} ≠ 回款计划 {percent_text(i.ratio)}")
            if i.amount != t.amount:
                diffs.append(f"金额 {money.format_yuan(t.amount)} ≠ 回款计划 {money.format_yuan(i.amount)}")
        checks.append(TermCheck(t.no, (contract.amount * t.ratio / HUNDRED).quantize(CENT), k, tuple(diffs)))
    return checks


def sums(contract: Contract) -> tuple[Decimal, Decimal]:
    """(Σ 比例, Σ 金额) of the payment terms."""
    return (sum((t.ratio for t in contract.payment_terms), Decimal(0)),
            sum((t.amount for t in contract.payment_terms), Decimal("0.00")))
