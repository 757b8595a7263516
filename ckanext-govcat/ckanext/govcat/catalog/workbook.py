"""The catalog filling template (REFERENCE §8): reading a workbook (.xlsx or .csv) into catalog
records with a row/column report, and writing records back in the same layout.

Contract: one sheet row per data item; resource-level cells are repeated on every row of the
resource or left blank (merged cells). Headers are matched by normalised name using the layout in
``workbook.yaml``. Nothing here touches CKAN: the importer in ``logic/`` decides what to write.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import IO, Any, Iterable, Iterator, Mapping, Optional, Sequence

import zipfile

import openpyxl
from lxml import etree

from . import data, rules, xlsx
from .messages import N_, Message, Translate, render
from .standard import Standard
from .text import clean, match_key

_HEADER_NOISE = re.compile(r"[（(](必填项?|选填项?|必填|选填)[)）]|\*|＊")
HEADER_SCAN_ROWS = 10
REPORT_HEADER = "校验结果"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    level: str = "resource"
    synonyms: tuple[str, ...] = ()


@dataclass
class Layout:
    columns: list[Column]
    required_headers: tuple[str, ...]

    @classmethod
    def load(cls, reference: str = "catalog/workbook.yaml") -> "Layout":
        spec = data.load(reference)
        columns = [Column(header=str(c["header"]), field=str(c["field"]),
                          level=str(c.get("level", "resource")),
                          synonyms=tuple(str(s) for s in c.get("synonyms", ()) or ()))
                   for c in spec["columns"]]
        return cls(columns, tuple(spec.get("required_headers", ())))

    def header_for(self, field_name: str) -> str:
        for column in self.columns:
            if column.field == field_name:
                return column.header
        return rules.FIELD_LABELS.get(field_name, field_name)

    def match(self, headers: Sequence[Any]) -> dict[int, Column]:
        keys: dict[str, Column] = {}
        for column in self.columns:
            for name in (column.header, *column.synonyms):
                keys.setdefault(header_key(name), column)
        matched: dict[int, Column] = {}
        taken: set[str] = set()
        for index, header in enumerate(headers):
            column = keys.get(header_key(header))
            if column is not None and column.field not in taken:
                matched[index] = column
                taken.add(column.field)
        return matched


def header_key(value: Any) -> str:
    return match_key(_HEADER_NOISE.sub("", clean(value)))


@dataclass
class Entry:
    """One information resource read from the sheet."""
    record: dict[str, Any]
    rows: list[int] = field(default_factory=list)
    raw_open: str = ""


@dataclass(frozen=True)
class Line:
    """One report line: a sheet row, the column concerned, and what to do."""
    row: int
    column: str
    severity: rules.Severity
    rule: str
    message: str  # a messages.Message where it comes from a rule: translatable
    resource: str = ""

    def as_dict(self, translate: Optional[Translate] = None) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "severity": self.severity,
                "rule": self.rule, "resource": self.resource,
                "message": render(self.message, translate) if translate else str(self.message)}


@dataclass
class Report:
    entries: list[Entry]
    lines: list[Line]
    header_row: int = 0

    @property
    def errors(self) -> list[Line]:
        return [line for line in self.lines if line.severity == "error"]

    @property
    def warnings(self) -> list[Line]:
        return [line for line in self.lines if line.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        return {"resources": len(self.entries),
                "data_items": sum(len(e.record.get("data_items") or []) for e in self.entries),
                "errors": len(self.errors), "warnings": len(self.warnings)}


class WorkbookError(ValueError):
    """The file cannot be read as a catalog workbook (message in Chinese)."""


# -- reading ---------------------------------------------------------------------------------

def iter_rows(source: IO[bytes] | str, filename: str) -> Iterator[tuple[int, list[Any]]]:
    """(1-based row number, cell values) of the first sheet of an .xlsx, or of a .csv file."""
    name = filename.lower()
    if name.endswith(".csv"):
        raw = source.read() if hasattr(source, "read") else open(source, "rb").read()  # type: ignore[union-attr]
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        for number, row in enumerate(csv.reader(io.StringIO(text)), 1):
            yield number, list(row)
        return
    if not name.endswith((".xlsx", ".xlsm")):
        raise WorkbookError(Message(N_("只支持 .xlsx 或 .csv 文件")))
    try:
        yield from xlsx.iter_rows(source)
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise WorkbookError(Message(N_("无法读取该 Excel 文件：{error}"), error=str(exc))) from exc


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse(rows: Iterable[tuple[int, list[Any]]], standard: Standard,
          layout: Optional[Layout] = None, max_rows: int = 0) -> Report:
    """Group sheet rows into resources (``Report.entries``) with the reading problems found so far
    (unknown header row, unknown classification, too many rows)."""
    layout = layout or Layout.load()
    lines: list[Line] = []
    iterator = iter(rows)
    matched: dict[int, Column] = {}
    header_row = 0
    required = {header_key(h) for h in layout.required_headers}
    for number, values in iterator:
        candidate = layout.match(values)
        if required <= {header_key(c.header) for c in candidate.values()}:
            matched, header_row = candidate, number
            break
        if number >= HEADER_SCAN_ROWS:
            break
    if not matched:
        raise WorkbookError(Message(N_("找不到表头行：前10行中没有同时包含「信息资源名称」和「信息资源代码」的行。"
                                       "请使用目录填报模板。")))
    resource_cols = [(i, c) for i, c in matched.items() if c.level == "resource"]
    item_cols = [(i, c) for i, c in matched.items() if c.level == "item"]
    code_index = next(i for i, c in matched.items() if c.field == "resource_code")
    entries: list[Entry] = []
    current: Optional[Entry] = None
    count = 0
    for number, values in iterator:
        if all(_blank(v) for v in values):
            continue
        count += 1
        if max_rows and count > max_rows:
            raise WorkbookError(Message(N_("文件超过 {max_rows} 行数据，请分批导入。"), max_rows=max_rows))
        width = len(values)
        code = clean(values[code_index]) if code_index < width else ""
        if current is not None and code and code == current.record.get("resource_code"):
            resource_cells: dict[str, Any] = {}  # repeated cells of the same resource
            continues = True
        else:
            resource_cells = {c.field: values[i] for i, c in resource_cols
                              if i < width and c.field != "_row" and not _blank(values[i])}
            continues = current is not None and not resource_cells
        if not continues:
            current = Entry(record={"data_items": []})
            entries.append(current)
            for name, value in resource_cells.items():
                current.record[name] = value
        assert current is not None
        current.rows.append(number)
        item = {c.field: values[i] for i, c in item_cols if i < width and not _blank(values[i])}
        if item:
            current.record["data_items"].append(item)
    for entry in entries:
        lines += _finish(entry, standard, layout)
    return Report(entries=entries, lines=lines, header_row=header_row)


def _finish(entry: Entry, standard: Standard, layout: Layout) -> list[Line]:
    """Resolve classification cells and the open columns of one resource."""
    record = entry.record
    lines: list[Line] = []
    names = [clean(record.pop(f"_class_{level}", "")) for level in (1, 2, 3, 4)]
    code = clean(record.get("classification"))
    if not code and any(names):
        parts = names[:3] + [p for p in re.split(r"\s*[/›>]\s*", names[3]) if p]
        node = standard.tree.find_by_names(parts)
        if node is None:
            lines.append(Line(entry.rows[0], "类/项/目/细目", "error", "R2",
                              Message(N_("「信息资源分类」{names} 在分类目录中找不到，"
                                         "请按分类目录填写类、项、目（细目）的名称或代码。"),
                                      names=" / ".join(n for n in names if n)),
                              clean(record.get("title"))))
        else:
            record["classification"] = node.code
    elif not code:
        try:
            parsed = standard.scheme.parse(record.get("resource_code"))
            if parsed.class_code in standard.tree:
                record["classification"] = parsed.class_code
        except ValueError:
            pass
    is_open = clean(record.pop("_is_open", ""))
    for key in [k for k in record if k.startswith("_")]:
        record.pop(key)
    if not clean(record.get("open_type")) and is_open:
        entry.raw_open = is_open
        condition = clean(record.get("open_condition"))
        term = standard.vocabularies["open_type"].lookup(is_open)
        if term is not None and term.value == "unconditional" and condition \
                and match_key(condition) not in ("无条件", "无"):
            record["open_type"] = "conditional"
        else:
            record["open_type"] = is_open
        record["open_type_label"] = is_open
    return lines


def check(report: Report, standard: Standard, *, layout: Optional[Layout] = None,
          existing_codes: Optional[Mapping[str, str]] = None,
          today: Optional[dt.date] = None) -> Report:
    """Normalise every entry and add the rule issues (single-record and batch) to the report.
    ``existing_codes`` maps codes already in the catalog to their owner's provider code."""
    layout = layout or Layout.load()
    records = []
    for entry in report.entries:
        entry.record = rules.normalise(entry.record, standard)
        records.append(entry.record)
        for issue in rules.check(entry.record, standard, today=today):
            report.lines.append(_line(entry, issue, layout))
    for row_issue in rules.check_batch(records, existing_codes=existing_codes):
        report.lines.append(_line(report.entries[row_issue.index], row_issue.issue, layout))
    report.lines.sort(key=lambda line: (line.row, line.severity != "error"))
    return report


