"""User-Agent parsing for the «Сессии» list and known browsers (DOMAIN.md ACC-14, ACC-16, ACC-08)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lkk_core.accounts.user_agents import ClientInfo, fingerprint_basis, parse_user_agent

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/112.0.0.0 Safari/537.36"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:112.0) Gecko/20100101 Firefox/112.0"
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:112.0) Gecko/20100101 Firefox/112.0"
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/112.0.0.0 Safari/537.36 Edg/112.0.1722.48"
)
OPERA_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/111.0.0.0 Safari/537.36 OPR/97.0.4719.63"
)
YANDEX_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/110.0.0.0 YaBrowser/23.3.0.2246 Yowser/2.5 Safari/537.36"
)
SAFARI_MACOS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.4 Safari/605.1.15"
)
SAFARI_IOS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.4 Mobile/15E148 Safari/604.1"
)
CHROME_IOS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "CriOS/112.0.5615.46 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/112.0.0.0 Mobile Safari/537.36"
)
CHROME_CHROMEOS = (
    "Mozilla/5.0 (X11; CrOS x86_64 15359.58.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/112.0.0.0 Safari/537.36"
)
UNKNOWN = ClientInfo("Неизвестный браузер", "", "Неизвестная ОС")
BROWSERS = {"Opera", "Microsoft Edge", "Mozilla Firefox", "Google Chrome", "Яндекс Браузер", "Safari",
            "Неизвестный браузер"}
SYSTEMS = {"Windows", "macOS", "iOS", "Android", "Linux", "ChromeOS", "Неизвестная ОС"}


@pytest.mark.parametrize(
    ("ua", "expected"),
    [
        (CHROME_WINDOWS, ClientInfo("Google Chrome", "112.0", "Windows")),
        (FIREFOX_LINUX, ClientInfo("Mozilla Firefox", "112.0", "Linux")),
        (EDGE_WINDOWS, ClientInfo("Microsoft Edge", "112.0", "Windows")),
        (OPERA_WINDOWS, ClientInfo("Opera", "97.0", "Windows")),
        (YANDEX_WINDOWS, ClientInfo("Яндекс Браузер", "23.3", "Windows")),
        (SAFARI_MACOS, ClientInfo("Safari", "16.4", "macOS")),
        (SAFARI_IOS, ClientInfo("Safari", "16.4", "iOS")),
        (CHROME_IOS, ClientInfo("Google Chrome", "112.0", "iOS")),
        (CHROME_ANDROID, ClientInfo("Google Chrome", "112.0", "Android")),
        (CHROME_CHROMEOS, ClientInfo("Google Chrome", "112.0", "ChromeOS")),
    ],
)
def test_acc14_acc16_supported_browsers_are_named_with_major_minor_version_and_os(
    ua: str, expected: ClientInfo
) -> None:
    assert parse_user_agent(ua) == expected


@pytest.mark.parametrize("ua", [None, "", "curl/8.0.1", "python-requests/2.31.0"])
def test_acc14_unrecognised_client_is_shown_as_unknown(ua: str | None) -> None:
    assert parse_user_agent(ua) == UNKNOWN


def test_acc14_version_without_minor_part_is_shown_as_major_dot_zero() -> None:
    assert parse_user_agent("Mozilla/5.0 (Windows NT 10.0) Chrome/112 Safari/537.36").browser_version == "112.0"


def test_acc08_browser_upgrade_keeps_the_fingerprint_basis() -> None:
    newer = CHROME_WINDOWS.replace("Chrome/112.0.0.0", "Chrome/113.0.5672.64")
    assert parse_user_agent(newer).browser_version == "113.0"
    assert fingerprint_basis(parse_user_agent(newer)) == fingerprint_basis(parse_user_agent(CHROME_WINDOWS))


def test_as11_acc08_another_browser_on_the_same_os_has_another_fingerprint_basis() -> None:
    chrome, firefox = parse_user_agent(CHROME_WINDOWS), parse_user_agent(FIREFOX_WINDOWS)
    assert fingerprint_basis(chrome) == "Google Chrome|Windows"
    assert fingerprint_basis(firefox) == "Mozilla Firefox|Windows"


TOKENS = st.sampled_from([
    "Mozilla/5.0", "(Windows NT 10.0; Win64; x64)", "(Macintosh; Intel Mac OS X 10_15_7)", "(iPhone;",
    "Android", "Linux", "CrOS", "Chrome/", "Edg/", "OPR/", "YaBrowser/", "Firefox/", "Safari/", "Version/",
    "CriOS/", "FxiOS/", "112", ".0", ".", "/", " ", "١٢", "\x00",
])


@given(st.none() | st.text() | st.lists(TOKENS).map("".join))
def test_acc16_parse_user_agent_never_raises_and_answers_from_the_known_names(ua: str | None) -> None:
    info = parse_user_agent(ua)
    assert info.browser in BROWSERS
    assert info.os in SYSTEMS
    assert re.fullmatch(r"([0-9]+\.[0-9]+)?", info.browser_version)
    if info.browser == "Неизвестный браузер":
        assert info.browser_version == ""
