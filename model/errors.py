"""Input errors that the CLI turns into a clear message and exit status 2.

Every error names the file, the place in it (row, event, field) and what was
expected, because the people running this tool are researchers and teachers, not
the authors of the data files.
"""

from __future__ import annotations


class InputError(Exception):
    """Bad input: a data file, scenario file or command-line value is invalid."""

    def __init__(self, file: str, where: str, problem: str):
        self.file = str(file)
        self.where = where
        self.problem = problem
        super().__init__(f"{self.file}: {where}: {problem}")
