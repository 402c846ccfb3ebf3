"""Reading personal-data CSV files: validation on upload, the rows of one
person, and the consent-filtered stream of the gated download.

Plain Python (no CKAN). Files are UTF-8 (a BOM is accepted), separated by
commas or semicolons (French spreadsheets), with a header row naming the
pseudonymous key column. Everything streams: memory does not grow with the
file.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO

CHUNK_BYTES = 256 * 1024


class CsvDataError(ValueError):
    """A file that cannot hold personal rows; the message names the file,
    the row (1 = header) and the column when they are known."""

    def __init__(self, filename: str, reason: str, row: int | None = None,
                 column: str | None = None):
        where = [f"file {filename!r}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {reason}")
        self.filename, self.row, self.column, self.reason = filename, row, column, reason


def _lines(stream: IO[bytes], filename: str) -> Iterator[str]:
    """Decoded lines, with the exact line of an encoding error."""
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise CsvDataError(
                filename, f"not UTF-8 text (byte {err.start + 1} of the line); "
                "save the file as CSV UTF-8", row=number) from None


def _delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


@dataclass
class Layout:
    header: list[str]
    key_index: int
    delimiter: str


def _open(lines: Iterator[str], filename: str, key_column: str) -> tuple[Layout, Iterator[list[str]]]:
    first = next(lines, None)
    if first is None or not first.strip():
        raise CsvDataError(filename, "the file is empty (a header row is expected)", row=1)
    delimiter = _delimiter(first)

    def chained() -> Iterator[str]:
        yield first
        yield from lines

    reader = csv.reader(chained(), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    if key_column not in header:
        raise CsvDataError(
            filename, f"the key column is missing (columns found: {', '.join(header)})",
            row=1, column=key_column)
    return Layout(header, header.index(key_column), delimiter), reader


def validate(stream: IO[bytes], filename: str, key_column: str) -> int:
    """Check a whole upload; returns its number of data rows."""
    layout, reader = _open(_lines(stream, filename), filename, key_column)
    width, count = len(layout.header), 0
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != width:
            raise CsvDataError(filename, f"{len(row)} values where the header has {width}",
                               row=number)
        if not row[layout.key_index].strip():
            raise CsvDataError(filename, "the pseudonymous key is empty", row=number,
                               column=key_column)
        count += 1
    if count == 0:
        raise CsvDataError(filename, "no data rows after the header", row=2)
    return count


def read_rows(path: str, key_column: str, keep: Callable[[str], bool]) -> tuple[list[str], list[list[str]]]:
    """(header, rows whose key passes ``keep``); for one person's small share."""
    with open(path, "rb") as stream:
        layout, reader = _open(_lines(stream, path), path, key_column)
        k = layout.key_index
        return layout.header, [row for row in reader if row and keep(row[k])]


def keys(path: str, key_column: str) -> set[str]:
    with open(path, "rb") as stream:
        layout, reader = _open(_lines(stream, path), path, key_column)
        k = layout.key_index
        return {row[k] for row in reader if row}


@dataclass
class StreamStats:
    rows: int = 0
    complete: bool = False

    def __post_init__(self) -> None:
        self.keys: set[str] = set()


def filtered_stream(path: str, key_column: str, allowed: set[str], stats: StreamStats) -> Iterator[bytes]:
    """The header and the rows whose key is in ``allowed``, as UTF-8 CSV
    chunks of about ``CHUNK_BYTES``; ``stats`` counts rows and keys sent.

    One pass over the file, a set lookup per row: memory holds one chunk."""
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        layout, reader = _open(iter(text), path, key_column)
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=layout.delimiter, lineterminator="\n")
        writer.writerow(layout.header)
        k, sent, seen = layout.key_index, 0, stats.keys
        for row in reader:
            if row and row[k] in allowed:
                writer.writerow(row)
                seen.add(row[k])
                sent += 1
                if buffer.tell() >= CHUNK_BYTES:
                    stats.rows = sent
                    yield buffer.getvalue().encode()
                    buffer.seek(0)
                    buffer.truncate()
        stats.rows = sent
        yield buffer.getvalue().encode()
        stats.complete = True


def as_records(header: list[str], rows: Iterable[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(header, row, strict=False)) for row in rows]
