"""A streaming reader for the first sheet of an .xlsx: cell values row by row, like openpyxl's
read-only mode with ``values_only=True`` (shared and inline strings, numbers, booleans, and dates
for cells whose number format is a date format), but several times faster because it reads the
sheet XML with lxml's iterparse and keeps no cell objects. Large catalog workbooks (195k rows)
need that for the dry-run budget."""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from typing import IO, Any, Iterator, Optional

from lxml import etree

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that display dates or times (ECMA-376 §18.8.30).
BUILTIN_DATE_FORMATS = frozenset(range(14, 23)) | frozenset(range(45, 48))
_DATE_TOKENS = re.compile(r"(\[[^\]]*\]|\"[^\"]*\"|\\.)")
_EPOCH = dt.datetime(1899, 12, 30)
_REF = re.compile(r"([A-Z]+)")


def _column_index(ref: str) -> int:
    letters = _REF.match(ref)
    index = 0
    for ch in letters.group(1) if letters else "A":
        index = index * 26 + ord(ch) - 64
    return index - 1


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    book = etree.fromstring(archive.read("xl/workbook.xml"))
    sheet = book.find(f"{NS}sheets/{NS}sheet")
    rel_id = sheet.get(f"{REL_NS}id")
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target")
            return target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join("xl", target))
    raise KeyError("first worksheet not found")


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    out = []
    for _, si in etree.iterparse(archive.open("xl/sharedStrings.xml"), tag=f"{NS}si"):
        out.append("".join(t.text or "" for t in si.iter(f"{NS}t")
                           if t.getparent().tag != f"{NS}rPh"))
        si.clear()
    return out


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of cellXfs whose number format is a date/time format."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    styles = etree.fromstring(archive.read("xl/styles.xml"))
    custom = {}
    for fmt in styles.iter(f"{NS}numFmt"):
        code = _DATE_TOKENS.sub("", fmt.get("formatCode", "")).lower()
        custom[int(fmt.get("numFmtId"))] = any(ch in code for ch in "ymdhs") and "general" not in code
    xfs = styles.find(f"{NS}cellXfs")
    dates = set()
    for index, xf in enumerate(xfs if xfs is not None else []):
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id in BUILTIN_DATE_FORMATS or custom.get(fmt_id):
            dates.add(index)
    return dates


def _number(text: str, is_date: bool) -> Any:
    value: Any = float(text) if any(ch in text for ch in ".eE") else int(text)
    if is_date:
        return _EPOCH + dt.timedelta(days=float(value))
    return value


def iter_rows(source: IO[bytes] | str) -> Iterator[tuple[int, list[Any]]]:
    """(1-based row number, values) of the first sheet; missing cells are None."""
    with zipfile.ZipFile(source) as archive:
        strings = _shared_strings(archive)
        dates = _date_styles(archive)
        path = _first_sheet_path(archive)
        expected = 1
        for _, row in etree.iterparse(archive.open(path), tag=f"{NS}row"):
            number = int(row.get("r") or expected)
            while expected < number:  # rows absent from the XML are empty
                yield expected, []
                expected += 1
            values: list[Any] = []
            for cell in row.iter(f"{NS}c"):
                ref = cell.get("r")
                index = _column_index(ref) if ref else len(values)
                while len(values) < index:
                    values.append(None)
                kind = cell.get("t")
                if kind == "inlineStr":
                    is_ = cell.find(f"{NS}is")
                    value: Optional[Any] = "".join(t.text or "" for t in is_.iter(f"{NS}t")) \
                        if is_ is not None else None
                else:
                    v = cell.find(f"{NS}v")
                    text = v.text if v is not None else None
                    if text is None:
                        value = None
                    elif kind == "s":
                        value = strings[int(text)]
                    elif kind == "b":
                        value = text == "1"
                    elif kind in ("str", "e"):
                        value = text
                    else:
                        value = _number(text, int(cell.get("s", "0")) in dates)
                values.append(value)
            while values and values[-1] is None:
                values.pop()
            yield number, values
            expected = number + 1
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
