"""Files the project writes for people to open (``export-hsds``, ``export-stats``): CSV cells no
spreadsheet runs as a formula, in folders only their owner can enter, files only their owner can read.

A text cell starting like a formula (``= + - @``, tab, carriage return) is written with a ``'``
in front, as spreadsheets themselves mark text. So that reading it back is exact, a cell that
already starts with ``'`` followed by such a start gets one more ``'``; ``restored`` removes one
``'`` from exactly those cells, so ``restored(neutral(text)) == text`` for every text. Numbers are
written as numbers (a negative longitude is no formula), which is why only text is neutralised.
"""

from __future__ import annotations

import csv
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

_FORMULA = re.compile(r"'*[=+\-@\t\r]")
FOLDER_MODE = 0o700
FILE_MODE = 0o600


class ExportError(Exception):
    """The export cannot be written safely where it was asked for."""


def neutral(text: str) -> str:
    """``text`` as a cell no spreadsheet evaluates."""
    return "'" + text if _FORMULA.match(text) else text


def restored(text: str) -> str:
    """The text a ``neutral`` cell was made from."""
    return text[1:] if text.startswith("'") and _FORMULA.match(text, 1) else text


def neutral_row(row: Iterable[Any]) -> list[Any]:
    return [neutral(cell) if isinstance(cell, str) else cell for cell in row]


class CsvWriter:
    """``csv.writer`` whose text cells are ``neutral``."""

    def __init__(self, handle: IO[str]) -> None:
        self._writer = csv.writer(handle)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(neutral_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        self._writer.writerows(neutral_row(row) for row in rows)


def private_folder(folder: Path) -> Path:
    """``folder``, created for its owner only. An existing folder others may enter is refused rather
    than changed: it may be shared on purpose (``/tmp``, a team drive), and what we write there
    would be theirs to read."""
    try:
        folder.mkdir(mode=FOLDER_MODE, parents=True)
    except FileExistsError:
        if not folder.is_dir():
            raise ExportError(f"{folder} exists and is not a folder") from None
        opened = stat.S_IMODE(folder.stat().st_mode)
        if opened & 0o077:
            raise ExportError(
                f"{folder} can be opened by others (mode {opened:o}): give a new folder,"
                " or make this one private first (chmod 700)"
            ) from None
    else:
        folder.chmod(FOLDER_MODE)  # mkdir's mode passes through the umask: state it outright
    return folder


def open_private(path: Path) -> IO[str]:
    """``path`` opened for writing text (UTF-8, as ``csv`` wants it), readable by its owner only,
    also when it was there before."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    return open(descriptor, "w", encoding="utf-8", newline="")
