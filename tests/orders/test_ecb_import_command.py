"""`manage.py import_ecb_rates` on damaged files: a one-line message, never a traceback, and a
cut-off file imports its whole lines and names the cut one."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

HEADER = b"Date,USD,JPY,BGN,\n"
LINE = b"2024-11-22,1.0465,161.77,1.9558,\n"

pytestmark = pytest.mark.django_db


def _run(tmp_path, name: str, data: bytes) -> tuple[str, str]:
    path = tmp_path / name
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ecb_rates", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_file_cut_mid_line_imports_the_whole_lines_and_reports_the_cut_one(tmp_path):
    data = HEADER + LINE + b"2024-11-21,1.0549,163.7"
    out, err = _run(tmp_path, "cut.csv", data)
    assert "Read 3 rates on 1 days" in out
    assert "line 3: expected 3 rates after the date, found 2" in err


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("header-only.csv", b"Date,USD,JPY,\n", "holds no rates"),
        ("header-cut.csv", b"Date,USD,JP", "not an ECB history file"),
        ("empty.csv", b"", "The file is empty"),
        ("cut.zip", None, "damaged or incomplete"),
        ("binary.csv", b"\x00\xff\xfe" * 50, "ECB"),
    ],
)
def test_a_damaged_file_is_a_command_error_not_a_traceback(tmp_path, name, data, message):
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("eurofxref-hist.csv", (HEADER + LINE * 200).decode())
        data = buffer.getvalue()[:120]
    with pytest.raises(CommandError, match=message):
        _run(tmp_path, name, data)
