r"""The JSON Schema of a request as the server reads it, for the OpenAPI document (issue 10).

pydantic describes ``StringConstraints(strip_whitespace=True, min_length, max_length)``
with lengths that count the whitespace the server trims first, and not at all the
control characters ``Command`` refuses: a generated request within the lengths could
be refused, and one past them accepted. Here a pattern says both exactly, with
whitespace as pydantic trims it (ECMA's ``\s``, the document's, is another set).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from lkk_core.kernel.commands import CONTROL_CLASS, TRIMMED_SPACE

# Every text field of a command refuses control characters but tab, CR and LF (``Command``);
# a trimmed one loses the whitespace around it first.
_TEXT_CHAR = f"[^{CONTROL_CLASS}]"
_SOLID_CHAR = f"[^{TRIMMED_SPACE}{CONTROL_CLASS}]"
_SPACE = f"[{TRIMMED_SPACE}]"


class RequestJsonSchema(GenerateJsonSchema):
    """Text fields as the server reads them: trimmed, then measured, then checked for control characters."""

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        described = super().str_schema(schema)
        if "pattern" in schema or "format" in described:
            if schema.get("strip_whitespace") and "pattern" in described:
                described["pattern"] = _trimmed_pattern(described)
            return described
        if not schema.get("strip_whitespace"):
            described["pattern"] = f"^{_TEXT_CHAR}*$"
            return described
        low, high = schema.get("min_length", 0), schema.get("max_length")
        described.pop("minLength", None)
        described.pop("maxLength", None)
        inner = f"{_TEXT_CHAR}{{0,{high - 2}}}" if high is not None else f"{_TEXT_CHAR}*"
        if low > 1:
            inner = f"{_TEXT_CHAR}{{{low - 2},{'' if high is None else high - 2}}}"
        trimmed = f"{_SOLID_CHAR}(?:{inner}{_SOLID_CHAR})?" if low <= 1 else f"{_SOLID_CHAR}{inner}{_SOLID_CHAR}"
        if high == 1:
            trimmed = _SOLID_CHAR
        described["pattern"] = f"^{_SPACE}*{trimmed if low else f'(?:{trimmed})?'}{_SPACE}*$"
        return described


def _trimmed_pattern(described: dict[str, Any]) -> str:
    """Return a trimmed field's pattern for its text as typed; lengths move into it (they count the trimmed text)."""
    core = described["pattern"].removeprefix("^").removesuffix("$")
    one_class = re.fullmatch(r"\[\^(.*)\]\+", core)  # e.g. a login, [^@\s]+
    if one_class and "maxLength" in described:
        low, high = described.pop("minLength", 1), described.pop("maxLength")
        excluded = one_class.group(1).replace(r"\s", TRIMMED_SPACE)  # pydantic's \s, not ECMA's
        core = f"[^{excluded}{CONTROL_CLASS}]{{{low},{high}}}"
    return f"^{_SPACE}*(?:{core}){_SPACE}*$"
