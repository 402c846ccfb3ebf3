"""Reading personal-data CSV files: validation on upload, the rows of one
person, and the consent-filtered stream of the gated download.

Plain Python (no CKAN). Files are UTF-8 (a BOM is accepted), separated by
commas or semicolons (French spreadsheets), with a header row naming the
pseudonymous key column. Everything streams: memory does not grow with the
file.
"""
from __future__ import annotations

import csv
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


def _key_of(line: bytes, index: int, sep: bytes, delimiter: str) -> bytes:
    """The key field of one raw record: a split when the record has no
    quote (the common case, no decoding), the csv module otherwise."""
    if b'"' not in line:
        parts = line.split(sep, index + 1)
        if len(parts) <= index:
            return b""
        return parts[index].rstrip(b"\r\n") if len(parts) == index + 1 else parts[index]
    row = next(csv.reader([line.decode("utf-8")], delimiter=delimiter), [])
    return row[index].encode("utf-8") if len(row) > index else b""


def filtered_stream(path: str, key_column: str, allowed: set[str], stats: StreamStats) -> Iterator[bytes]:
    """The header and the records whose key is in ``allowed``, byte for byte
    as stored, in chunks of about ``CHUNK_BYTES``; ``stats`` counts the rows
    and keys sent (also when the client stops reading early).

    One pass over the file and a set lookup per record; memory holds one
    chunk. A record with a quoted line break spans several lines: lines are
    joined until the quotes balance."""
    with open(path, "rb") as raw:
        first = raw.readline()
        if first.startswith(b"\xef\xbb\xbf"):
            first = first[3:]
        layout, _reader = _open(iter([first.decode("utf-8")]), path, key_column)
        index, delimiter = layout.key_index, layout.delimiter
        sep = delimiter.encode()
        wanted = {key.encode("utf-8") for key in allowed}
        seen: set[bytes] = set()
        chunk: list[bytes] = [first if first.endswith(b"\n") else first + b"\n"]
        size, sent, pending = 0, 0, b""
        try:
            for line in raw:
                if pending:
                    line, pending = pending + line, b""
                if line.count(b'"') % 2:
                    pending = line
                    continue
                key = _key_of(line, index, sep, delimiter)
                if key in wanted:
                    if not line.endswith(b"\n"):
                        line += b"\n"
                    chunk.append(line)
                    seen.add(key)
                    sent += 1
                    size += len(line)
                    if size >= CHUNK_BYTES:
                        stats.rows = sent
                        yield b"".join(chunk)
                        chunk, size = [], 0
            stats.rows = sent
            yield b"".join(chunk)
            stats.complete = True
        finally:
            stats.rows = sent
            stats.keys = {key.decode("utf-8") for key in seen}


def as_records(header: list[str], rows: Iterable[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(header, row, strict=False)) for row in rows]
