"""``q``, ``fq`` and ``fq_list``: the Solr query syntax CKAN's ``package_search`` accepts."""
from __future__ import annotations

import time

import pytest

from ckan.tests import factories

from .helpers import found, search, solr_time, utcnow


@pytest.fixture(scope="class")
def corpus(class_clean_db):
    """Four datasets whose words, tags and extras overlap in known ways."""
    org = factories.Organization(name="org-a")
    other = factories.Organization(name="org-b")
    factories.Dataset(
        name="water-quality", title="Water quality monitoring", notes="River samples",
        owner_org=org["id"], tags=[{"name": "environment"}, {"name": "water"}],
        extras=[{"key": "region", "value": "north"}, {"key": "department", "value": "Water Board"}])
    factories.Dataset(
        name="air-quality", title="Air quality index", notes="Urban stations",
        owner_org=org["id"], tags=[{"name": "environment"}, {"name": "air"}],
        extras=[{"key": "region", "value": "south"}])
    factories.Dataset(
        name="city-budget", title="City budget", notes="Annual spending of the water board",
        owner_org=other["id"], tags=[{"name": "finance"}],
        extras=[{"key": "region", "value": "north"}])
    factories.Dataset(
        name="road-network", title="Road network", notes="Streets and bridges",
        owner_org=other["id"], tags=[{"name": "transport"}])


ALL = {"water-quality", "air-quality", "city-budget", "road-network"}


@pytest.mark.usefixtures("corpus")
class TestFreeText:
    def test_one_word_matches_every_text_field(self):
        assert found(q="water") == {"water-quality", "city-budget"}

    def test_words_are_all_required(self):
        assert found(q="water quality") == {"water-quality"}

    def test_matching_ignores_case(self):
        assert found(q="WATER Quality") == {"water-quality"}

    @pytest.mark.parametrize("q", ["", "*:*", '""'])
    def test_empty_and_match_all_queries_find_everything(self, q):
        assert found(q=q) == ALL
        assert search(q=q)["count"] == 4

    def test_no_match_gives_zero_count(self):
        result = search(q="volcano")
        assert result["count"] == 0
        assert result["results"] == []

    def test_tags_and_extras_are_searchable_as_text(self):
        assert found(q="transport") == {"road-network"}
        assert found(q="south") == {"air-quality"}


@pytest.mark.usefixtures("corpus")
class TestFieldedQueries:
    def test_name(self):
        assert found(q="name:water-quality") == {"water-quality"}

    def test_text_field_is_restricted_to_that_field(self):
        # "water" is in city-budget's notes, not its title.
        assert found(q="title:water") == {"water-quality"}
        assert found(q="notes:water") == {"city-budget"}

    def test_multi_valued_field(self):
        assert found(q="tags:environment") == {"water-quality", "air-quality"}

    def test_custom_extra_field(self):
        assert found(q="region:north") == {"water-quality", "city-budget"}

    def test_organization(self):
        assert found(q="organization:org-b") == {"city-budget", "road-network"}

    def test_string_field_matches_whole_value_only(self):
        assert found(q='department:"Water Board"') == {"water-quality"}
        assert found(q='department:"Water"') == set()

    def test_trailing_wildcard(self):
        assert found(q="name:water*") == {"water-quality"}

    def test_unknown_field_matches_nothing(self):
        assert found(q="nosuchfield:water") == set()
        assert found(fq="nosuchfield:water") == set()

    def test_field_has_any_value(self):
        assert found(q="region:*") == {"water-quality", "air-quality", "city-budget"}


@pytest.mark.usefixtures("corpus")
class TestPhrases:
    def test_phrase_keeps_word_order(self):
        assert found(q='"quality monitoring"') == {"water-quality"}
        assert found(q='"monitoring quality"') == set()

    def test_phrase_in_a_field(self):
        assert found(q='title:"air quality"') == {"air-quality"}
        assert found(q='notes:"air quality"') == set()

    def test_phrase_and_word(self):
        assert found(q='"water board" spending') == {"city-budget"}


