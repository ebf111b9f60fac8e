"""Just enough User-Agent parsing for the sessions list (ACC-14, ACC-16)."""

from __future__ import annotations

import re
from dataclasses import dataclass

UNKNOWN_BROWSER = "Неизвестный браузер"
UNKNOWN_OS = "Неизвестная ОС"

# [0-9], not \d: \d also takes non-ASCII digits, which no browser sends.
_VERSION = r"([0-9]+)(?:\.([0-9]+))?"
# Order matters: Edge, Opera and Yandex also say "Chrome", and Chrome says "Safari".
_BROWSERS = (
    ("Microsoft Edge", re.compile(r"Edg(?:e|A|iOS)?/" + _VERSION)),
    ("Opera", re.compile(r"(?:OPR|OPT)/" + _VERSION)),
    ("Яндекс Браузер", re.compile(r"YaBrowser/" + _VERSION)),
    ("Mozilla Firefox", re.compile(r"(?:Firefox|FxiOS)/" + _VERSION)),
    ("Google Chrome", re.compile(r"(?:Chrome|CriOS)/" + _VERSION)),
    ("Safari", re.compile(r"Version/" + _VERSION + r"(?:\.[0-9]+)*(?: Mobile/\S+)? Safari/")),
)
# Order matters: Android says "Linux", iOS says "like Mac OS X".
_SYSTEMS = (
    ("Android", "Android"), ("iOS", "iPhone"), ("iOS", "iPad"), ("iOS", "iPod"), ("ChromeOS", "CrOS"),
    ("Windows", "Windows"), ("macOS", "Macintosh"), ("Linux", "Linux"),
)


@dataclass(frozen=True)
class ClientInfo:
    """What the sessions list shows of a client."""

    browser: str
    browser_version: str
    os: str


def parse_user_agent(ua: str | None) -> ClientInfo:
    """Return the browser, its major.minor version and the OS; never raises.

    NOTE: the back end refuses nothing by browser (ACC-16 decision): an
    unrecognised client is only shown as unknown.
    """
    ua = ua or ""
    browser, version = UNKNOWN_BROWSER, ""
    for name, pattern in _BROWSERS:
        if match := pattern.search(ua):
            major, minor = match.groups()
            browser, version = name, f"{major}.{minor or '0'}"
            break
    system = next((name for name, token in _SYSTEMS if token in ua), UNKNOWN_OS)
    return ClientInfo(browser, version, system)


def fingerprint_basis(info: ClientInfo) -> str:
    """Return browser family and OS without version: an upgrade is not a new browser (ACC-08)."""
    return f"{info.browser}|{info.os}"