def _line(entry: Entry, issue: rules.Issue, layout: Layout) -> Line:
    return Line(entry.rows[0], layout.header_for(issue.field), issue.severity, issue.rule,
                issue.message, clean(entry.record.get("resource_code")) or
                clean(entry.record.get("title")))


# -- writing ---------------------------------------------------------------------------------

def error_workbook(rows: Iterable[tuple[int, list[Any]]], report: Report) -> bytes:
    """The uploaded sheet again, with a 校验结果 column holding every error and warning of the row."""
    by_row: dict[int, list[str]] = {}
    for line in report.lines:
        mark = "错误" if line.severity == "error" else "提示"
        by_row.setdefault(line.row, []).append(f"[{mark} {line.rule}·{line.column}] {line.message}")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("校验结果")
    width = 0
    for number, values in rows:
        if number == report.header_row:
            width = len(values)
            sheet.append(list(values) + [REPORT_HEADER])
        elif number > report.header_row:
            padded = list(values)[:width] + [None] * (width - len(values))
            sheet.append(padded + ["\n".join(by_row.get(number, []))])
        else:
            sheet.append(list(values))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def record_rows(record: Mapping[str, Any], standard: Standard, layout: Layout,
                number: int) -> list[list[Any]]:
    """Sheet rows (one per data item) of one normalised record, labels as the template uses."""
    vocab = standard.vocabularies
    path = standard.tree.path(record["classification"]) \
        if record.get("classification") in standard.tree else []
    names = {f"_class_{n.level}": n.name for n in path if n.level <= 3}
    if len(path) > 3:
        names["_class_4"] = "/".join(n.name for n in path[3:])
    open_type = clean(record.get("open_type"))
    values: dict[str, Any] = dict(names)
    for column in layout.columns:
        name = column.field
        if column.level == "item" or name.startswith("_"):
            continue
        value = record.get(name)
        if name == "open_type" and _same_term(vocab["open_type"], record.get("open_type_label"),
                                              value):
            value = clean(record.get("open_type_label"))  # keep the original wording
        elif name in rules.VOCAB_FIELDS:
            value = vocab[name].label_of(value) if value else ""
        elif name == "format_type":
            value = vocab["format_type"].label_of(value) if value else ""
        elif name == "related_codes":
            value = ", ".join(rules.split_codes(value or []))
        values[name] = "" if value is None else value
    values["_is_open"] = "" if not open_type else ("否" if open_type == "closed" else "是")
    if clean(record.get("open_type_label")) == values["_is_open"]:
        values["open_type"] = ""  # given as 是/否 (+ condition): the reader derives it again
    items = record.get("data_items") or [{}]
    out = []
    for item in items:
        row = []
        for column in layout.columns:
            if column.field == "_row":
                row.append(number)
            elif column.level == "item":
                value = item.get(column.field, "")
                if column.field == "data_type" and value:
                    value = vocab["data_type"].label_of(value) + value
                row.append(value)
            else:
                row.append(values.get(column.field, ""))
        out.append(row)
    return out


def _same_term(vocabulary: Any, label: Any, value: Any) -> bool:
    term = vocabulary.lookup(label) if clean(label) else None
    return term is not None and term.value == value


def write_workbook(records: Iterable[Mapping[str, Any]], standard: Standard,
                   layout: Optional[Layout] = None, title: str = "政务信息资源目录") -> bytes:
    """An .xlsx in the template layout holding ``records`` (normalised catalog records)."""
    layout = layout or Layout.load()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append([c.header for c in layout.columns])
    for number, record in enumerate(records, 1):
        for row in record_rows(record, standard, layout, number):
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
