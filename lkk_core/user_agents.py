"""Just enough User-Agent parsing for the sessions list (ACC-14, ACC-16)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Order matters: Edge, Opera and Yandex also say "Chrome", and Chrome says "Safari".
_BROWSERS = (
    ("Microsoft Edge", re.compile(r"Edg(?:e|A|iOS)?/(\d+(?:\.\d+)?)")),
    ("Opera", re.compile(r"(?:OPR|Opera)/(\d+(?:\.\d+)?)")),
    ("Яндекс Браузер", re.compile(r"YaBrowser/(\d+(?:\.\d+)?)")),
    ("Mozilla Firefox", re.compile(r"(?:Firefox|FxiOS)/(\d+(?:\.\d+)?)")),
    ("Google Chrome", re.compile(r"(?:Chrome|CriOS)/(\d+(?:\.\d+)?)")),
    ("Safari", re.compile(r"Version/(\d+(?:\.\d+)?)(?:\.\d+)*(?: Mobile/\S+)? Safari/")),
)
_SYSTEMS = (
    ("Android", "Android"), ("iOS", "iPhone"), ("iOS", "iPad"), ("ChromeOS", "CrOS"),
    ("Windows", "Windows"), ("macOS", "Macintosh"), ("Linux", "Linux"),
)


@dataclass(frozen=True)
class ClientInfo:
    """What the sessions list shows of a client."""

    browser: str
    browser_version: str
    os: str


def parse_user_agent(ua: str | None) -> ClientInfo:
    """Return browser, its version and the operating system; never raises."""
    ua = ua or ""
    browser, version = "Неизвестный браузер", ""
    for name, pattern in _BROWSERS:
        if match := pattern.search(ua):
            browser, version = name, match.group(1)
            break
    system = next((name for name, token in _SYSTEMS if token in ua), "Неизвестная ОС")
    return ClientInfo(browser, version, system)


def fingerprint_basis(info: ClientInfo) -> str:
    """Return browser family and OS without version: an upgrade is not a new browser (ACC-08)."""
    return f"{info.browser}|{info.os}"
