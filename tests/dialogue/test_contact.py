"""Shipping contacts typed the way shoppers type them: one line or several, Chinese or English."""

from __future__ import annotations

from dialogue.flows.contact import looks_like_address, normalise_phone, parse_contact


def test_a_name_after_the_address_is_the_receiver_not_part_of_the_address():
    c = parse_contact("上海市浦东新区世纪大道100号 张三", "zh")
    assert (c.address, c.name, c.missing) == ("上海市浦东新区世纪大道100号", "张三", [])
    assert c.parts == {"city": "上海市", "district": "浦东新区", "street": "世纪大道100号"}


def test_province_city_district_and_street_are_told_apart():
    c = parse_contact("浙江省杭州市西湖区文三路90号", "zh")
    assert c.parts == {"province": "浙江省", "city": "杭州市", "district": "西湖区", "street": "文三路90号"}


def test_what_is_missing_is_named():
    assert parse_contact("世纪大道100号", "zh").missing == ["city"]
    assert parse_contact("上海市浦东新区", "zh").missing == ["street"]


def test_phones_with_country_code_spaces_and_dashes():
    assert normalise_phone("+86 138 1234 5678") == "13812345678"
    assert normalise_phone("0086-138-1234-5678") == "13812345678"
    assert normalise_phone("138 0013 8000") == "13800138000"
    assert normalise_phone("12345") is None
    assert normalise_phone("+1 415 555 0100", any_country=True) == "+14155550100"


def test_english_address_name_and_phone_in_one_line():
    c = parse_contact("Zhang San, 100 Century Avenue, Pudong, Shanghai, +86 138 1234 5678", "en")
    assert (c.name, c.phone, c.address) == ("Zhang San", "13812345678", "100 Century Avenue, Pudong, Shanghai")


def test_name_and_phone_without_an_address():
    c = parse_contact("张三 13812345678", "zh")
    assert (c.address, c.name, c.phone) == (None, "张三", "13812345678")


def test_a_request_does_not_look_like_an_address():
    assert not looks_like_address("I don't want these any more, show me laptops")
    assert not looks_like_address("看看华为手机")
    assert looks_like_address("北京市朝阳区建国路88号3号楼501")
    assert looks_like_address("88 Jianguo Road, Chaoyang, Beijing")


def test_budgets_in_other_currencies_convert_at_the_configured_rate():
    from decimal import Decimal

    from dialogue.flows.currency import conversion_note, in_yuan, parse_rates

    rates = parse_rates("USD:7.2, eur:7.8")
    assert rates == {"USD": Decimal("7.2"), "EUR": Decimal("7.8")}
    assert in_yuan(Decimal(300), "USD", rates) == Decimal(2160)
    assert conversion_note(None, Decimal(300), "USD", rates) == "$300 ≈ ¥2,160"
    assert conversion_note(Decimal(300), Decimal(500), "EUR", rates) == "€300–500 ≈ ¥2,340–3,900"
    import pytest

    with pytest.raises(ValueError):
        parse_rates("USD:seven")
