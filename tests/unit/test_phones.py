"""Phone numbers normalised to +7 and ten digits (DOMAIN.md ACC-05, AS-01)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lkk_core.kernel.errors import ValidationFailed
from lkk_core.accounts.phones import normalise_phone

MESSAGE = "Введите номер телефона в формате +7 XXX XXX-XX-XX"
TEN_DIGITS = st.text(alphabet="0123456789", min_size=10, max_size=10)
SEPARATORS = st.lists(st.sampled_from(["", " ", "-", "(", ")", " - ", ") "]), min_size=11, max_size=11)
PREFIXES = st.sampled_from(["", "+7", "+7 ", "+7(", "8", "8 ", "8(", " +7 "])


def formatted(prefix: str, digits: str, separators: list[str]) -> str:
    body = "".join(sep + digit for sep, digit in zip(separators, digits, strict=False))
    return prefix + body + separators[-1]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+7 812 123-12-31", "+78121231231"),
        ("+7(960)825-00-00", "+79608250000"),
        ("+79608250000", "+79608250000"),
    ],
)
def test_acc05_typed_forms_of_the_manual_are_normalised(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("8 812 123 12 31", "+78121231231"),
        ("8(960)8250000", "+79608250000"),
        ("88121231231", "+78121231231"),
    ],
)
def test_acc05_leading_8_means_plus_7(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored


def test_acc05_bare_ten_digits_get_plus_7() -> None:
    assert normalise_phone("9608250000") == "+79608250000"
    assert normalise_phone("(812) 123-12-31") == "+78121231231"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "+1 212 555-12-34",
        "+44 20 7946 0958",
        "+7 812 123-12-3",  # nine digits after +7
        "+7 812 123-12-311",  # eleven digits after +7
        "812123123",  # nine digits
        "78121231231",  # eleven digits without + or a leading 8
        "+8 812 123-12-31",
        "+7 812 ABC-12-31",
        "+7 812 123.12.31",
        "+7/812/1231231",
        "8+8121231231",
        "+7 812 123-12-31 доб. 5",
        "+7\t812\t1231231",
        "+7 ٨١٢ 123-12-31",  # Arabic-Indic digits are not digits of a Russian number
        "++78121231231",
    ],
)
def test_acc05_anything_else_is_refused(typed: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        normalise_phone(typed)
    assert caught.value.message == MESSAGE
    assert caught.value.details == {"field": "phone"}


@given(PREFIXES, TEN_DIGITS, SEPARATORS)
def test_acc05_any_ten_digits_with_any_separators_normalise_to_plus_7_and_the_digits(
    prefix: str, digits: str, separators: list[str]
) -> None:
    assert normalise_phone(formatted(prefix, digits, separators)) == "+7" + digits


@given(PREFIXES, TEN_DIGITS, SEPARATORS)
def test_acc05_normalising_is_idempotent(prefix: str, digits: str, separators: list[str]) -> None:
    once = normalise_phone(formatted(prefix, digits, separators))
    assert normalise_phone(once) == once


@given(st.text())
def test_acc05_arbitrary_text_is_normalised_or_refused_never_anything_else(raw: str) -> None:
    try:
        result = normalise_phone(raw)
    except ValidationFailed:
        return
    assert re.fullmatch(r"\+7[0-9]{10}", result)
    assert normalise_phone(result) == result
