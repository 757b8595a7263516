from __future__ import annotations

import pytest

from ckanext.govcat.catalog.text import duplicate_key
from ckanext.govcat.catalog.tree import ClassificationTree


class TestTree:
    def test_national_levels_and_local_extension(self, standard):
        tree = standard.tree
        assert [n.name for n in tree.children(None)] == ["基础信息资源目录", "主题信息资源目录",
                                                          "部门信息资源目录"]
        assert len(tree.children("1")) == 5 and len(tree.children("2")) == 12
        assert [n.level_name for n in tree.path("303026010201")] == ["类", "项", "目", "细目", "细目"]
        assert tree.node("303026").name == "审计署"
        assert tree.ancestor_at("303026010201", 2).name == "国务院"

    def test_find_by_names_or_codes(self, standard):
        assert standard.tree.find_by_names(["部门", "国务院", "审计署"]).code == "303026"
        assert standard.tree.find_by_names(["3", "03", "026", "01"]).code == "30302601"
        assert standard.tree.find_by_names(["部门", "不存在"]) is None

    @pytest.mark.parametrize("data", [
        [{"code": "12", "name": "x"}],                                    # 类 is one digit
        [{"code": "1", "name": "x", "children": [{"code": "1", "name": "y"}]}],  # 项 two digits
        [{"code": "1", "name": "x"}, {"code": "1", "name": "dup"}],
        [{"under": "9", "children": []}],
    ])
    def test_bad_tree_data_fails_loudly(self, data):
        with pytest.raises((ValueError, KeyError)):
            ClassificationTree().extend(data)


class TestVocabularies:
    @pytest.mark.parametrize("vocab,label,value", [
        ("open_type", "无条件开发", "unconditional"),
        ("open_type", "依申请开放", "conditional"),
        ("open_type", "普遍开放", "unconditional"),
        ("open_type", "受限开放类", "conditional"),
        ("open_type", "禁止开放类", "closed"),
        ("open_type", "否", "closed"),
        ("data_type", "字符串型C", "C"),
        ("data_type", "字符型", "C"),
        ("data_type", " c ", "C"),
        ("share_type", "有条件共享", "conditional"),
        ("share_type", "3", "none"),
        ("share_method_class", "拷盘", "media"),
        ("share_method_type", "webservice服务", "api"),
        ("share_method_type", "文件下载", "file"),
        ("format_type", "sysbase", "sybase"),
        ("update_cycle", "每季度", "quarterly"),
        ("update_cycle", "不定期", "irregular"),
        ("department_class", "检察院", "procuratorate"),
    ])
    def test_synonyms(self, standard, vocab, label, value):
        assert standard.vocabularies[vocab].lookup(label).value == value

    def test_unknown_label(self, standard):
        assert standard.vocabularies["data_type"].lookup("JSON格式型J") is None

    def test_duplicate_key(self):
        assert duplicate_key("人口 信息（全量）1") == duplicate_key("人口信息(全量)2")
        assert duplicate_key("人口信息") != duplicate_key("法人信息")
