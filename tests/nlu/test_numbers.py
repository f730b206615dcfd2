"""Number, ordinal and percentage normalisers."""

from __future__ import annotations

import cn2an
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.numbers import parse_number, parse_ordinal, parse_percent

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_every_integer_in_chinese_numerals_parses_back(n: int) -> None:
    assert parse_number(cn2an.an2cn(n)) == n


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_every_integer_in_digits_parses_back(n: int) -> None:
    assert parse_number(str(n)) == n
    assert parse_number(str(n).translate(FULLWIDTH)) == n
    assert parse_number(f"{n:,}") == n


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10**6), st.sampled_from(["k", "K", "千", "w", "W", "万"]))
def test_every_integer_with_a_suffix_parses_back(n: int, suffix: str) -> None:
    unit = 1000 if suffix in "kK千" else 10000
    assert parse_number(f"{n}{suffix}") == n * unit


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=999), st.sampled_from(["k", "w", "万", "千"]))
def test_decimal_with_suffix(n: int, suffix: str) -> None:
    unit = 1000 if suffix in "k千" else 10000
    assert parse_number(f"{n}.5{suffix}") == int(n * unit + unit // 2)


@pytest.mark.parametrize("text,value", [
    ("5000以内", 5000), ("3千以上", 3000), ("不超过两千", 2000), ("1w以内", 10000), ("五千左右", 5000),
    ("两万三", 23000), ("1.5万", 15000), ("三千五", 3500), ("２万以内", 20000), ("１００元左右", 100),
    ("2万三千", 23000), ("1万5", 15000), ("under 500 yuan", 500), ("over $200", 200),
    ("below 1.5k", 1500), ("five hundred", 500), ("two thousand five hundred", 2500),
    ("under two grand", 2000), ("1,299元", 1299), ("around 300", 300), ("十五", 15),
])
def test_budget_expressions(text: str, value: int) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "价格多少", "hello", "🙂", "\u202e\u0000"])
def test_no_number_gives_none(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize("text,value", [
    ("第二个", 2), ("the third one", 3), ("最后一个", -1), ("the last one", -1), ("#3", 3), ("2号", 2),
    ("第十二个", 12), ("the 2nd", 2), ("item 5", 5),
])
def test_ordinals(text: str, value: int) -> None:
    assert parse_ordinal(text) == value


@pytest.mark.parametrize("text,value", [
    ("10%", 10), ("a fifth", 20), ("两成", 20), ("打八折", 20), ("八五折", 15), ("15 percent", 15),
    ("百分之三十", 30), ("half price", 50),
])
def test_percentages(text: str, value: int) -> None:
    assert parse_percent(text) == value
