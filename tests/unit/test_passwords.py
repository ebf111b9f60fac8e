"""Password rules of «Требования к паролю» (DOMAIN.md ACC-09, AS-06)."""

from __future__ import annotations

import re
import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lkk_core.kernel.errors import ValidationFailed
from lkk_core.accounts.passwords import Requirement, check_password, unmet_requirements

FORM_ORDER = ["LATIN_ONLY", "MIN_LENGTH", "UPPERCASE", "LOWERCASE", "DIGITS", "NO_SPACES", "MAX_LENGTH"]
PRINTABLE_ASCII = frozenset(map(chr, range(33, 127)))


def _is_whitespace(char: str) -> bool:
    # The Unicode definition of whitespace, spelled out rather than via str.isspace.
    return unicodedata.bidirectional(char) in {"WS", "B", "S"} or unicodedata.category(char) == "Zs"


def oracle(password: str) -> list[str]:
    """ACC-09 written again, differently: set arithmetic and regular expressions."""
    chars = set(password)
    whitespace = {c for c in chars if _is_whitespace(c)}
    failed = {
        "LATIN_ONLY": bool(chars - PRINTABLE_ASCII - whitespace),
        "MIN_LENGTH": re.fullmatch(r".{8,}", password, re.DOTALL) is None,
        "UPPERCASE": re.search(r"[A-Z]", password) is None,
        "LOWERCASE": re.search(r"[a-z]", password) is None,
        "DIGITS": re.search(r"[0-9]", password) is None,
        "NO_SPACES": bool(whitespace),
        "MAX_LENGTH": re.fullmatch(r".{0,128}", password, re.DOTALL) is None,
    }
    return [name for name in FORM_ORDER if failed[name]]


def names(password: str) -> list[str]:
    return [r.name for r in unmet_requirements(password)]


ASCII_BIASED = st.text(
    alphabet=st.one_of(
        st.sampled_from(string.ascii_letters + string.digits + string.punctuation),
        st.sampled_from(" \t\n\x00\x7f\xa0€ЁёЯя\u2003"),
        st.characters(),
    ),
    max_size=140,
)
NEAR_THE_MAXIMUM = st.text(alphabet=st.sampled_from(string.ascii_letters + string.digits + "#"),
                           min_size=120, max_size=140)


class TestAs06Examples:
    @pytest.mark.parametrize(
        ("password", "unmet"),
        [
            ("Secret1", ["MIN_LENGTH"]),
            ("secret123", ["UPPERCASE"]),
            ("SECRET123", ["LOWERCASE"]),
            ("SecretPass", ["DIGITS"]),
            ("Secret 123", ["NO_SPACES"]),
            # Cyrillic letters are not Latin, and «ароль» is no Latin lower-case either.
            ("Пароль123A", ["LATIN_ONLY", "LOWERCASE"]),
        ],
    )
    def test_as06_acc09_weak_password_is_refused_naming_the_unmet_requirement(
        self, password: str, unmet: list[str]
    ) -> None:
        assert names(password) == unmet
        with pytest.raises(ValidationFailed) as caught:
            check_password(password)
        assert caught.value.details == {"field": "password", "unmet": [n.lower() for n in unmet]}

    def test_as06_acc09_password_with_a_special_character_is_accepted(self) -> None:
        assert unmet_requirements("Secret#123") == []
        check_password("Secret#123")


class TestAcc09Rules:
    def test_acc09_password_without_digit_is_refused(self) -> None:
        assert names("SecretPass#") == ["DIGITS"]

    def test_acc09_password_of_exactly_8_characters_is_accepted(self) -> None:
        assert names("Secret12") == []

    def test_acc09_password_of_128_characters_is_accepted_and_129_refused(self) -> None:
        assert names("Aa1" + "x" * 125) == []
        assert names("Aa1" + "x" * 126) == ["MAX_LENGTH"]

    def test_acc09_special_character_is_not_required(self) -> None:
        assert names("Secret123") == []

    @pytest.mark.parametrize("blank", [" ", "\t", "\n", "\xa0", "\u2003", "\u3000"])
    def test_acc09_any_whitespace_counts_as_a_space(self, blank: str) -> None:
        assert names(f"Secret{blank}123") == ["NO_SPACES"]

    @pytest.mark.parametrize("foreign", ["€", "\x00", "\x7f", "é", "ß", "\u200b"])
    def test_acc09_other_characters_outside_printable_ascii_count_against_latin_only(self, foreign: str) -> None:
        assert names(f"Secret{foreign}123") == ["LATIN_ONLY"]

    def test_acc09_empty_password_fails_every_requirement_it_can(self) -> None:
        assert names("") == ["MIN_LENGTH", "UPPERCASE", "LOWERCASE", "DIGITS"]

    def test_acc09_requirements_are_listed_in_the_forms_order_with_verbatim_texts(self) -> None:
        assert [r.name for r in Requirement] == FORM_ORDER
        assert [r.message for r in Requirement] == [
            "Буквы только латинского алфавита",
            "Не менее 8 символов",
            "Заглавные буквы",
            "Строчные буквы",
            "Цифры",
            "Любые символы кроме пробелов",
            "Не более 128 символов",
        ]

    def test_acc09_refusal_message_joins_the_unmet_requirements(self) -> None:
        with pytest.raises(ValidationFailed) as caught:
            check_password("пароль", field="new_password")
        assert caught.value.message == (
            "Буквы только латинского алфавита; Не менее 8 символов; Заглавные буквы; Строчные буквы; Цифры"
        )
        assert caught.value.details["field"] == "new_password"


class TestAcc09Properties:
    @given(st.text())
    def test_acc09_unmet_requirements_agree_with_an_independent_oracle(self, password: str) -> None:
        assert names(password) == oracle(password)

    @given(st.one_of(ASCII_BIASED, NEAR_THE_MAXIMUM))
    def test_acc09_unmet_requirements_agree_with_the_oracle_on_mostly_ascii_text(self, password: str) -> None:
        assert names(password) == oracle(password)

    @given(ASCII_BIASED)
    def test_acc09_check_password_refuses_exactly_when_a_requirement_is_unmet(self, password: str) -> None:
        unmet = [r.name.lower() for r in unmet_requirements(password)]
        if not unmet:
            check_password(password)
            return
        with pytest.raises(ValidationFailed) as caught:
            check_password(password)
        assert caught.value.details["unmet"] == unmet
