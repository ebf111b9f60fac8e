"""The ``lkk`` command's output for people and for scripts (issue 10, «The library surface, the CLI and the docs»)."""

from __future__ import annotations

import io
from pathlib import Path

from adapters.billing.dataset import DatasetBilling
from adapters.billing.generate import write_generated
from adapters.cli.main import refusal_line
from adapters.cli.progress import EVERY_SECONDS, progress
from lkk_core.kernel.errors import NotFound, ValidationFailed


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_off_a_terminal_is_quiet_for_a_short_run() -> None:
    out, clock = io.StringIO(), Clock()
    shown = progress("project rebuild", out, clock=clock)
    for done in range(1, 101):
        shown(done, 100)
    assert out.getvalue() == ""


def test_progress_off_a_terminal_writes_a_named_plain_line_every_few_seconds_and_the_end() -> None:
    out, clock = io.StringIO(), Clock()
    shown = progress("events export", out, clock=clock)
    for done in range(1, 11):
        clock.now += EVERY_SECONDS / 2
        shown(done, 10)
    lines = out.getvalue().splitlines()
    assert lines[0] == "events export: 20% (2/10)"
    assert lines[-1] == "events export: 100% (10/10) done"
    assert "\r" not in out.getvalue() and len(lines) == 5  # noqa: PLR2004


def test_progress_on_a_terminal_draws_a_bar_named_after_the_step() -> None:
    out = Terminal()
    shown = progress("billing check", out)
    for done in (10, 50, 100):
        shown(done, 100)
    assert "billing check" in out.getvalue() and "100/100" in out.getvalue()


def test_billing_check_and_generate_report_progress_through_the_whole_file(tmp_path: Path) -> None:
    written: list[int] = []
    path = write_generated(tmp_path / "b.json", 30, progress=written.append)
    heard: list[tuple[int, int]] = []
    with DatasetBilling(path, progress=lambda done, total: heard.append((done, total))):
        pass
    assert written == list(range(1, 31))
    assert heard[-1] == (path.stat().st_size, path.stat().st_size)


def test_a_refusal_reads_as_sentences_not_as_a_python_dict() -> None:
    error = ValidationFailed("Проверьте правильность заполнения полей", errors=[
        {"field": "email", "code": "invalid", "message": "Неверный формат e-mail"},
        {"cell": "I5", "sheet": "Лист1", "message": "Значение должно быть числом"},
    ])
    text = refusal_line(error)
    assert text.splitlines() == [
        "Проверьте правильность заполнения полей [validation_failed]",
        "  email: Неверный формат e-mail",
        "  I5: Значение должно быть числом",
    ]
    assert "{" not in text and "'" not in text
    assert refusal_line(NotFound("Договор не найден", field="contract_number", contract="7801")) == (
        "Договор не найден (contract_number) — contract: 7801 [not_found]")


def test_json_flags_print_one_parseable_object() -> None:
    # The parser knows --json exactly where the output is data.
    from adapters.cli.main import parser  # noqa: PLC0415

    top = parser()
    for argv in (["billing", "check", "--json"], ["project", "verify", "--json"], ["sweep", "--json"]):
        assert top.parse_args(argv).json is True
