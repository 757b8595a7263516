"""Bad search input gets a clear error (HTTP 400/409, ``success: false``), never a 500."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.logic import ValidationError
from ckan.tests import factories

from .helpers import API, search

ALLOWED = (SearchError, SearchQueryError, ValidationError)


@pytest.fixture(scope="class")
def some_data(class_clean_db):
    org = factories.Organization()
    factories.Dataset(name="alpha", title="Alpha 企业法人", owner_org=org["id"],
                      tags=[{"name": "t1"}], extras=[{"key": "theme", "value": "x"}])
    factories.Dataset(name="beta", title="Beta", owner_org=org["id"])


def assert_error_response(app, params: dict) -> dict:
    """The Action API answers 400 or 409 with ``success: false`` and a readable message."""
    response = app.get(API, query_string=params, status=None)
    assert response.status_code in (400, 409), (params, response.status_code, response.body)
    body = json.loads(response.body)
    assert body["success"] is False
    message = json.dumps(body["error"], ensure_ascii=False)
    assert len(message) > 20, message
    return body["error"]


def assert_refused(**params) -> Exception:
    """The action raises one of the errors the Action API turns into 400/409 (anything else
    would be a 500), with a message."""
    with pytest.raises(ALLOWED) as info:
        search(**params)
    assert str(info.value).strip()
    return info.value


def assert_no_server_error(**params) -> None:
    """The action either answers or refuses with an allowed error; nothing else escapes."""
    try:
        result = search(**params)
    except ALLOWED:
        return
    assert result["count"] >= 0


@pytest.mark.usefixtures("some_data")
class TestUnparseableQueries:
    @pytest.mark.parametrize("q", [
        "title:(a", "title:a)", '"unclosed', "foo:[1 TO", "foo:[1 2]", "name:", ":value",
        "AND", "a AND", "(", "title:{* TO}", "metadata_modified:[yesterday TO *]",
    ])
    def test_bad_q(self, q):
        assert_refused(q=q)

    @pytest.mark.parametrize("fq", [
        "foo:[1 TO", "title:(a", '"unclosed', "metadata_modified:[2024-13-45T00:00:00Z TO *]",
        "tags:", "(tags:a",
    ])
    def test_bad_fq(self, fq):
        assert_refused(fq=fq)

    def test_bad_fq_list(self):
        assert_refused(fq_list=["tags:t1", "foo:[1 TO"])


@pytest.mark.usefixtures("some_data")
class TestBadSort:
    @pytest.mark.parametrize("sort", [
        "nosuchfield asc", "title", "name sideways", "name asc; drop table x",
        "score desc, nosuchfield desc", "'name' asc",
    ])
    def test_bad_sort(self, sort):
        assert_refused(sort=sort)


@pytest.mark.usefixtures("some_data")
class TestBadPaging:
    @pytest.mark.parametrize("params", [
        {"rows": "-1"}, {"rows": "ten"}, {"rows": "1.5"}, {"start": "-3"}, {"start": "x"},
        {"facet.limit": "many"}, {"facet.mincount": "-1"}, {"facet.field": "not json ["},
    ], ids=lambda params: ascii(params)[:50])
    def test_bad_numbers_and_lists(self, params):
        assert_refused(**params)


@pytest.mark.usefixtures("some_data")
class TestActionApiStatus:
    """Through HTTP: each kind of bad input is a 400/409 with ``success: false``, never a 500."""

    @pytest.mark.parametrize("params", [
        {"q": "title:(a"}, {"fq": "foo:[1 TO"}, {"sort": "nosuchfield asc"}, {"sort": "title"},
        {"rows": "-1"}, {"start": "x"},
    ], ids=lambda params: ascii(params)[:50])
    def test_error_response(self, app, params):
        error = assert_error_response(app, params)
        assert error["__type"] in ("Search Query Error", "Search Error", "Validation Error")

    def test_good_request_still_succeeds(self, app):
        body = app.get(API, query_string={"q": "alpha", "rows": "5", "start": "0"}).json
        assert body["success"] is True
        assert [r["name"] for r in body["result"]["results"]] == ["alpha"]

    def test_odd_input_is_not_a_server_error(self, app):
        for params in ({"q": "'; DROP TABLE package; --"}, {"q": "x" * 20000},
                       {"fq": "tags:\x00"}):
            response = app.get(API, query_string=params, status=None)
            assert response.status_code in (200, 400, 409), (params, response.body[:300])


@pytest.mark.usefixtures("some_data")
class TestOddButHarmlessInput:
    """Input that may be refused or may simply match nothing, but never breaks the server."""

    @pytest.mark.parametrize("params", [
        {"q": "abc\x00def"}, {"fq": "tags:\x00"}, {"sort": "name\x00 asc"},
        {"q": "'; DROP TABLE package; --"}, {"q": "title:\"1' OR '1'='1\""},
        {"q": "\\"}, {"q": "a\\:b"}, {"q": "x" * 20000}, {"fq": "(" * 500 + "a" + ")" * 500},
        {"q": "tags:" + "\\" * 5}, {"q": "名称：法人"}, {"q": "{!lucene}title:a"},
        {"q": "_val_:\"sum(1)\""}, {"fq": "metadata_modified:[NOW-999999YEARS TO *]"},
        {"rows": "1000000"}, {"start": "999999999999"}, {"facet.field": '["ta\\u0000gs"]'},
        {"facet.field": '["x\\" OR 1=1 --", "\'; SELECT 1"]'}, {"fl": "name,\x00,'"},
    ], ids=lambda params: ascii(params)[:50])
    def test_no_server_error(self, params):
        assert_no_server_error(**params)


_alphabet = st.sampled_from(list(
    "abc xyz:()[]{}\"'\\*?~^!+-&|/,;=<>%_$#@.0123456789TOANDORNOT法人企业ＣＳＶ\u0000\t\n"))
_fragments = st.sampled_from([
    "title:", "name:", "tags:", "metadata_modified:[", " TO ", "*]", "NOW-1DAY", "AND ", " OR ",
    "NOT ", "*:*", "\"", "(", ")", "'; DROP TABLE package; --", "1' OR '1'='1", "$$", "\\",
    "::text", "{!lucene}", "_val_:", "permission_labels:", "asc", "desc", ",", "score",
])
_garbage = st.lists(st.one_of(_alphabet, _fragments, st.text(max_size=3)), max_size=12).map("".join)


@pytest.mark.usefixtures("some_data")
class TestRandomInput:
    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(q=_garbage, fq=_garbage, sort=st.one_of(st.none(), _garbage))
    def test_never_a_server_error(self, q, fq, sort):
        params = {"q": q, "fq": fq}
        if sort is not None:
            params["sort"] = sort
        try:
            result = search(**params)
        except ALLOWED:
            return
        assert isinstance(result["count"], int)
        assert result["count"] >= 0

    def test_private_datasets_never_leak_through_odd_queries(self, app):
        body = app.get(API, query_string={
            "q": "*:* OR permission_labels:*", "fq": "capacity:private OR capacity:public",
            "include_private": "true"}).json
        assert body["success"] is True
        assert body["result"]["count"] == 2
