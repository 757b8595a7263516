"""Validation rules R1–R20 of REFERENCE §5, plus the secrecy rule and duplicate detection.

Contract: a *record* is a mapping keyed by the dataset field names below (the same names the
ckanext-scheming schema, the workbook importer and the harvesters use). :func:`normalise` maps
real-world labels onto vocabulary values; :func:`check` returns the issues of one record;
:func:`check_batch` adds the rules that compare records (R3, R16, R17, duplicates). Every issue
names its field and says, in Chinese, what is wrong and what to do (a
:class:`~.messages.Message`: the CKAN glue shows it translated). Errors block; warnings do not.
"""
from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import dataclass
from typing import Any, Iterable, Literal, Mapping, Optional, Sequence

from . import uscc
from .codes import CodeError, CodeScheme
from .messages import N_, Message, Translate, render
from .standard import Standard
from .text import clean, duplicate_key, is_blank, match_key

Severity = Literal["error", "warning"]

FIELD_LABELS: dict[str, str] = {
    "classification": N_("信息资源分类"),
    "title": N_("信息资源名称"),
    "resource_code": N_("信息资源代码"),
    "provider": N_("信息资源提供方"),
    "provider_code": N_("信息资源提供方代码"),
    "sub_department": N_("提供方内部部门"),
    "notes": N_("信息资源摘要"),
    "format_class": N_("信息资源格式分类"),
    "format_type": N_("信息资源格式类型"),
    "format_note": N_("其他类型资源格式描述"),
    "data_items": N_("信息项"),
    "share_type": N_("共享类型"),
    "share_condition": N_("共享条件/不予共享依据"),
    "share_method_class": N_("共享方式分类"),
    "share_method_type": N_("共享方式类型"),
    "open_type": N_("开放类型（是否向社会开放）"),
    "open_condition": N_("开放条件"),
    "update_cycle": N_("更新周期"),
    "update_cycle_note": N_("更新周期说明"),
    "publish_date": N_("发布日期"),
    "related_codes": N_("关联资源代码"),
    "secrecy": N_("涉密属性"),
    "census_storage_total": N_("数据存储总量"),
    "census_records_total": N_("结构化信息记录总数"),
    "census_shared_storage": N_("已共享的数据存储量"),
    "census_shared_records": N_("已共享的结构化记录数"),
    "census_open_storage": N_("已开放的数据存储量"),
    "census_open_records": N_("已开放的结构化记录数"),
    "contact_name": N_("联系人"),
    "contact_phone": N_("联系电话"),
}

# R1: elements that must be non-empty.
REQUIRED = ("classification", "title", "resource_code", "provider", "provider_code", "notes",
            "format_class", "share_type", "open_type", "update_cycle", "publish_date")
# Vocabulary-backed fields of a record.
VOCAB_FIELDS = ("format_class", "share_type", "share_method_class", "share_method_type",
                "open_type", "update_cycle", "secrecy")
FILE_LIKE_FORMATS = ("file", "spreadsheet", "image", "media")
STRUCTURED_FORMATS = ("database", "spreadsheet")
_DATE_CN = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$")
_DATE_ISO = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_LENGTH = re.compile(r"^\d+(,\d+)?$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_CODE_SPLIT = re.compile(r"[,;，；、\s]+")


@dataclass(frozen=True)
class Issue:
    """``message`` is a :class:`~.messages.Message`: Chinese as a ``str``, and translatable."""
    rule: str
    field: str
    severity: Severity
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self, translate: Translate | None = None) -> dict[str, str]:
        return {"rule": self.rule, "field": self.field, "severity": self.severity,
                "message": render(self.message, translate) if translate else str(self.message)}


def _issue(rule: str, field: str, severity: Severity, template: str, **params: Any) -> Issue:
    """An issue whose message names the field: 「label」 + ``template`` filled with ``params``."""
    label = Message(FIELD_LABELS[field]) if field in FIELD_LABELS else field
    return Issue(rule, field, severity, Message(N_("「{label}」{problem}"), label=label,
                                                problem=Message(template, **params)))


