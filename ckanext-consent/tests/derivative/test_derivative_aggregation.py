"""The aggregation rule: thresholds, fallback, and no disclosure by differencing.

Pure tests (no CKAN). hypothesis is not installed in the bundle, so the
disclosure property is checked exhaustively over small hierarchies and over
seeded random draws, from the attacker's side: only the published CSV.
"""
from __future__ import annotations

import io
import itertools
import random

import numpy as np
import pandas as pd
import pytest

from ckanext.consent.derivative.aggregation import (
    DisclosureError,
    Release,
    Spec,
    aggregate,
    audit,
    keep_persons,
    to_csv,
)
from ckanext.consent.derivative.errors import DerivativeInputError

K = 3


def spec(threshold: int = K, measures: tuple[str, ...] = ("kwh",), **kwargs) -> Spec:
    return Spec(key_column="pid", measure_columns=measures, address_column="address",
                street_column="street", iris_column="iris", threshold=threshold, **kwargs)


def rows(*groups: tuple[str | None, str | None, str | None, int], kwh: float = 1.0,
         start: int = 0) -> pd.DataFrame:
    """(iris, street, address, number of persons) -> one row per person."""
    out, n = [], start
    for iris, street, address, count in groups:
        for _ in range(count):
            out.append({"pid": f"p{n}", "iris": iris, "street": street,
                        "address": address, "kwh": kwh})
            n += 1
    return pd.DataFrame(out, columns=["pid", "iris", "street", "address", "kwh"])


def published(release: Release) -> dict[tuple[str, str], int]:
    return {(r.level, r.zone_label): r.persons for r in release.table.itertuples()}


# --- threshold and fallback ----------------------------------------------------

def test_big_address_is_published_at_address_level() -> None:
    release = aggregate(rows(("I1", "Rue A", "1 Rue A", 3)), spec())
    assert published(release) == {("address", "1 Rue A"): 3}
    assert release.note["suppressed_persons"] == 0
    assert release.table.loc[0, "kwh_sum"] == 3.0


def test_small_addresses_fall_back_to_their_street_then_iris_then_are_withheld() -> None:
    frame = rows(("I1", "Rue A", "1 Rue A", 4),   # address level
                 ("I1", "Rue A", "2 Rue A", 1),   # falls to street Rue A
                 ("I1", "Rue A", "3 Rue A", 2),   # idem: Rue A remainder = 3
                 ("I1", "Rue B", "1 Rue B", 2),   # Rue B remainder 2 < 3 -> IRIS
                 ("I1", None, None, 1),           # no street: IRIS directly
                 ("I2", "Rue C", "1 Rue C", 2))   # I2 remainder 2 -> withheld
    release = aggregate(frame, spec())
    assert published(release) == {("address", "1 Rue A"): 4, ("street", "Rue A"): 3,
                                  ("iris", "I1"): 3}
    assert release.note["suppressed_persons"] == 2
    assert release.note["published_cells"] == {"address": 1, "street": 1, "iris": 1}
    # Each person counts once: published + withheld = everyone.
    assert release.table["persons"].sum() + 2 == len(frame)
    audit(frame, release, spec())


def test_threshold_is_configurable_and_counts_distinct_persons() -> None:
    # One person with many delivery points at one address is one person.
    frame = pd.concat([rows(("I1", "Rue A", "1 Rue A", 1))] * 12, ignore_index=True)
    assert aggregate(frame, spec()).table.empty
    frame = rows(("I1", "Rue A", "1 Rue A", 10))
    assert not aggregate(frame, spec(threshold=10)).table.empty
    assert aggregate(frame, spec(threshold=11)).table.empty


def test_measure_threshold_only_makes_publication_stricter() -> None:
    frame = pd.concat([rows(("I1", "Rue A", "1 Rue A", 3), kwh=10.0),
                       rows(("I1", "Rue A", "2 Rue A", 3), kwh=100.0, start=3)],
                      ignore_index=True)
    release = aggregate(frame, spec(measure_threshold=200.0))
    # 1 Rue A sums 30 < 200: its street and IRIS remainders hold only it.
    assert published(release) == {("address", "2 Rue A"): 3}
    assert release.note["suppressed_persons"] == 3
    assert release.note["measure_threshold_column"] == "kwh"
    # A huge consumption never lifts a cell below the persons threshold.
    alone = rows(("I1", "Rue A", "1 Rue A", 1), kwh=1e9)
    assert aggregate(alone, spec(measure_threshold=200.0)).table.empty


def test_streets_are_split_by_iris_so_levels_nest() -> None:
    frame = rows(("I1", "Rue A", None, 3), ("I2", "Rue A", None, 3))
    release = aggregate(frame, spec())
    assert sorted(release.table["zone_code"]) == ["street:I1:rue-a", "street:I2:rue-a"]


