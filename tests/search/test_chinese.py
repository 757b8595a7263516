"""Chinese text: segmentation for recall, mixed scripts, full-width folding, identifiers and
the domain user dictionary."""
from __future__ import annotations

import pytest

from ckan.tests import factories

from .helpers import found

USCC = "91512081MA62K0260E"
CODE = "303026010201/1"


@pytest.fixture(scope="class")
def library(class_clean_db):
    org = factories.Organization(name="market-bureau", title="市场监督管理局")
    for name, title, notes, extras in [
        ("legal-persons", "企业法人登记信息", "全市企业法人的登记事项", {"resource_code": CODE}),
        ("gdp", "2023年GDP季度统计", "按季度发布的GDP数据", {"resource_code": "303026010211/3"}),
        ("csv-dump", "人口普查CSV下载", "Population census tables", {}),
        ("credit", "企业信用信息", f"企业的统一社会信用代码为{USCC}，按月更新", {}),
        ("estate", "全市不动产登记信息", "不动产登记簿的公开信息", {}),
        ("estate-loose", "房产与地产", "不动产的登记和变更另见他处", {}),
        ("roads", "道路养护计划", "Road maintenance plan", {}),
    ]:
        factories.Dataset(name=name, title=title, notes=notes, owner_org=org["id"],
                          extras=[{"key": k, "value": v} for k, v in extras.items()])


@pytest.mark.usefixtures("library")
class TestSegmentation:
    def test_two_characters_find_a_longer_word(self):
        assert found(q="法人") == {"legal-persons"}

    def test_whole_title_finds_itself(self):
        assert found(q="企业法人登记信息") == {"legal-persons"}

    def test_words_from_title_and_notes_combine(self):
        assert found(q="企业 登记") == {"legal-persons"}

    def test_sub_word_of_a_dictionary_term(self):
        assert found(q="信用代码") == {"credit"}

    def test_unrelated_chinese_finds_nothing(self):
        assert found(q="气象") == set()

    def test_phrase_keeps_character_order(self):
        assert found(q='"法人登记"') == {"legal-persons"}
        assert found(q='"登记法人"') == set()

    def test_chinese_in_a_field(self):
        assert found(q="title:养护") == {"roads"}
        assert found(q="notes:养护") == set()

    def test_chinese_query_within_an_organization(self):
        assert found(fq="organization:market-bureau", q="道路") == {"roads"}


@pytest.mark.usefixtures("library")
class TestMixedScripts:
    def test_latin_word_inside_chinese_text(self):
        assert found(q="GDP") == {"gdp"}
        assert found(q="gdp") == {"gdp"}

    def test_latin_and_chinese_in_one_query(self):
        assert found(q="GDP统计") == {"gdp"}
        assert found(q="GDP 季度") == {"gdp"}

    def test_number_attached_to_chinese(self):
        assert found(q="2023年") == {"gdp"}

    def test_english_text_next_to_chinese_datasets(self):
        assert found(q="census") == {"csv-dump"}


@pytest.mark.usefixtures("library")
class TestWidthFolding:
    def test_full_width_latin_finds_half_width(self):
        assert found(q="ＣＳＶ") == {"csv-dump"}

    def test_full_width_digits_find_half_width(self):
        assert found(q="２０２３") == {"gdp"}

    def test_full_width_query_for_identifier(self):
        assert found(q="９１５１２０８１ＭＡ６２Ｋ０２６０Ｅ") == {"credit"}


@pytest.mark.usefixtures("library")
class TestIdentifiers:
    def test_resource_code_exact_in_free_text(self):
        assert found(q=CODE) == {"legal-persons"}

    def test_resource_code_prefix_in_free_text(self):
        assert found(q="3030260102") == {"legal-persons", "gdp"}
        assert found(q="30302601020") == {"legal-persons"}

    def test_resource_code_in_its_field(self):
        assert found(q=f'resource_code:"{CODE}"') == {"legal-persons"}
        assert found(fq=f'resource_code:"{CODE}"') == {"legal-persons"}

    def test_resource_code_prefix_in_its_field(self):
        assert found(fq="resource_code:3030260102*") == {"legal-persons", "gdp"}

    def test_uscc_inside_chinese_text(self):
        assert found(q=USCC) == {"credit"}
        assert found(q=USCC.lower()) == {"credit"}

    def test_uscc_prefix(self):
        assert found(q="91512081MA62") == {"credit"}

    def test_different_code_is_not_found(self):
        assert found(q="303026019999") == set()


@pytest.mark.usefixtures("library")
class TestUserDictionary:
    def test_dictionary_term_finds_its_text(self):
        assert found(q="统一社会信用代码") == {"credit"}

    def test_dictionary_term_in_title_and_notes(self):
        assert found(q="不动产登记") == {"estate"}

    def test_dictionary_term_does_not_match_its_characters_apart(self):
        # "不动产的登记" holds the characters of 不动产登记 but not the term.
        assert "estate-loose" not in found(q="不动产登记")
        assert "estate-loose" in found(q="不动产")
