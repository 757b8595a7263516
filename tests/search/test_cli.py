"""``ckan search-index rebuild|clear|check|show`` on the GovCat index, through CKAN's ``cli``
fixture (the command loads the test config from ``CKAN_INI``, as in CKAN's own CLI tests)."""
from __future__ import annotations

import datetime as dt

import pytest

import ckan.model as model
from ckan.cli.cli import ckan
from ckan.lib.search import index_for
from ckan.tests import factories

from .helpers import as_user, found, names, search


def run(cli, *args: str):
    result = cli.invoke(ckan, ["search-index", *args])
    assert result.exit_code == 0, result.output
    return result


def everything() -> dict:
    """All indexed datasets whatever their visibility (auth ignored)."""
    return search(include_private=True, include_drafts=True, rows=1000)


def retitle_in_db(name: str, title: str) -> None:
    """Change a title behind CKAN's back, so that only a rebuild can tell the index."""
    model.Session.query(model.Package).filter_by(name=name).update({"title": title})
    model.Session.commit()


@pytest.fixture
def datasets(clean_db):
    org = factories.Organization()
    factories.Dataset(name="first", title="First 企业法人登记", owner_org=org["id"])
    factories.Dataset(name="second", title="Second package", owner_org=org["id"], private=True)
    factories.Dataset(name="third", title="Third package", owner_org=org["id"],
                      tags=[{"name": "keep"}])
    return org


class TestRebuild:
    def test_rebuild_picks_up_changes_made_behind_ckans_back(self, cli, datasets):
        retitle_in_db("first", "Renamed outside")
        assert found(q="renamed") == set()
        run(cli, "rebuild")
        assert found(q="renamed") == {"first"}
        assert everything()["count"] == 3

    def test_rebuild_one_dataset(self, cli, datasets):
        retitle_in_db("first", "Renamed outside")
        retitle_in_db("third", "Also renamed")
        run(cli, "rebuild", "first")
        assert found(q="renamed") == {"first"}

    def test_rebuild_commit_each_and_quiet(self, cli, datasets):
        retitle_in_db("third", "Renamed outside")
        run(cli, "rebuild", "-e", "-q")
        assert found(q="renamed") == {"third"}

    def test_rebuild_restores_a_cleared_index_with_its_permissions(self, cli, datasets):
        before = sorted(names(everything()))
        run(cli, "clear")
        assert everything()["count"] == 0
        run(cli, "rebuild")
        assert sorted(names(everything())) == before
        assert set(names(search(as_user(None), include_private=True))) == {"first", "third"}
        assert found(q="法人") == {"first"}
        assert found(fq="tags:keep") == {"third"}

    def test_rebuild_only_missing(self, cli, datasets):
        run(cli, "clear", "third")
        assert "third" not in names(everything())
        run(cli, "rebuild", "-o")
        assert sorted(names(everything())) == ["first", "second", "third"]

    def test_rebuild_unknown_dataset_fails(self, cli, datasets):
        result = cli.invoke(ckan, ["search-index", "rebuild", "no-such-dataset"])
        assert result.exit_code != 0
        assert "Couldn't find" in result.output

    def test_rebuild_removes_orphans_unless_told_to_keep_them(self, cli, datasets):
        now = dt.datetime.now().isoformat()
        orphan = {"id": "orphan-id", "name": "orphan", "title": "Orphaned entry",
                  "state": "active", "private": False, "type": "dataset", "owner_org": None,
                  "metadata_created": now, "metadata_modified": now}
        orphan["with_custom_schema"] = dict(orphan)
        index_for(model.Package).index_package(orphan)
        assert found(q="orphaned") == {"orphan"}
        run(cli, "rebuild", "--keep-orphans")
        assert found(q="orphaned") == {"orphan"}
        run(cli, "rebuild")
        assert found(q="orphaned") == set()
        assert everything()["count"] == 3


@pytest.mark.ckan_config("ckanext.govcat.search.rebuild_workers", "2")
class TestParallelRebuild:
    """A whole-index rebuild shared among forked processes gives the index one process gives."""

    @pytest.fixture
    def many(self, datasets):
        for k in range(5):
            factories.Dataset(name=f"more-{k}", title=f"More {k} 不动产登记",
                              owner_org=datasets["id"], tags=[{"name": f"t{k % 2}"}])

    def test_rebuild_in_processes_picks_up_every_change(self, cli, many):
        before = search(include_private=True, rows=1000, **{"facet.field": ["tags"]})
        for k in range(5):
            retitle_in_db(f"more-{k}", f"Parallel {k}")
        run(cli, "clear")
        result = run(cli, "rebuild")
        assert "2 processes" in result.output
        assert found(q="parallel") == {f"more-{k}" for k in range(5)}
        after = search(include_private=True, rows=1000, **{"facet.field": ["tags"]})
        assert sorted(names(after)) == sorted(names(before))
        assert after["facets"]["tags"] == before["facets"]["tags"] == {"t0": 3, "t1": 2, "keep": 1}
        assert set(names(search(as_user(None), include_private=True))) == set(names(after)) - {"second"}

    def test_a_failing_dataset_fails_the_rebuild_unless_forced(self, cli, many, monkeypatch):
        from ckan import logic

        broken = model.Package.by_name("more-3").id
        index_update_package = logic.index_update_package

        def fail_on_broken(context, id_, defer_commit=False):
            if id_ == broken:
                raise ValueError("broken dataset")
            return index_update_package(context, id_, defer_commit)

        monkeypatch.setattr(logic, "index_update_package", fail_on_broken)
        run(cli, "clear")
        result = cli.invoke(ckan, ["search-index", "rebuild", "-q"])
        assert result.exit_code != 0
        assert "govcat-rebuild-" in result.output
        run(cli, "rebuild", "-q", "--force")
        assert set(names(everything())) == {"first", "second", "third"} | {
            f"more-{k}" for k in range(5) if k != 3}


class TestClear:
    def test_clear_empties_the_index(self, cli, datasets):
        run(cli, "clear")
        assert everything()["count"] == 0
        assert search(**{"facet.field": ["organization"]})["facets"]["organization"] == {}

    def test_clear_one_dataset(self, cli, datasets):
        run(cli, "clear", "third")
        assert sorted(names(everything())) == ["first", "second"]


class TestCheckAndShow:
    def test_check_reports_missing_datasets(self, cli, datasets):
        run(cli, "clear", "third")
        result = run(cli, "check")
        assert "1 out of 3" in result.output

    def test_show_prints_the_index_document(self, cli, datasets):
        result = run(cli, "show", "first")
        assert "企业法人登记" in result.output
        assert "Third package" not in result.output

    def test_show_a_dataset_missing_from_the_index_fails(self, cli, datasets):
        run(cli, "clear", "third")
        result = cli.invoke(ckan, ["search-index", "show", "third"])
        assert result.exit_code != 0
