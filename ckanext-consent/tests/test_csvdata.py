"""Reading personal-data CSV files, without CKAN."""
from __future__ import annotations

import io

import pytest

from ckanext.consent import csvdata


def _stream(tmp_path, text: str, keys: set[str]) -> tuple[bytes, csvdata.StreamStats]:
    path = tmp_path / "rows.csv"
    path.write_bytes(text.encode())
    stats = csvdata.StreamStats()
    return b"".join(csvdata.filtered_stream(str(path), "person_key", keys, stats)), stats


def test_filtered_stream_keeps_records_byte_for_byte(tmp_path) -> None:
    text = '\ufeffa;person_key;b\n1;K1;"x\ny"\n2;K2;z\n3;"K1";"q;r"\n4;K3;w'
    out, stats = _stream(tmp_path, text, {"K1", "K3"})
    assert out == b'a;person_key;b\n1;K1;"x\ny"\n3;"K1";"q;r"\n4;K3;w\n'
    assert (stats.rows, stats.keys, stats.complete) == (3, {"K1", "K3"}, True)


def test_filtered_stream_last_column_key_and_crlf(tmp_path) -> None:
    out, stats = _stream(tmp_path, "b,person_key\r\n1,K1\r\n2,K2\r\n3,K1", {"K1"})
    assert out == b"b,person_key\r\n1,K1\r\n3,K1\n" and stats.rows == 2


def test_stream_stopped_early_still_counts(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(csvdata, "CHUNK_BYTES", 10)
    path = tmp_path / "rows.csv"
    path.write_text("person_key,v\n" + "".join(f"K{n},{n}\n" for n in range(100)))
    stats = csvdata.StreamStats()
    stream = csvdata.filtered_stream(str(path), "person_key", {f"K{n}" for n in range(100)}, stats)
    next(stream)
    stream.close()
    assert stats.complete is False and 0 < stats.rows < 100 and len(stats.keys) == stats.rows


def test_validate_counts_rows_and_names_problems() -> None:
    assert csvdata.validate(io.BytesIO(b"person_key;v\nK1;1\n\nK2;2\n"), "f.csv", "person_key") == 2
    with pytest.raises(csvdata.CsvDataError) as err:
        csvdata.validate(io.BytesIO(b"person_key,v\nK1,1\nK2\n"), "f.csv", "person_key")
    assert (err.value.row, err.value.filename) == (3, "f.csv")
