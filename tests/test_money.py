"""大写金额: every test vector of ARTIFACTS.md §2, in both directions, and the errors."""

from decimal import Decimal

import pytest

from salespm_docs.money import MoneyError, format_wan, format_yuan, from_upper, to_decimal, to_upper

VECTORS = [
    ("1409.50", "人民币壹仟肆佰零玖元伍角"),
    ("6007.14", "人民币陆仟零柒元壹角肆分"),
    ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),
    ("107000.53", "人民币壹拾万柒仟元零伍角叁分"),
    ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "人民币叁佰贰拾伍元零肆分"),
    ("5000000", "人民币伍佰万元整"),
    ("100010000", "人民币壹亿零壹万元整"),
    ("1000001", "人民币壹佰万零壹元整"),
    ("15", "人民币壹拾伍元整"),
    ("0.50", "人民币伍角"),
]


@pytest.mark.parametrize("amount, words", VECTORS)
def test_generator_writes_vector(amount, words):
    assert to_upper(Decimal(amount)) == words


@pytest.mark.parametrize("amount, words", VECTORS)
def test_parser_reads_vector(amount, words):
    assert from_upper(words) == Decimal(amount)


@pytest.mark.parametrize("words, amount", [
    ("人民币壹仟陆佰捌拾元叁角贰分", "1680.32"),   # 零 optional where 元 ends in 0 (ARTIFACTS §2)
    ("人民币伍佰万元正", "5000000"),               # 正 for 整
    ("人民币伍角整", "0.50"),                      # 整 optional after 角
    ("伍佰万元整", "5000000"),                     # without the prefix
])
def test_parser_reads_permitted_variants(words, amount):
    assert from_upper(words) == Decimal(amount)


@pytest.mark.parametrize("words, message", [
    ("人民币壹仟陆佰捌拾元零叁角贰分整", "书写不规范，应为「人民币壹仟陆佰捌拾元零叁角贰分」"),  # 整 after 分
    ("人民币两万元整", "含不允许的字「两」"),
    ("人民币伍拾元伍毛", "含不允许的字「毛」"),
    ("人民币一百元整", "含不允许的字「一」"),
    ("人民币叁佰贰拾伍元肆分", "书写不规范，应为「人民币叁佰贰拾伍元零肆分」"),  # 零 required before 分
    ("人民币壹佰零零元整", "书写不规范，应为「人民币壹佰元整」"),
])
def test_parser_refuses_forbidden_forms(words, message):
    with pytest.raises(MoneyError) as info:
        from_upper(words)
    assert message in str(info.value)


def test_round_trip_over_many_amounts():
    for cents in list(range(0, 100_000, 7)) + [10**10 + 1, 99_999_999_999_99]:
        amount = Decimal(cents) / 100
        assert from_upper(to_upper(amount)) == amount.quantize(Decimal("0.01"))


def test_more_than_two_decimals_is_an_error_not_a_truncation():
    with pytest.raises(MoneyError, match="最多两位小数"):
        to_upper(Decimal("1.005"))


def test_float_is_refused():
    with pytest.raises(MoneyError, match="不能是浮点数"):
        to_decimal(1.5)


def test_negative_is_refused():
    with pytest.raises(MoneyError, match="不能为负数"):
        to_upper(Decimal("-1"))


def test_table_and_prose_formats():
    assert format_yuan(Decimal("5000000")) == "¥5,000,000.00"
    assert format_yuan(Decimal("1680.3")) == "¥1,680.30"
    assert format_wan(Decimal("4800000")) == "480万元"
    assert format_wan(Decimal("1234567.89")) == "123.46万元"