@pytest.mark.usefixtures("corpus")
class TestBooleanOperators:
    def test_or(self):
        assert found(q="water OR air") == {"water-quality", "air-quality", "city-budget"}

    def test_and(self):
        assert found(q="quality AND air") == {"air-quality"}

    @pytest.mark.parametrize("q", ["quality NOT air", "quality -air", "quality AND NOT air"])
    def test_negation(self, q):
        assert found(q=q) == {"water-quality"}

    def test_required_prefix(self):
        assert found(q="+quality +air") == {"air-quality"}

    def test_fielded_boolean_with_groups(self):
        assert found(q="(tags:finance OR tags:transport) AND region:north") == {"city-budget"}

    def test_field_with_alternatives(self):
        assert found(q="tags:(air OR finance)") == {"air-quality", "city-budget"}

    def test_pure_negative_query(self):
        assert found(q="-tags:environment") == {"city-budget", "road-network"}

    def test_not_on_fielded_term(self):
        assert found(q="tags:environment -region:south") == {"water-quality"}


@pytest.mark.usefixtures("corpus")
class TestFilterQueries:
    def test_fq_narrows_q(self):
        assert found(q="quality", fq="tags:air") == {"air-quality"}

    def test_fq_quoted_value(self):
        assert found(fq='tags:"environment"') == {"water-quality", "air-quality"}
        assert found(fq='department:"Water Board"') == {"water-quality"}

    def test_fq_alternatives(self):
        assert found(fq="tags:(air OR transport)") == {"air-quality", "road-network"}

    @pytest.mark.parametrize("fq", ["-tags:environment", "NOT tags:environment"])
    def test_fq_negation(self, fq):
        assert found(fq=fq) == {"city-budget", "road-network"}

    def test_fq_list_is_anded(self):
        assert found(fq_list=["tags:environment", "region:north"]) == {"water-quality"}

    def test_fq_and_fq_list_combine(self):
        assert found(fq="organization:org-a", fq_list=["-tags:air"]) == {"water-quality"}

    def test_fq_required_clauses(self):
        assert found(fq="+organization:org-b +tags:finance") == {"city-budget"}

    def test_fq_does_not_change_q_matching(self):
        assert found(q="water", fq="organization:org-b") == {"city-budget"}


class TestDateRanges:
    @pytest.fixture
    def timeline(self, clean_db):
        org = factories.Organization()
        factories.Dataset(name="older", owner_org=org["id"])
        time.sleep(0.05)
        between = utcnow()
        time.sleep(0.05)
        factories.Dataset(name="newer", owner_org=org["id"])
        return between

    def test_open_ended_range_from_a_fixed_date(self, timeline):
        assert found(fq="metadata_modified:[2024-01-01T00:00:00Z TO *]") == {"older", "newer"}
        assert found(fq="metadata_modified:[* TO 2024-01-01T00:00:00Z]") == set()

    def test_range_splits_at_a_moment(self, timeline):
        moment = solr_time(timeline)
        assert found(fq=f"metadata_modified:[{moment} TO *]") == {"newer"}
        assert found(fq=f"metadata_modified:[* TO {moment}]") == {"older"}
        assert found(fq=f"metadata_created:{{* TO {moment}}}") == {"older"}

    def test_range_in_q(self, timeline):
        moment = solr_time(timeline)
        assert found(q=f"metadata_created:[{moment} TO NOW]") == {"newer"}

    def test_date_math(self, timeline):
        assert found(fq="metadata_modified:[NOW-1DAY TO NOW+1DAY]") == {"older", "newer"}
        assert found(fq="metadata_modified:[NOW+1DAY TO *]") == set()

    def test_range_on_a_custom_date_extra(self, clean_db):
        org = factories.Organization()
        factories.Dataset(name="early", owner_org=org["id"], extras=[{"key": "release_date", "value": "2020-03-01"}])
        factories.Dataset(name="late", owner_org=org["id"], extras=[{"key": "release_date", "value": "2024-06-30"}])
        assert found(fq="release_date:[2023-01-01T00:00:00Z TO *]") == {"late"}
        assert found(fq="release_date:[* TO 2023-01-01T00:00:00Z]") == {"early"}
