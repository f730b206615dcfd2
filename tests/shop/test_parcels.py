"""Return parcels as shoppers type them: carrier and number found and checked (shop/parcels.py)."""

from __future__ import annotations

import pytest

from shop.parcels import BadParcelNumber, ParcelNumber, read_parcel, valid_parcel


@pytest.mark.parametrize(("text", "code", "number"), [
    ("SF1234567890", "SF", "SF1234567890"),
    ("顺丰 SF1234567890", "SF", "SF1234567890"),
    ("已经寄出了,顺丰单号 sf1234567890123", "SF", "SF1234567890123"),
    ("顺丰 1234567890", "SF", "SF1234567890"),  # the prefix left out
    ("中通 731000123456789", "ZTO", "731000123456789"),
    ("圆通 YT1234567890123", "YTO", "YT1234567890123"),
    ("JDVA12345678901", "JD", "JDVA12345678901"),
    ("EMS EA123456789CN", "EMS", "EA123456789CN"),
    ("the tracking number is SF 1234567890", "SF", "SF1234567890"),
])
def test_a_parcel_is_read(text, code, number):
    found = read_parcel(text)
    assert isinstance(found, ParcelNumber)
    assert (found.carrier.code, found.tracking_number) == (code, number)


@pytest.mark.parametrize("text", ["顺丰 SF123", "SF123", "中通 12345", "7310001234567", "my number is JD123"])
def test_a_number_that_fits_no_carrier_is_said_to_be_wrong(text):
    assert isinstance(read_parcel(text), BadParcelNumber)


@pytest.mark.parametrize("text", ["想买5000以内的手机", "13800138000", "SO202612070001 到哪了", "iphone 15 pro",
                                  "我京东买的东西怎么退", "顺丰到了吗"])
def test_other_messages_are_not_parcels(text):
    assert read_parcel(text) is None


def test_the_service_checks_numbers_too():
    assert valid_parcel("SF", "SF1234567890") and not valid_parcel("SF", "SFRET1") and not valid_parcel("XX", "1")
