"""Input errors that the CLI turns into a clear message and exit status 2.

Every error names the file, the place in it (row, event, field) and what was
expected, because the people running this tool are researchers and teachers, not
the authors of the data files.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ValidationError


class InputError(Exception):
    """Bad input: a data file, scenario file or command-line value is invalid."""

    def __init__(self, file: str, where: str, problem: str):
        self.file = str(file)
        self.where = where
        self.problem = problem
        super().__init__(f"{self.file}: {where}: {problem}")


def shown_path(path, limit: int = 100) -> str:
    """A path as it appears in a message: shortened in the middle when very long."""
    text = str(path)
    return text if len(text) <= limit else text[: limit // 2 - 1] + "…" + text[-(limit // 2):]


def short(value: object, limit: int = 60) -> str:
    """``repr`` of a value cut to ``limit`` characters (long input is not echoed back whole)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_DATE = "a date as YYYY-MM-DD (unquoted in TOML, e.g. 1992-05-08)"
_EXPECTED = {  # pydantic error type -> what the field expects, in plain words ({...} from the error's ctx)
    "date_from_datetime_inexact": _DATE, "date_from_datetime_parsing": _DATE, "date_parsing": _DATE,
    "date_type": _DATE, "finite_number": "a finite number", "float_type": "a number", "float_parsing": "a number",
    "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "less_than_equal": "a number <= {le}", "less_than": "a number < {lt}", "greater_than_equal": "a number >= {ge}",
    "greater_than": "a number > {gt}", "string_type": "text in quotes", "string_too_short": "at least {min_length} "
    "character(s)", "string_too_long": "at most {max_length} characters", "string_pattern_mismatch":
    "text matching {pattern}", "bool_type": "true or false", "bool_parsing": "true or false",
    "list_type": "a list [...]", "tuple_type": "a list [low, high]", "dict_type": "a table",
    "model_type": "a table", "model_attributes_type": "a table", "too_short": "at least {min_length} item(s)",
    "too_long": "at most {max_length} item(s)", "literal_error": "one of {expected}",
}
# Location parts pydantic adds for union members and validators; field names never look like this.
_INTERNAL = re.compile(r"^(constrained-[a-z]+|function-[a-z-]+(\[.*\])?|[a-z-]+\[.*\])$")


def field_path(loc, drop: int = 0) -> str:
    """A pydantic error location as a user's field path (``tanks``, ``parameters.x.low``), without
    pydantic's union-member and validator parts, and without the first ``drop`` parts (e.g. a
    discriminator tag)."""
    return ".".join(str(x) for x in loc[drop:] if not _INTERNAL.match(str(x)))


def validation_problem(exc: ValidationError, drop: int = 0, fields=()) -> tuple[str, str]:
    """The first problem of a pydantic ``ValidationError`` as (field path, one line: what was found and
    what was expected). Union alternatives of the same field are merged ('a number or a list');
    ``fields`` (the schema's top-level field names) give a did-you-mean for unknown fields."""
    errors = exc.errors()
    first = errors[0]
    where = field_path(first["loc"], drop)
    kind, ctx = first["type"], first.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        return where, str(ctx.get("error", first["msg"]))
    if kind == "missing":
        return where, "missing; this field is required"
    if kind == "extra_forbidden":
        fields = fields if "." not in where else ()  # ``fields`` are the top level's
        close = difflib.get_close_matches(where, list(fields), n=1)
        return where, "unknown field" + (f"; did you mean '{close[0]}'?" if close else
                                         f"; expected one of {', '.join(fields)}" if fields else "")
    if kind == "union_tag_invalid":
        return ctx.get("discriminator", "'type'").strip("'"), \
            f"got {short(ctx.get('tag'))}; expected one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return ctx.get("discriminator", "'type'").strip("'"), "missing; this field is required"
    expected = []
    for e in errors:  # every alternative pydantic tried for this field
        if field_path(e["loc"], drop) == where:
            ctx = {k: f"{v:g}" if isinstance(v, float) else v for k, v in (e.get("ctx") or {}).items()}
            text = _EXPECTED.get(e["type"], e["msg"]).format(**ctx)
            expected += [text] if text not in expected else []
    return where, f"got {short(first['input'])}; expected {' or '.join(expected)}"


def read_text(path) -> str:
    """An input file's text (UTF-8); every way reading it can fail is one :class:`InputError`."""
    where = shown_path(path)
    try:
        return Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(where, "file", "not found") from None
    except IsADirectoryError:
        raise InputError(where, "file", "is a directory; expected a file") from None
    except PermissionError:
        raise InputError(where, "file", "not readable (permission denied)") from None
    except UnicodeDecodeError as exc:
        raise InputError(where, "file", f"not UTF-8 text (byte {exc.start} is {exc.object[exc.start]:#04x}); "
                                        "save the file as UTF-8") from None
    except OSError as exc:  # e.g. a file name too long for the file system
        raise InputError(where, "file", f"cannot be read ({exc.strerror or exc})") from None


def read_toml_tables(path: Path, schema: type[BaseModel]) -> dict[str, BaseModel]:
    """Read a TOML file of ``[key]`` tables, each validated by ``schema``, in file order.

    Missing files, bad TOML and invalid fields become one :class:`InputError` naming the
    file, the table and the field.
    """
    try:
        raw = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, "file", f"not valid TOML ({exc})") from exc
    out = {}
    for key, table in raw.items():
        try:
            out[key] = schema.model_validate(table)
        except ValidationError as exc:
            field, problem = validation_problem(exc, fields=schema.model_fields)
            raise InputError(path, f"[{key}]" + (f".{field}" if field else ""), problem) from exc
    return out


def read_csv_columns(path: Path, columns: tuple[str, ...]):
    """Read a data CSV as strings (empty cells stay empty); a missing file or column is an InputError."""
    if not Path(path).exists():
        raise InputError(path, "file", "not found")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(path, "header", f"missing columns {missing}; expected {list(columns)}")
    return df
