"""The streaming .xlsx reader returns what openpyxl's read-only mode returns."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl

from ckanext.govcat.catalog import xlsx

from .fixtures.sheets import good_rows
from .fixtures.sheets import xlsx as make_xlsx


def _openpyxl_rows(data: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out = []
    for row in book.worksheets[0].iter_rows(values_only=True):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    return out


def test_same_values_as_openpyxl():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["文本", 1, 2.5, True, dt.datetime(2017, 11, 10), None, "末尾"])
    sheet.append([None, None, "跳过前两列"])
    sheet["B4"] = dt.date(2020, 2, 29)
    sheet["B4"].number_format = "yyyy\"年\"m\"月\"d\"日\""
    sheet["C4"] = 0.25
    sheet["C4"].number_format = "0.00%"
    sheet.merge_cells("A5:C6")
    sheet["A5"] = "合并"
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    rows = [values for _, values in xlsx.iter_rows(io.BytesIO(data))]
    assert rows == _openpyxl_rows(data)
    assert rows[3][1] == dt.datetime(2020, 2, 29) and rows[3][2] == 0.25


def test_row_numbers_and_fixture_sheet():
    data = make_xlsx(good_rows(), merge_resource_cells=True)
    numbered = list(xlsx.iter_rows(io.BytesIO(data)))
    assert [n for n, _ in numbered] == list(range(1, len(numbered) + 1))
    assert [values for _, values in numbered] == _openpyxl_rows(data)
