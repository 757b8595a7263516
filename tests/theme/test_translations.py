"""The Chinese catalogue of ``govcat_theme`` (which also fills CKAN 2.12's zh_Hans_CN gaps and
translates ckanext-harvest, which ships none): every English message GovCat's templates and theme
code and ckanext-harvest's pages and messages use has a Chinese translation, the compiled ``.mo``
is the ``.po``, and each translation keeps its placeholders (pure, no CKAN app)."""
from __future__ import annotations

import gettext
import re
from importlib import resources
from pathlib import Path

import polib
import pytest
from babel.messages.extract import extract_from_dir

PACKAGE = Path(str(resources.files("ckanext.govcat")))
HARVEST = Path(str(resources.files("ckanext.harvest")))
# Messages of ckanext-harvest's pages no extractor finds: its job report translates these by
# name (``_(action)``), and CKAN's search_result_text.html builds these from the type "harvest".
HARVEST_BY_NAME = {"added", "updated", "deleted", "not modified", "Frequency", "Type",
                   "No harvests found", 'No harvests found for "{query}"',
                   "{number} harvest found", '{number} harvest found for "{query}"'}
# ``_('...')`` in a template: babel's Jinja extractor skips files with CKAN's own tags.
TEMPLATE_CALL = re.compile(r"""_\(\s*(['"])(.*?)\1\s*\)""")
MESSAGES = PACKAGE / "i18n" / "zh_Hans_CN" / "LC_MESSAGES"
CKAN_ZH = Path(str(resources.files("ckan"))) / "i18n" / "zh_Hans_CN" / "LC_MESSAGES" / "ckan.po"
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sdri]|\{[^{}]*\}")
JINJA = {"extensions": "jinja2.ext.do,jinja2.ext.loopcontrols,"
                       "ckan.lib.jinja_extensions.CkanExtend"}


@pytest.fixture(scope="module")
def theme_po() -> polib.POFile:
    return polib.pofile(str(MESSAGES / "ckanext-govcat_theme.po"))


def used_messages() -> set[str]:
    """English msgids of GovCat's templates and theme code and of ckanext-harvest's templates
    and code (Chinese msgids need none)."""
    found = set(HARVEST_BY_NAME)
    for root, where, method in ((PACKAGE, "templates", "jinja2"), (PACKAGE, "theme", "python"),
                                (HARVEST, "templates", "jinja2"), (HARVEST, ".", "python")):
        pattern = "**.html" if method == "jinja2" else "**.py"
        for file, _line, message, _comments, _context in extract_from_dir(
                str(root / where), [(pattern, method)], {pattern: JINJA},
                keywords={"_": None, "N_": None, "ungettext": (1, 2), "ngettext": (1, 2)}):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid and not CJK.search(msgid) and "tests" not in Path(file).parts:
                found.add(msgid)
    for template in HARVEST.joinpath("templates").rglob("*.html"):
        found.update(m.group(2) for m in TEMPLATE_CALL.finditer(template.read_text("utf-8")))
    return found


def test_every_english_message_has_chinese(theme_po):
    ckan = {e.msgid for e in polib.pofile(str(CKAN_ZH)) if e.translated()}
    ours = {e.msgid for e in theme_po if e.translated()}
    used = used_messages()
    assert len(used) > 50
    assert sorted(used - ours - ckan) == []


def test_compiled_catalogue_is_the_source(theme_po):
    with open(MESSAGES / "ckanext-govcat_theme.mo", "rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = [e.msgid for e in theme_po if e.translated() and (
        compiled.ngettext(e.msgid, e.msgid_plural, 1) if e.msgid_plural
        else compiled.gettext(e.msgid)) != (e.msgstr_plural[0] if e.msgid_plural else e.msgstr)]
    assert stale == [], "compile the .po (see its header)"


def test_translations_keep_their_placeholders(theme_po):
    wrong = [e.msgid for e in theme_po if e.translated() and set(PLACEHOLDER.findall(
        e.msgid_plural or e.msgid)) != set(PLACEHOLDER.findall(
            e.msgstr_plural[0] if e.msgid_plural else e.msgstr))]
    assert wrong == []