def test_labels_are_matched_without_case_or_spacing_differences() -> None:
    frame = rows(("I1", "Rue A", "1 Rue A", 2), ("I1", "rue  a", "1 RUE A", 1))
    assert published(aggregate(frame, spec())) == {("address", "1 RUE A"): 3}


def test_zone_codes_stay_unique_when_spellings_share_a_slug() -> None:
    frame = rows(("I1", "Rue É", "1 Rue É", 3), ("I1", "Rue E", "1 Rue E", 3))
    release = aggregate(frame, spec())
    codes = release.table["zone_code"].tolist()
    assert len(set(codes)) == 2 and all(c.startswith("address:I1:rue-e:1-rue-e~") for c in codes)
    assert aggregate(frame, spec()).table["zone_code"].tolist() == codes   # stable
    audit(frame, release, spec())


def test_csv_has_no_person_key_and_the_documented_columns() -> None:
    frame = rows(("I1", "Rue A", "1 Rue A", 3))
    text = to_csv(aggregate(frame, spec())).decode()
    header = text.splitlines()[0].split(",")
    assert header == ["level", "zone_code", "zone_label", "iris_code", "iris_label",
                      "street", "persons", "kwh_sum"]
    assert "p0" not in text and "pid" not in text


def test_keep_persons_filters_by_consenting_keys() -> None:
    frame = rows(("I1", "Rue A", "1 Rue A", 4))
    kept = keep_persons(frame, "pid", {"p1", "p3", "nobody"})
    assert kept["pid"].tolist() == ["p1", "p3"]


# --- bad input -----------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"threshold": 2}, "threshold: 2 is below the minimum of 3 persons"),
    ({"threshold": 2.5}, "not a whole number"),
    ({"measure_threshold": -1.0}, "measure threshold"),
    ({"measures": ("kwh", "pid")}, "measure columns: pid already hold the key or the geography"),
])
def test_bad_settings_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(DerivativeInputError, match=message):
        spec(**kwargs)


def test_bad_rows_name_the_line_and_column() -> None:
    frame = rows(("I1", "Rue A", "1 Rue A", 3))
    frame["kwh"] = frame["kwh"].astype(object)
    frame.loc[1, "kwh"] = "beaucoup"
    with pytest.raises(DerivativeInputError, match=r"line 3, column 'kwh': measure is not a number"):
        aggregate(frame, spec())
    with pytest.raises(DerivativeInputError, match="columns missing from the rows: 'street'"):
        aggregate(frame.drop(columns=["street"]), spec())
    frame = rows(("I1", "Rue A", "1 Rue A", 3))
    frame.loc[2, "pid"] = " "
    with pytest.raises(DerivativeInputError, match="line 4, column 'pid': empty person key"):
        aggregate(frame, spec())


def test_decimal_commas_are_read() -> None:
    frame = rows(("I1", "Rue A", "1 Rue A", 3)).astype({"kwh": object})
    frame["kwh"] = ["1,5", "2", "0,25"]
    assert aggregate(frame, spec()).table.loc[0, "kwh_sum"] == 3.75


def test_audit_rejects_a_tampered_release() -> None:
    frame = rows(("I1", "Rue A", "1 Rue A", 3), ("I1", "Rue A", "2 Rue A", 1))
    release = aggregate(frame, spec())
    audit(frame, release, spec())
    leaky = Release(release.table.copy(), dict(release.note), release.row_cells.copy())
    leaky.row_cells[leaky.row_cells < 0] = 0      # claim the withheld row too
    with pytest.raises(DisclosureError):
        audit(frame, leaky, spec())
    small = Release(release.table.copy(), dict(release.note), release.row_cells.copy())
    small.row_cells[0] = -1                        # a cell of 2 behind a figure
    with pytest.raises(DisclosureError):
        audit(frame, small, spec())


# --- no published figure or difference isolates fewer than K persons ----------

def attacker_matrix(release: Release, rows_count: int) -> np.ndarray:
    """What each published figure says about each input row, from the CSV.

    Input row ``i`` (a delivery point) measures ``2**i``, so the binary
    digits of a published sum tell exactly which rows it adds up (``audit``
    has checked that a figure counts a row at most once): the linear form
    an attacker can combine with the others.
    """
    table = pd.read_csv(io.BytesIO(to_csv(release)))
    sums = table["kwh_sum"].fillna(0).astype("int64").to_numpy()
    return np.array([[(int(total) >> i) & 1 for i in range(rows_count)] for total in sums],
                    dtype=float).reshape(len(sums), rows_count)


