"""A search page whose search cannot run says why, in Chinese, and keeps its form (200)."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories

from ckanext.govcat.search.parser import QuerySyntaxError, parse
from ckanext.govcat.theme.search_errors import explain_syntax

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "govcat_theme govcat_search"),
    pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN"),
]

GENERIC = "There was an error while searching"

# (query, what the page must say)
BAD_QUERIES = [
    ("title:(a", "缺少右括号“)”"),
    ("a)", "第 2 个字符处的右括号“)”没有对应的左括号"),
    ('"人口', "第 1 个字符处的引号没有结束引号"),
    ("人口 AND", "检索式不完整：AND、OR、NOT、“-”或“(”之后缺少检索词"),
    ("tags:(", "之后缺少检索词"),
    ("OR 人口", "第 1 个字符处的“OR”两侧都需要检索词"),
    ("title:", "字段“title:”后面缺少检索值"),
    ("中文:人口", "“中文”不是可检索的字段名"),
    ("metadata_modified:[2024 TO", "范围检索缺少起始值或结束值"),
    ("metadata_modified:[yesterday TO *]", "无法识别日期“yesterday”"),
    ("{!lucene}人口", "不支持 Solr 本地参数"),
]


def page(app, url: str) -> BeautifulSoup:
    response = app.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.body, "html.parser")


def assert_explained(soup: BeautifulSoup, said: str, query: str | None = None) -> None:
    error = soup.find(id="search-error")
    assert error is not None
    text = " ".join(error.get_text(" ").split())
    assert said in text, text
    assert "请修改检索条件后重新检索" in text
    assert GENERIC not in soup.get_text()
    assert "检索条件有误" in soup.find("h1").get_text()
    form = soup.find("form", class_="search-form")
    assert form is not None and form.find("input", attrs={"name": "q"}) is not None
    if query is not None:
        assert form.find("input", attrs={"name": "q"})["value"] == query


@pytest.fixture
def department(clean_db):
    org = factories.Organization(name="dept", title="公安局")
    group = factories.Group(name="topic", title="人口专题")
    factories.Dataset(name="people", title="户籍人口统计", owner_org=org["id"],
                      groups=[{"id": group["id"]}])
    return org


@pytest.mark.usefixtures("department")
class TestSearchPagesExplainTheError:
    @pytest.mark.parametrize("query, said", BAD_QUERIES)
    def test_dataset_search(self, app, query, said):
        assert_explained(page(app, "/dataset/?" + _qs(q=query)), said, query)

    @pytest.mark.parametrize("url", ["/organization/dept", "/group/topic"])
    def test_organization_and_group_pages(self, app, url):
        soup = page(app, url + "?" + _qs(q="title:(a"))
        assert_explained(soup, "缺少右括号“)”", "title:(a")
        assert soup.find(id="search-error").find("a")["href"] == url

    @pytest.mark.parametrize("sort, said", [
        ("title", "无法识别排序方式“title”"),
        ("nosuchfield desc", "无法按“nosuchfield”排序"),
    ])
    def test_bad_sort(self, app, sort, said):
        assert_explained(page(app, "/dataset/?" + _qs(q="人口", sort=sort)), said, "人口")

    def test_bad_filter_value(self, app):
        soup = page(app, "/dataset/?" + _qs(tags='a"b'))
        assert_explained(soup, "筛选条件 tags：“a\"b”无法检索")

    def test_good_search_has_no_error(self, app):
        soup = page(app, "/dataset/?" + _qs(q="人口", sort="title_string asc"))
        assert soup.find(id="search-error") is None
        assert "户籍人口统计" in soup.get_text()


def _qs(**params: str) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


# One input per QuerySyntaxError raise site of search/parser.py and search/compiler.py: each has
# its own explanation (the lead may reword the parser; this fails instead of falling back).
PARSER_ERRORS = ["title:(a", "a)", '"abc', "a AND", "OR b", "title:", "中文:x",
                 "x:[1 TO", "x:[1 2]", "[1 TO 2]", "a ]", "title:)", "(" * 40 + "a" + ")" * 40,
                 "title:[a TO b", "x:[a TO b c]", "a\x00", "x" * 4001]
COMPILER_ERRORS = ["metadata_modified:[abc TO *]", "metadata_modified:2024*",
                   "name:[a TO b]", "metadata_modified:[NOW/WEEK TO *]"]


@pytest.mark.parametrize("query", PARSER_ERRORS + COMPILER_ERRORS)
def test_every_syntax_error_has_its_own_explanation(app, query):
    from ckanext.govcat.search.compiler import Compiler, FieldWeights

    with pytest.raises(QuerySyntaxError) as info:
        Compiler(FieldWeights({})).compile(parse(query))
    with app.flask_app.test_request_context():
        explained = explain_syntax(info.value)
    assert not explained.startswith("The search cannot be read"), (query, str(info.value))