def _err(rule: str, field: str, template: str, **params: Any) -> Issue:
    return _issue(rule, field, "error", template, **params)


def _warn(rule: str, field: str, template: str, **params: Any) -> Issue:
    return _issue(rule, field, "warning", template, **params)


# -- normalisation ---------------------------------------------------------------------------

def normalise_date(value: Any) -> str:
    """``CCYY-MM-DD`` from a date, a datetime, ISO text or ``2017年11月10日``; other text as is."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = clean(value)
    if " " in text and _DATE_ISO.match(text.split(" ", 1)[0]):
        text = text.split(" ", 1)[0]
    match = _DATE_CN.match(text)
    if match:
        year, month, day = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text


def split_codes(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        items = [clean(v) for v in value]
    else:
        items = _CODE_SPLIT.split(clean(value))
    return [item for item in items if item]


def normalise(record: Mapping[str, Any], standard: Standard) -> dict[str, Any]:
    """A copy of ``record`` with vocabulary labels and synonyms mapped to stored values, the open
    type's original label kept in ``open_type_label``, dates as ``CCYY-MM-DD``, codes trimmed and
    data types as letters. Values that match nothing are kept as given so :func:`check` can
    name them."""
    out = dict(record)
    vocab = standard.vocabularies
    for name in VOCAB_FIELDS:
        raw = out.get(name)
        if is_blank(raw):
            out[name] = ""
            continue
        term = vocab[name].lookup(raw)
        if name == "open_type" and not clean(out.get("open_type_label")):
            out["open_type_label"] = clean(raw)
        out[name] = term.value if term else clean(raw)
    raw_type = out.get("format_type")
    if not is_blank(raw_type):
        term = vocab["format_type"].lookup(raw_type)
        out["format_type"] = term.value if term else clean(raw_type)
    for name in ("title", "provider", "sub_department", "notes", "share_condition",
                 "open_condition", "format_note", "update_cycle_note", "contact_name",
                 "contact_phone"):
        if name in out:  # free text keeps its characters (no NFKC): only trimmed
            out[name] = "" if out[name] is None else str(out[name]).strip()
    for name in ("resource_code", "classification"):
        if name in out:
            out[name] = clean(out[name])
    if "provider_code" in out:
        out["provider_code"] = uscc.normalise(out["provider_code"])
    if "publish_date" in out:
        out["publish_date"] = normalise_date(out["publish_date"])
    if "related_codes" in out:
        out["related_codes"] = split_codes(out["related_codes"])
    for name in standard.census_fields:
        if name in out:
            value = out[name]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            out[name] = "0" if is_blank(value) else clean(value)
    items = []
    for item in out.get("data_items") or []:
        item = dict(item)
        term = vocab["data_type"].lookup(item.get("data_type"))
        item["name"] = str(item.get("name") or "").strip()
        item["data_type"] = term.value if term else clean(item.get("data_type"))
        length = item.get("length")
        if isinstance(length, float) and length.is_integer():
            length = int(length)
        item["length"] = clean(length).replace("，", ",").replace(" ", "")
        item["description"] = str(item.get("description") or "").strip()
        items.append(item)
    out["data_items"] = items
    return out


# -- single-record rules ---------------------------------------------------------------------

def check(record: Mapping[str, Any], standard: Standard, *,
          today: Optional[dt.date] = None,
          known_codes: Optional[Iterable[str]] = None,
          scheme: Optional[CodeScheme] = None) -> list[Issue]:
    """Issues of one normalised record. ``known_codes`` (catalog codes) enables the R19 lookup;
    ``scheme`` overrides the standard's scheme (a record's own ``code_scheme``)."""
    scheme = scheme or _record_scheme(record, standard)
    issues: list[Issue] = []
    issues += _r1_required(record)
    issues += _vocabulary_values(record, standard)
    issues += _r2_code(record, standard, scheme)
    issues += _r4_r9_sharing(record)
    issues += _r10_format(record, standard)
    issues += _r11_r12_items(record, standard)
    issues += _r13_r14_open(record)
    issues += _r15_provider_code(record)
    issues += _r18_date(record, today or dt.date.today())
    issues += _r19_related(record, scheme, known_codes)
    issues += _r20_census(record, standard)
    issues += _secrecy(record)
    return issues


def _record_scheme(record: Mapping[str, Any], standard: Standard) -> CodeScheme:
    name = clean(record.get("code_scheme"))
    return standard.schemes.get(name, standard.scheme) if name else standard.scheme


def _r1_required(record: Mapping[str, Any]) -> list[Issue]:
    return [_err("R1", name, N_("为必填项，不能为空。请按目录编制指南填写。"))
            for name in REQUIRED if is_blank(record.get(name))]


def _vocabulary_values(record: Mapping[str, Any], standard: Standard) -> list[Issue]:
    issues = []
    for name in VOCAB_FIELDS:
        value = clean(record.get(name))
        vocabulary = standard.vocabularies[name]
        if value and vocabulary.get(value) is None:
            allowed = "、".join(t.label for t in vocabulary.terms)
            issues.append(_err("R1", name, N_("的值「{value}」不在可选范围内。请从以下值中选择：{allowed}。"), value=value, allowed=allowed))
    return issues


def _r2_code(record: Mapping[str, Any], standard: Standard, scheme: CodeScheme) -> list[Issue]:
    code = clean(record.get("resource_code"))
    if not code:
        return []
    try:
        parsed = scheme.parse(code)
    except CodeError as exc:
        return [_err("R2", "resource_code", N_("{exc}。请按“分类码/顺序码”的结构填写。"), exc=exc.args[0])]
    issues = []
    node = standard.tree.get(parsed.class_code)
    if node is None:
        issues.append(_err("R2", "resource_code",
                           N_("的分类码 {class_code} 在分类目录中不存在。请先选择已登记的类、项、目（细目）。"), class_code=parsed.class_code))
    elif node.level < scheme.min_class_level:
        issues.append(_err("R2", "resource_code",
                           N_("的分类码 {class_code} 只到「{level_name}」一级，至少应编到「目」。"), class_code=parsed.class_code, level_name=node.level_name))
    classification = clean(record.get("classification"))
    if classification:
        if classification not in standard.tree:
            issues.append(_err("R2", "classification",
                               N_("{classification} 在分类目录中不存在。请从分类目录中选择。"), classification=classification))
        elif classification[0] != parsed.class_code[0]:
            issues.append(_err("R2", "resource_code",
                               N_("的类代码 {code_class} 与所选资源分类的类 {chosen_class} 不一致。请修改代码或分类，使二者一致。"),
                               code_class=parsed.class_code[0], chosen_class=classification[0]))
        elif not classification.startswith(parsed.class_code):
            issues.append(_err("R2", "resource_code",
                               N_("的分类码 {class_code} 与所选资源分类 {classification} 不一致。请使用所选分类下的代码。"), class_code=parsed.class_code, classification=classification))
    return issues


def _r4_r9_sharing(record: Mapping[str, Any]) -> list[Issue]:
    share_type = clean(record.get("share_type"))
    method_class = clean(record.get("share_method_class"))
    method_type = clean(record.get("share_method_type"))
    condition = clean(record.get("share_condition"))
    fmt = clean(record.get("format_class"))
    issues = []
    if share_type == "conditional" and not condition:
        issues.append(_err("R4", "share_condition", N_("在共享类型为「有条件共享」时必须填写，请写明共享条件。")))
    if share_type == "none":
        if not condition:
            issues.append(_err("R5", "share_condition",
                               N_("在共享类型为「不予共享」时必须填写不予共享的依据，请写明所依据的法律、行政法规或党中央、国务院政策。")))
        if method_class or method_type:
            issues.append(_warn("R6", "share_method_class", N_("在共享类型为「不予共享」时应为空，已填写的共享方式不会生效。")))
        return issues
    if share_type and not method_class:
        issues.append(_err("R6", "share_method_class", N_("在可共享时必须填写，请选择共享平台方式、邮件方式或介质方式。")))
    if method_class == "platform":
        if method_type not in ("database", "file", "api"):
            issues.append(_err("R7", "share_method_type",
                               N_("在共享方式分类为「共享平台方式」时必须为数据库、文件或接口之一。")))
        elif fmt in FILE_LIKE_FORMATS and method_type != "file":
            issues.append(_err("R8", "share_method_type",
                               N_("与格式不符：电子文件、电子表格、图形图像、流媒体类资源通过共享平台共享时，共享方式类型应为「文件」。")))
        elif fmt == "database" and method_type not in ("database", "api"):
            issues.append(_err("R9", "share_method_type",
                               N_("与格式不符：数据库类资源通过共享平台共享时，共享方式类型应为「数据库」或「接口」。")))
    return issues


def _r10_format(record: Mapping[str, Any], standard: Standard) -> list[Issue]:
    fmt = clean(record.get("format_class"))
    fmt_type = clean(record.get("format_type"))
    vocabulary = standard.vocabularies["format_type"]
    if fmt == "self_describing":
        if not clean(record.get("format_note")) and not fmt_type:
            return [_err("R10", "format_note", N_("在格式分类为「自描述格式」时必须填写，请描述该格式。"))]
        return []
    if not fmt or not fmt_type:
        return []
    term = vocabulary.get(fmt_type)
    if term is None:
        if vocabulary.open:
            return [_warn("R10", "format_type",
                          N_("「{fmt_type}」不在常用格式类型中，请确认它属于所选的格式分类。"), fmt_type=fmt_type)]
        return [_err("R10", "format_type", N_("「{fmt_type}」不是可选的格式类型。"), fmt_type=fmt_type)]
    if term.attrs.get("class") != fmt:
        fmt_label = standard.vocabularies["format_class"].label_of(fmt)
        owner = standard.vocabularies["format_class"].label_of(term.attrs.get("class", ""))
        return [_err("R10", "format_type",
                     N_("「{label}」属于「{owner}」，与格式分类「{fmt_label}」不符。请修改格式分类或格式类型。"), label=term.label, owner=owner, fmt_label=fmt_label)]
    return []


def _r11_r12_items(record: Mapping[str, Any], standard: Standard) -> list[Issue]:
    items: Sequence[Mapping[str, Any]] = record.get("data_items") or []
    fmt = clean(record.get("format_class"))
    vocabulary = standard.vocabularies["data_type"]
    issues = []
    if fmt in STRUCTURED_FORMATS and not any(clean(i.get("name")) for i in items):
        issues.append(_err("R11", "data_items",
                           N_("：数据库类和电子表格类资源至少要有一个信息项（信息项名称和数据类型）。")))
    seen: dict[str, int] = {}
    for number, item in enumerate(items, 1):
        name = clean(item.get("name"))
        data_type = clean(item.get("data_type"))
        where = Message(N_("第{number}个信息项「{name}」"), number=number, name=name) if name \
            else Message(N_("第{number}个信息项"), number=number)
        if not name:
            issues.append(_err("R11", "data_items", N_("：{where}缺少信息项名称。"), where=where))
        if not data_type:
            issues.append(_err("R11", "data_items", N_("：{where}缺少数据类型。"), where=where))
            continue
        term = vocabulary.get(data_type)
        if term is None:
            allowed = "、".join(f"{t.value}（{t.label}）" for t in vocabulary.terms)
            issues.append(_err("R11", "data_items",
                               N_("：{where}的数据类型「{data_type}」不在下拉列表中，请选择：{allowed}。"), where=where, data_type=data_type, allowed=allowed))
            continue
        length = clean(item.get("length"))
        need = term.attrs.get("length", "optional")
        if not length and need == "required" and fmt in STRUCTURED_FORMATS:
            issues.append(_err("R11", "data_items", N_("：{where}为{label}，必须填写数据长度。"), label=term.label, where=where))
        elif not length and need == "recommended" and fmt in STRUCTURED_FORMATS:
            issues.append(_warn("R11", "data_items", N_("：{where}为{label}，通常应填写数据长度。"), label=term.label, where=where))
        elif length and not _LENGTH.match(length):
            issues.append(_err("R11", "data_items",
                               N_("：{where}的数据长度「{length}」应为数字（数值型可写作“18,2”）。"), where=where, length=length))
        if name:
            key = match_key(name)
            if key in seen:
                issues.append(_err("R12", "data_items",
                                   N_("：{where}与第{other}个信息项重名。同一资源内信息项名称不能重复。"),
                                   other=seen[key], where=where))
            else:
                seen[key] = number
    return issues


def _r13_r14_open(record: Mapping[str, Any]) -> list[Issue]:
    open_type = clean(record.get("open_type"))
    condition = clean(record.get("open_condition"))
    issues = []
    if open_type == "conditional" and not condition:
        issues.append(_err("R13", "open_condition", N_("在开放类型为「有条件开放」时必须填写，请写明开放条件。")))
    elif open_type == "unconditional" and not condition:
        issues.append(_err("R13", "open_condition", N_("在向社会开放时必须填写，无条件开放可填写「无条件」。")))
    if open_type in ("unconditional", "conditional") and clean(record.get("share_type")) == "none":
        issues.append(_warn("R14", "open_type", N_("为向社会开放，但共享类型为「不予共享」。请确认：可向社会开放的资源通常也应可共享。")))
    return issues


def _r15_provider_code(record: Mapping[str, Any]) -> list[Issue]:
    code = clean(record.get("provider_code"))
    if not code:
        return []
    problem = uscc.problem(code)
    if problem:
        return [_err("R15", "provider_code", N_("不是有效的统一社会信用代码：{problem}。请核对后重新填写。"), problem=problem)]
    if not uscc.is_government(code):
        return [_warn("R15", "provider_code",
                      N_("以 {prefix} 开头，政务部门通常以 11（机关）或 12（事业单位）开头，请确认。"),
                      prefix=uscc.normalise(code)[:2])]
    return []


def _r18_date(record: Mapping[str, Any], today: dt.date) -> list[Issue]:
    value = clean(record.get("publish_date"))
    if not value:
        return []
    if not _DATE_ISO.match(value):
        return [_err("R18", "publish_date", N_("「{value}」格式不正确，请按 CCYY-MM-DD 填写，例如 2017-11-10。"), value=value)]
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        return [_err("R18", "publish_date", N_("「{value}」不是有效日期。"), value=value)]
    if date > today:
        return [_err("R18", "publish_date", N_("「{value}」晚于今天，发布日期不能在将来。"), value=value)]
    return []


def _r19_related(record: Mapping[str, Any], scheme: CodeScheme,
                 known_codes: Optional[Iterable[str]]) -> list[Issue]:
    known = set(known_codes) if known_codes is not None else None
    issues = []
    for code in split_codes(record.get("related_codes") or []):
        if code.startswith(("外部:", "外部：", "external:")):
            continue
        try:
            scheme.parse(code)
        except CodeError as exc:
            issues.append(_warn("R19", "related_codes", N_("中的「{code}」{exc}。"), code=code, exc=exc.args[0]))
            continue
        if known is not None and code not in known:
            issues.append(_warn("R19", "related_codes",
                                N_("中的「{code}」在目录中不存在。若为外部资源，请写作「外部:{code}」。"), code=code))
    return issues


def _r20_census(record: Mapping[str, Any], standard: Standard) -> list[Issue]:
    issues = []
    for name in standard.census_fields:
        value = clean(record.get(name))
        if value and not _NUMBER.match(value):
            issues.append(_err("R20", name, N_("只能填写数字，不能带单位或文字（当前为「{value}」）。未知请填 0。"), value=value))
    return issues


def _secrecy(record: Mapping[str, Any]) -> list[Issue]:
    if clean(record.get("secrecy")) != "secret":
        return []
    issues = []
    if clean(record.get("open_type")) not in ("", "closed"):
        issues.append(_err("S1", "open_type", N_("：涉密资源不能向社会开放，请将开放类型改为「不予开放」。")))
    if record.get("private") in (False, "False", "false"):
        issues.append(_err("S1", "secrecy", N_("为「涉密」的资源不能公开，只有非涉密资源可以公开。请设为私有。")))
    return issues


# -- rules across records --------------------------------------------------------------------

@dataclass(frozen=True)
class RowIssue:
    index: int
    issue: Issue


def check_batch(records: Sequence[Mapping[str, Any]], *,
                existing_codes: Optional[Mapping[str, str]] = None,
                owner_key: str = "provider_code") -> list[RowIssue]:
    """Cross-record issues of normalised records (by position in ``records``): R3 codes repeated
    in the batch, or held in ``existing_codes`` (code → owner) by another owner; R16 one provider
    with several provider codes; R17 codes much shorter or longer than the provider's other codes; duplicates by
    normalised name under the same provider."""
    out: list[RowIssue] = []
    first_code: dict[str, int] = {}
    for index, record in enumerate(records):
        code = clean(record.get("resource_code"))
        if not code:
            continue
        if code in first_code:
            out.append(RowIssue(index, _err("R3", "resource_code",
                                            N_("「{code}」与第{other}条资源重复，信息资源代码必须唯一。"),
                                            other=first_code[code] + 1, code=code)))
            continue
        first_code[code] = index
        owner = (existing_codes or {}).get(code)
        if owner is not None and owner != clean(record.get(owner_key)):
            out.append(RowIssue(index, _err("R3", "resource_code",
                                            N_("「{code}」已被其他部门的资源使用，信息资源代码必须唯一。"), code=code)))
    codes_of_provider: dict[str, tuple[str, int]] = {}
    for index, record in enumerate(records):
        provider = match_key(record.get("provider"))
        code = uscc.normalise(record.get("provider_code"))
        if not provider or not code:
            continue
        seen = codes_of_provider.setdefault(provider, (code, index))
        if seen[0] != code:
            out.append(RowIssue(index, _err(
                "R16", "provider_code",
                N_("「{code}」与第{other}条同一提供方的代码「{other_code}」不一致。同一提供方必须使用同一个代码。"),
                other=seen[1] + 1, other_code=seen[0], code=code)))
    by_provider: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        if clean(record.get("resource_code")):
            by_provider.setdefault(match_key(record.get("provider")), []).append(index)
    for indexes in by_provider.values():
        if len(indexes) < 3:
            continue
        typical = statistics.median(len(clean(records[i].get("resource_code"))) for i in indexes)
        for index in indexes:
            code = clean(records[index].get("resource_code"))
            if abs(len(code) - typical) >= 3:
                kind = Message(N_("短")) if len(code) < typical else Message(N_("长"))
                out.append(RowIssue(index, _warn(
                    "R17", "resource_code",
                    N_("「{code}」比同一提供方的其他代码明显偏{kind}（通常为{typical}位），请确认细目和顺序码是否完整。"),
                    typical=int(typical), code=code, kind=kind)))
    first_name: dict[tuple[str, str], int] = {}
    for index, record in enumerate(records):
        key = (match_key(record.get("provider")), duplicate_key(record.get("title")))
        if not key[1]:
            continue
        if key in first_name:
            out.append(RowIssue(index, _warn(
                "D1", "title",
                N_("「{title}」与第{other}条资源名称实质相同（忽略空格、标点和末尾序号），可能是重复填报或拖拽填充产生的，请确认。"),
                title=clean(record.get("title")), other=first_name[key] + 1)))
        else:
            first_name[key] = index
    return out


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(issue.is_error for issue in issues)
