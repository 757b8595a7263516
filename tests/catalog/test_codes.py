from __future__ import annotations

import pytest

from ckanext.govcat.catalog import codes, region, uscc
from ckanext.govcat.catalog.codes import CodeError


class TestNational1272:
    @pytest.mark.parametrize("code", ["303026010201/1", "303026/12", "102001/1", "303026010201/0001"])
    def test_valid(self, standard, code):
        parsed = standard.schemes["national-1272"].parse(code)
        assert parsed.code == code and parsed.class_code + "/" + parsed.seq == code

    @pytest.mark.parametrize("code", [
        "403026/1",          # 类 must be 1, 2 or 3
        "30302/1",           # 目 too short
        "303026010201",      # no sequence
        "303026010201/",     # empty sequence
        "303026 010201/1",   # whitespace
        "30302601020A/1",    # letters
        "303026010201/1/2",
    ])
    def test_invalid(self, standard, code):
        with pytest.raises(CodeError):
            standard.schemes["national-1272"].parse(code)

    def test_full_width_is_normalised(self, standard):
        assert standard.schemes["national-1272"].parse("３０３０２６／１").code == "303026/1"

    def test_next_code_is_one_past_highest_in_class(self, standard):
        scheme = standard.schemes["national-1272"]
        existing = ["303026010201/1", "303026010201/9", "303026/50", "bad"]
        assert scheme.next_code("303026010201", existing) == "303026010201/10"
        assert scheme.next_code("102001", existing) == "102001/1"


class TestHebeiDraft:
    def test_valid(self, standard):
        parsed = standard.schemes["hebei-draft"].parse("3030261301000001/00001")
        assert parsed.class_code == "303026" and parsed.groups["middle"] == "1301000001"

    @pytest.mark.parametrize("code", ["303026010201/1", "3030260000000000/1", "303026000000000/00001",
                                      "5030260000000000/00001"])
    def test_invalid(self, standard, code):
        with pytest.raises(CodeError):
            standard.schemes["hebei-draft"].parse(code)

    def test_next_code_zero_padded_with_middle(self, standard):
        scheme = standard.schemes["hebei-draft"]
        assert scheme.next_code("303026", ["3030260000000000/00041"]) == "3030260000000000/00042"
        assert scheme.next_code("303026", ["3030260000000000/00041"], middle="1301000001") == \
            "3030261301000001/00001"

    def test_scheme_chosen_by_name(self):
        from ckanext.govcat.catalog import standard as standard_mod

        assert standard_mod.load(scheme="hebei-draft").scheme.name == "hebei-draft"
        with pytest.raises(ValueError, match="unknown code scheme"):
            standard_mod.load(scheme="no-such")

    def test_pattern_needs_groups(self):
        with pytest.raises(ValueError):
            codes.CodeScheme.from_data("x", {"pattern": r"^\d+$", "format": "{class}"})


class TestUSCC:
    @pytest.mark.parametrize("code", ["91350100M000100Y43", "91512081MA62K0260E",
                                      "91512081ma62k0260e", "11130000MB00000017"])
    def test_valid(self, code):
        assert uscc.problem(code) is None

    @pytest.mark.parametrize("code,fragment", [
        ("91350100M000100Y4Z", "不允许的字符 Z"),
        ("91350100M000100Y4I", "不允许的字符 I"),
        ("91350100M000100Y44", "校验码错误（最后一位应为 3）"),
        ("91350100M000100Y4", "应为18位"),
        ("14350100M000100Y43", "无效"),
    ])
    def test_invalid(self, code, fragment):
        assert fragment in uscc.problem(code)

    def test_government_prefix(self):
        assert uscc.is_government("11130000MB00000017")
        assert not uscc.is_government("91512081MA62K0260E")


class TestRegions:
    def test_codes(self, standard):
        regions: region.Regions = standard.regions
        assert regions.problem("130000") is None and regions.is_known("130102")
        assert regions.problem("139999") is None and not regions.is_known("139999")
        assert "6位数字" in regions.problem("13000")
        assert "6位数字" in regions.problem("930000")
        assert "省级代码 19" in regions.problem("190000")
