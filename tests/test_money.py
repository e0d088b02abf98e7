"""大写金额: every test vector of ARTIFACTS.md §2, in both directions, and the errors."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salespm_docs.check import text_findings
from salespm_docs.money import LIMIT, MoneyError, format_wan, format_yuan, from_upper, to_decimal, to_upper

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


# --- issue 10: every form the PBOC rules allow ------------------------------------------------

TRADITIONAL = {"贰": "貳", "陆": "陸", "亿": "億", "万": "萬", "元": "圆"}


@pytest.mark.parametrize("words, amount", [
    ("人民币壹拾万零柒仟元伍角叁分", "107000.53"),     # rule 4(3), the rule's own example
    ("人民币壹拾万零柒仟元零伍角叁分", "107000.53"),
    ("人民币壹佰万零柒仟元整", "1007000"),             # 万位 and 拾万位 0, 千位 not
    ("人民币壹拾亿零柒仟万元整", "1070000000"),         # 零 after 亿
    ("人民币壹拾亿零柒仟万零柒仟元整", "1070007000"),
    ("人民币壹拾亿柒仟万零柒仟元整", "1070007000"),
    ("人民币壹拾亿零柒仟万柒仟元整", "1070007000"),
    ("人民币伍佰万圆整", "5000000"),                   # 圆 for 元
    ("人民币伍佰万圓整", "5000000"),                   # 圓
    ("人民币貳佰萬圓正", "2000000"),                   # 貳 萬
    ("人民币陸億零陸萬元整", "600060000"),             # 陸 億
    ("人民币壹仟陆佰捌拾圆叁角贰分", "1680.32"),
    ("人民币壹仟肆佰零玖元伍角整", "1409.50"),          # 整 after 角
    ("人民币壹仟肆佰零玖元伍角正", "1409.50"),          # 正 after 角
    ("人民币壹仟陆佰捌拾元叁角贰分", "1680.32"),        # no 零 after 元 when 角 is not 0
])
def test_parser_reads_every_permitted_form(words, amount):
    assert from_upper(words) == Decimal(amount)


@pytest.mark.parametrize("words, message", [
    ("人民币壹万贰仟叁佰元整", None),
    ("人民币一万贰仟元整", "含不允许的字「一」"),
    ("人民币壹万二仟元整", "含不允许的字「二」"),
    ("人民币壹万贰仟三佰元整", "含不允许的字「三」"),
    ("人民币两万元整", "含不允许的字「两」"),
    ("人民币伍拾元伍毛", "含不允许的字「毛」"),
    ("人民币壹佰另伍元整", "含不允许的字「另」"),
    ("人民币伍佰万元", "在「元」后缺少「整」（或「正」），应为「人民币伍佰万元整」"),
    ("人民币伍佰万圆", "在「元」后缺少「整」（或「正」），应为「人民币伍佰万元整」"),
    ("人民币伍佰万元零角零分", "不应写「零角」"),
    ("人民币壹万零柒仟元整", "书写不规范，应为「人民币壹万柒仟元整」"),      # 万位 is not 0
    ("人民币壹拾万零零柒仟元整", "书写不规范，应为「人民币壹拾万柒仟元整」"),  # one 零 only
    ("人民币壹拾万零柒仟元整零", "无法解析大写金额「人民币壹拾万零柒仟元整零」：角、分部分格式不正确"),
    ("人民币伍佰万元整$", "含无法识别的字「$」"),
])
def test_parser_still_refuses_forbidden_forms(words, message):
    if message is None:
        assert from_upper(words) == Decimal("12300")
        return
    with pytest.raises(MoneyError) as info:
        from_upper(words)
    assert message in str(info.value)


def _zero_after(words: str, unit: str) -> str:
    assert unit in words and not words[words.index(unit) + 1] == "零"
    return words.replace(unit, unit + "零", 1)


def test_zero_after_wan_every_amount_with_wan_digit_zero_and_qian_digit_not():
    count = 0
    for high in range(1, 350):                           # 拾万 and above: 1 … 349
        for qian in range(1, 10):
            for low in (0, 5, 60, 708, 999):
                for cents in (0, 53, 7):
                    yuan = high * 10**5 + qian * 10**3 + low
                    amount = (Decimal(yuan * 100 + cents) / 100).quantize(Decimal("0.01"))
                    canonical = to_upper(amount)
                    variant = _zero_after(canonical, "万")
                    assert from_upper(canonical) == amount
                    assert from_upper(variant) == amount, variant
                    count += 1
    assert count == 349 * 9 * 5 * 3


def test_zero_after_yi_every_amount_with_yi_digit_zero_and_qianwan_digit_not():
    for high in range(1, 350):                           # 拾亿 and above
        for qianwan in range(1, 10):
            for low in (0, 30_000, 1_000_001, 9_999_999, 7_000):
                yuan = high * 10**9 + qianwan * 10**7 + low
                canonical = to_upper(Decimal(yuan))
                variant = _zero_after(canonical, "亿")
                assert from_upper(variant) == yuan, variant
                if low // 10**4 % 10 == 0 and low // 10**3 % 10:
                    assert from_upper(_zero_after(variant, "万")) == yuan


def test_zero_after_wan_is_refused_where_wan_digit_is_not_zero():
    for wan in range(1, 10):
        for qian in range(1, 10):
            canonical = to_upper(Decimal(wan * 10**4 + qian * 10**3))
            with pytest.raises(MoneyError, match="书写不规范"):
                from_upper(canonical.replace("万", "万零"))


amounts = st.integers(min_value=0, max_value=int(LIMIT) * 100 - 1).map(
    lambda cents: (Decimal(cents) / 100).quantize(Decimal("0.01")))


@settings(max_examples=500, deadline=None)
@given(amounts)
def test_round_trip_random(amount):
    assert from_upper(to_upper(amount)) == amount


@settings(max_examples=500, deadline=None)
@given(amounts, st.sets(st.sampled_from(sorted(TRADITIONAL))), st.booleans(), st.booleans())
def test_variant_forms_random(amount, traditional, zheng, zero):
    words = to_upper(amount)
    if zero:   # 零 after 万 / 亿 wherever the rule allows it
        yuan = int(amount)
        for unit, place in (("万", 4), ("亿", 8)):
            if unit in words and yuan // 10**place % 10 == 0 and yuan // 10 ** (place - 1) % 10:
                words = words.replace(unit, unit + "零", 1)
    if zheng:
        words = words.replace("整", "正")
    words = "人民币" + "".join(TRADITIONAL.get(c, c) if c in traditional else c for c in words[3:])
    assert from_upper(words) == amount


@pytest.mark.parametrize("value, message", [
    ("1,50", "金额「1,50」的千分位逗号位置不对（应每三位一个，如 1,500,000.00）"),
    ("15,00.00", "千分位逗号位置不对"),
    ("1,500.00,", "千分位逗号位置不对"),
    (10**27, "金额超出范围：须小于一万亿元（大写金额的上限），实际为 1000000000000000000000000000"),
    (Decimal("1E+30"), "金额超出范围"),
    ("1e999999999", "金额超出范围"),
    (True, "应为金额，实际为布尔值 true"),
    (None, "缺少金额（值为空）"),
    ([1], "应为金额，实际为列表"),
    ({"a": 1}, "应为金额，实际为映射"),
    ("abc", "不是有效的金额：「abc」"),
])
def test_non_amounts_raise_money_error(value, message):
    with pytest.raises(MoneyError) as info:
        to_decimal(value)
    assert message in str(info.value)


@pytest.mark.parametrize("value, amount", [("1,500", "1500"), ("¥1,500,000.00", "1500000"), ("1，500.5", "1500.50")])
def test_well_placed_commas_are_read(value, amount):
    assert to_decimal(value) == Decimal(amount)


def _r_com_5(text: str) -> list[str]:
    return [f.message for f in text_findings("CHT", "pdf", "x.pdf", text, [], [], []) if f.rule == "R-COM-5"]


@pytest.mark.parametrize("template", [
    "合同金额为{x}（¥{y}），付款方式见下。",
    "合同金额为{x}（小写：¥{y}），付款方式见下。",
    "合同金额为{x}(小写:¥{y})。",
    "合同总价：大写：{x} 小写：¥{y}。",
    "合同总价：大写：{x}，小写：¥{y}。",
    "大写：{bare}\n小写：¥{y}",
    "大写：{bare}（小写：¥{y}）",
])
@pytest.mark.parametrize("words, figure, right", [
    ("人民币壹拾万零柒仟元伍角叁分", "107,000.53", True),
    ("人民币壹拾万柒仟元零伍角叁分", "107,000.53", True),
    ("人民币伍佰萬圓整", "5,000,000.00", True),
    ("人民币貳佰陸拾元整", "260.00", True),
    ("人民币伍佰万元整", "5,000,000", True),
    ("人民币伍佰万元整", "5,000,001.00", False),
    ("人民币伍佰萬圓整", "6,000,000.00", False),
    ("人民币两万元整", "20,000.00", False),
    ("人民币伍佰万元", "5,000,000.00", False),
    ("人民币伍佰万元整", "5,000,00.00", False),
])
def test_r_com_5_reads_the_forms_people_write(template, words, figure, right):
    text = template.format(x=words, bare=words[3:], y=figure)
    found = _r_com_5(text)
    assert (found == []) == right, found
    assert len(found) <= 1


def test_r_com_5_message_names_the_mismatch():
    assert _r_com_5("大写：人民币伍佰萬圓整，小写：¥6,000,000.00") == [
        "PDF 中大写「人民币伍佰萬圓整」为 5000000.00，与小写 ¥6,000,000.00 不符"]
    assert _r_com_5("大写：伍佰万元 小写：¥5,000,000.00") == [
        "PDF 中大写金额「伍佰万元」在「元」后缺少「整」（或「正」），应为「人民币伍佰万元整」"]


def test_r_com_5_ignores_prose_amounts_without_upper():
    assert _r_com_5("合同额 500万元（¥5,000,000.00），首付 30%（¥1,500,000）。") == []
