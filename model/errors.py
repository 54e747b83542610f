"""Input errors that the CLI turns into a clear message and exit status 2.

Every error names the file, the place in it (row, event, field) and what was
expected, because the people running this tool are researchers and teachers, not
the authors of the data files.
"""

from __future__ import annotations

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
            e = exc.errors()[0]
            field = ".".join(map(str, e["loc"]))
            raise InputError(path, f"[{key}]" + (f".{field}" if field else ""), e["msg"]) from exc
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