def with_binary_measures(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    assert len(frame) <= 40, "sums of 2**row must stay exact"
    frame["kwh"] = [float(2 ** i) for i in range(len(frame))]
    return frame


def smallest_isolation(frame: pd.DataFrame, release: Release) -> int | None:
    """Fewest persons any sum or difference of published figures involves.

    Every combination with coefficients -1, 0, 1 is tried, which includes
    "IRIS total minus the streets and addresses inside it".
    """
    matrix = attacker_matrix(release, len(frame))
    cells = len(matrix)
    assert cells <= 9, "keep the enumeration small"
    if cells == 0:
        return None
    coefficients = np.array(list(itertools.product((-1, 0, 1), repeat=cells)), dtype=float)
    forms = np.abs(coefficients @ matrix) > 1e-9          # combination x row
    owner = pd.factorize(frame["pid"])[0]
    touched = np.zeros((len(forms), owner.max() + 1), dtype=bool)
    for row, person in enumerate(owner):
        touched[:, person] |= forms[:, row]
    support = touched.sum(axis=1)                          # distinct persons involved
    support = support[support > 0]
    return int(support.min()) if len(support) else None


def assert_no_small_combination(frame: pd.DataFrame, threshold: int) -> Release:
    frame = with_binary_measures(frame)
    s = spec(threshold=threshold)
    release = aggregate(frame, s)
    audit(frame, release, s)
    fewest = smallest_isolation(frame, release)
    assert fewest is None or fewest >= threshold, (
        f"a combination of published figures isolates {fewest} person(s)")
    return release


def test_the_differencing_check_catches_a_classic_total_table() -> None:
    # Guard for the checker itself: a table of totals (address 3 persons,
    # street total 4) lets "street - address" isolate the fourth person.
    frame = with_binary_measures(rows(("I1", "Rue A", "1 Rue A", 3), ("I1", "Rue A", "2 Rue A", 1)))
    totals = pd.DataFrame([
        {"level": "address", "zone_code": "a", "persons": 3, "kwh_sum": 1.0 + 2 + 4},
        {"level": "street", "zone_code": "s", "persons": 4, "kwh_sum": 1.0 + 2 + 4 + 8}])
    leaky = Release(totals, {}, np.array([0, 0, 0, 1]))
    assert smallest_isolation(frame, leaky) == 1
    assert smallest_isolation(frame, aggregate(frame, spec())) == 3


HIERARCHY = [("I1", "Rue A", "1 Rue A"), ("I1", "Rue A", "2 Rue A"),
             ("I1", "Rue A", None), ("I1", None, None)]


def test_exhaustive_small_hierarchy_never_isolates_fewer_than_threshold() -> None:
    # Every split of 0..3 persons over two addresses, a street remainder and
    # an IRIS remainder with K = 3: each cell just below, at or above K.
    counts_seen = set()
    for counts in itertools.product(range(K + 1), repeat=len(HIERARCHY)):
        # The two addresses are symmetric: one order of their counts is enough.
        if sum(counts) == 0 or counts[0] > counts[1]:
            continue
        frame = rows(*[(*place, n) for place, n in zip(HIERARCHY, counts, strict=True)])
        release = assert_no_small_combination(frame, K)
        counts_seen.add(tuple(sorted(release.note["published_cells"].items())))
    # The enumeration reached every level, publishing and withholding.
    assert len(counts_seen) > 4


def test_random_hierarchies_with_repeated_persons_never_isolate() -> None:
    generator = random.Random(20261122)
    places = [("I1", "Rue A", "1 Rue A"), ("I1", "Rue A", "2 Rue A"), ("I1", "Rue B", "1 Rue B"),
              ("I1", "Rue B", None), ("I2", "Rue A", "5 Rue A"), ("I2", None, None),
              (None, "Rue C", "1 Rue C")]
    for _case in range(40):
        threshold = generator.choice((3, 4))
        persons = generator.randint(1, 14)
        records = []
        for p in range(persons):
            # Some persons hold several delivery points, possibly elsewhere.
            for _point in range(generator.choice((1, 1, 1, 2))):
                iris, street, address = generator.choice(places)
                records.append({"pid": f"p{p}", "iris": iris, "street": street,
                                "address": address, "kwh": 1.0})
        frame = pd.DataFrame(records)
        release = aggregate(frame, spec(threshold=threshold))
        if len(release.table) <= 8:
            assert_no_small_combination(frame, threshold)


def test_withheld_small_address_cannot_be_recovered_from_street_and_iris() -> None:
    # The classical attack on total tables: street total - published address.
    frame = pd.concat([rows(("I1", "Rue A", "1 Rue A", 10), kwh=100.0),
                       rows(("I1", "Rue A", "2 Rue A", 1), kwh=777.0, start=10),
                       rows(("I1", "Rue B", None, 5), kwh=50.0, start=11)], ignore_index=True)
    release = aggregate(frame, spec())
    sums = release.table["kwh_sum"].tolist()
    assert 777.0 not in sums
    assert all(abs(a - b) != 777.0 for a, b in itertools.combinations(sums, 2))
    # Rue B stands on its own; the lone person's IRIS remainder is withheld.
    assert published(release) == {("address", "1 Rue A"): 10, ("street", "Rue B"): 5}
    assert release.note["suppressed_persons"] == 1
