"""Translatable messages without CKAN. A :class:`Message` is the text a clerk reads (Chinese, the
source language) and, kept beside it, its template and named parameters, so that a layer with a
gettext (the CKAN glue: ``render(tk._)``) can show it in another language. Templates are the
gettext message ids and are marked with :func:`N_` for extraction (babel keyword ``N_``)."""
from __future__ import annotations

from typing import Any, Callable

Translate = Callable[[str], str]


def N_(text: str) -> str:
    """Mark ``text`` as a message id for extraction; returns it unchanged (gettext_noop)."""
    return text


def _same(text: str) -> str:
    return text


class Message(str):
    """A ``str`` (the message in the source language) that can render itself again through a
    translation function. Parameters that are themselves messages are translated too."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> "Message":
        text = super().__new__(cls, _format(template, params, _same))
        text.template = template
        text.params = params
        return text

    def render(self, translate: Translate = _same) -> str:
        return _format(self.template, self.params, translate)


def _format(template: str, params: dict[str, Any], translate: Translate) -> str:
    values = {key: value.render(translate) if isinstance(value, Message) else value
              for key, value in params.items()}
    return translate(template).format(**values)


def render(text: str, translate: Translate) -> str:
    """``text`` in the language of ``translate`` when it is a :class:`Message`, else as it is."""
    return text.render(translate) if isinstance(text, Message) else text
