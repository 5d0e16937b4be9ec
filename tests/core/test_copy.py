"""COPY of a DataFrame: missing values arrive as NULL, text survives commas, quotes and empties."""

import numpy as np
import pandas as pd
import pytest
from django.db import connection

from apps.core.copy import copy_frame_into, frame_csv

pytestmark = pytest.mark.django_db


def test_a_frame_round_trips_through_copy_with_nulls_and_awkward_text():
    frame = pd.DataFrame(
        {
            "id": np.array([1, 2, 3], dtype=np.int64),
            "n": pd.array([5, None, -7], dtype="Int64"),
            "x": np.array([1.5, np.nan, 12.345]),
            "flag": np.array(["t", "f", "t"], dtype=object),
            "note": np.array(['a, "quoted" b', "line\nbreak", "plain"], dtype=object),
        }
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE copy_probe (id bigint, n bigint, x numeric(9, 3), flag boolean, "
            "note text)"
        )
        copy_frame_into(cursor, "copy_probe", frame)
        cursor.execute("SELECT id, n, x::text, flag, note FROM copy_probe ORDER BY id")
        rows = cursor.fetchall()
        cursor.execute("DROP TABLE copy_probe")
    assert rows == [
        (1, 5, "1.500", True, 'a, "quoted" b'),
        (2, None, None, False, "line\nbreak"),
        (3, -7, "12.345", True, "plain"),
    ]


def test_the_csv_has_no_header_and_leaves_missing_values_unquoted():
    frame = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": ["x", "y"]})
    assert frame_csv(frame).read().decode() == '1,"x"\n,"y"\n'
