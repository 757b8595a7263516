"""Text normalisation shared by vocabulary matching, code checks and duplicate detection
(REFERENCE §5 "Name-duplicate detection")."""
from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"[\s\u3000\u00a0\u200b]+")
# Full-width CJK punctuation → ASCII, after NFKC (which does not fold these).
_PUNCT = str.maketrans({
    "，": ",", "。": ".", "、": ",", "（": "(", "）": ")", "《": "<", "》": ">",
    "【": "[", "】": "]", "“": '"', "”": '"', "‘": "'", "’": "'", "；": ";", "：": ":",
    "—": "-", "－": "-", "·": ".", "〈": "<", "〉": ">", "「": '"', "」": '"',
})
_TRAILING_DIGITS = re.compile(r"\d+$")
_PUNCT_CHARS = re.compile(r"[,.;:()<>\[\]\"'\-_/\\!?]+")


def clean(value: object) -> str:
    """NFKC-normalised text with surrounding whitespace removed ('' for None)."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def match_key(value: object) -> str:
    """Key for matching labels and synonyms: NFKC, no whitespace, ASCII punctuation, lower case."""
    return _WHITESPACE.sub("", clean(value)).translate(_PUNCT).lower()


def duplicate_key(name: object) -> str:
    """Key under which two resource names count as duplicates: NFKC, no whitespace, no
    punctuation, and trailing drag-fill digits ("XX信息1", "XX信息2") removed."""
    key = _PUNCT_CHARS.sub("", match_key(name))
    return _TRAILING_DIGITS.sub("", key) or key


def is_blank(value: object) -> bool:
    return clean(value) == "" if not isinstance(value, (list, tuple)) else len(value) == 0
