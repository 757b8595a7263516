"""Reading and writing the filling template (pure: no CKAN)."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from ckanext.govcat.catalog import workbook

from .fixtures.sheets import HEADERS, bad_corpus, good_rows, resource, xlsx

TODAY = dt.date(2026, 1, 1)


def read(data: bytes, standard, name="f.xlsx", existing=None):
    report = workbook.parse(workbook.iter_rows(io.BytesIO(data), name), standard)
    return workbook.check(report, standard, existing_codes=existing, today=TODAY)


class TestParse:
    def test_good_sheet(self, standard):
        report = read(xlsx(good_rows()), standard)
        assert report.ok, [line.message for line in report.lines]
        assert report.summary() == {"resources": 4, "data_items": 6, "errors": 0, "warnings": 0}
        first = report.entries[0]
        assert first.rows == [3, 4] and first.record["classification"] == "303026010201"
        assert first.record["open_type"] == "conditional" and first.record["open_type_label"] == "是"
        assert first.record["data_items"][0]["data_type"] == "C"
        civil = report.entries[3].record
        assert civil["classification"] == "203002" and civil["open_type"] == "unconditional"

    def test_merged_cells(self, standard):
        report = read(xlsx(good_rows(), merge_resource_cells=True), standard)
        assert report.ok and [len(e.record["data_items"]) for e in report.entries] == [2, 2, 2, 0]

    def test_headers_matched_by_normalised_name_in_any_order(self, standard):
        headers = list(reversed(HEADERS))
        headers[headers.index("信息资源名称")] = "*信息资源名称（必填项）"
        rows = [{("*信息资源名称（必填项）" if k == "信息资源名称" else k): v for k, v in row.items()}
                for row in good_rows()]
        report = read(xlsx(rows, headers=headers, title_rows=3), standard)
        assert report.ok and len(report.entries) == 4

    def test_csv(self, standard):
        out = io.StringIO()
        import csv

        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for row in good_rows():
            writer.writerow(["" if row.get(h) is None else row.get(h) for h in HEADERS])
        report = read(out.getvalue().encode("utf-8-sig"), standard, name="f.csv")
        assert report.ok and len(report.entries) == 4

    def test_no_header_row(self, standard):
        with pytest.raises(workbook.WorkbookError, match="表头"):
            read(xlsx([], headers=["甲", "乙"]), standard)

    def test_not_a_workbook(self, standard):
        with pytest.raises(workbook.WorkbookError):
            read(b"not a zip", standard)
        with pytest.raises(workbook.WorkbookError, match="xlsx"):
            read(b"", standard, name="f.doc")


class TestBadCorpus:
    def test_every_bad_row_is_named(self, standard):
        cases = bad_corpus()
        assert len(cases) >= 30
        rows, expected = [], []
        for case_rows, rule, column in cases:
            expected.append((len(rows) + 3, rule, column))  # title row + header row
            rows += case_rows
        report = read(xlsx(rows), standard)
        found = {(line.row, line.rule, line.column) for line in report.errors}
        missing = [e for e in expected if e not in found]
        assert missing == []
        # every bad resource has at least one error on its first row
        assert {row for row, _, _ in expected} <= {line.row for line in report.errors}

    def test_drag_fill_and_duplicates_warn(self, standard):
        rows = resource(1, 信息资源名称="企业登记信息1") + resource(2, 信息资源名称="企业登记信息2") \
            + resource(3, 信息资源名称="企业 登记信息（3）")
        report = read(xlsx(rows), standard)
        assert report.ok
        assert [(line.row, line.rule) for line in report.warnings] == [(5, "D1"), (7, "D1")]

    def test_repeated_code_and_inconsistent_provider(self, standard):
        # A repeated code on the next rows continues the resource; further down it is a repeat.
        rows = resource(1) + resource(3, 信息资源提供方代码="12130000MB12345603") \
            + resource(2, **{"信息资源代码（必填项）": "303026010201/1"})
        report = read(xlsx(rows), standard)
        assert {(line.row, line.rule) for line in report.errors} == {(5, "R16"), (7, "R3")}

    def test_error_workbook_has_report_column(self, standard):
        data = xlsx(resource(1) + resource(2, 数据存储总量="5TB"))
        report = read(data, standard)
        out = workbook.error_workbook(workbook.iter_rows(io.BytesIO(data), "f.xlsx"), report)
        sheet = openpyxl.load_workbook(io.BytesIO(out)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][-1] == workbook.REPORT_HEADER
        assert rows[2][-1] in (None, "") and "R20" in rows[4][-1] and "数据存储总量" in rows[4][-1]


def test_write_then_read_gives_same_records(standard):
    report = read(xlsx(good_rows()), standard)
    records = [e.record for e in report.entries]
    again = read(workbook.write_workbook(records, standard), standard)
    assert again.ok
    keys = ("classification", "title", "resource_code", "provider_code", "share_type",
            "open_type", "update_cycle", "publish_date", "data_items", "format_type")
    assert [{k: r.get(k) for k in keys} for r in records] == \
        [{k: e.record.get(k) for k in keys} for e in again.entries]
