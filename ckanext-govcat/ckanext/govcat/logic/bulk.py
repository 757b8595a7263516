"""Bulk dataset writes for the workbook importer: what ``package_create`` does for one dataset,
done for many inside one transaction, with the database round trips batched.

The one module of the catalog glue that uses CKAN below its action layer. Checked against
CKAN 2.12.0: it follows ``ckan/logic/action/create.py`` ``package_create`` (validation through
the package plugin, ``model_save.package_dict_save``, the organization membership of
``package_owner_org_update``, the ``IPackageController`` create hooks, the ``action_succeeded``
signal that the activity plugin listens to) and ``ckan/logic/__init__.py``
``package_show_default_and_custom_schemas`` / ``ckan/lib/search/index.py``
``PackageSearchIndex.index_package`` for the search documents; it reads the session's private
``_object_cache`` (``ckan/model/meta.py``, ``ckan/model/modification.py``).

Per dataset it runs the dataset schema (scheming, with the catalog rules) once and builds the
index document from one ``package_show``; it does not check access (the importer has authorised
the departments) and checks name clashes for the whole batch in one query. Rows are flushed to
the database a batch at a time, the caller commits once, and only then are the documents sent
to the search index, in batches.
"""
from __future__ import annotations

import datetime as dt
import functools
import uuid
from typing import Any, Callable, Iterable, Optional

import ckan.lib.plugins as lib_plugins
import ckan.logic as logic
import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib import search
from ckan.lib.dictization import model_save
from ckan.lib.search import common as search_common
from ckan.logic.schema import default_show_package_schema
from ckan.logic.validators import package_name_validator
from ckan.types import Context

CHECKED_CKAN_VERSION = "2.12.0"
IndexDicts = tuple[dict[str, Any], dict[str, Any]]


class BulkWriter:
    """Create datasets (``create``) and update them through ``package_patch`` (``update``);
    ``flush()`` writes the pending batch and dictizes it for the index; ``index()`` (after the
    caller's commit) sends every document to the search index."""

    def __init__(self, user: str, departments: Iterable[str], batch_size: int = 500) -> None:
        self.user = user
        self.user_obj = model.User.by_name(user)
        self.batch_size = batch_size
        self.plugin = lib_plugins.lookup_package_plugin("dataset")
        self.package_type = "dataset"
        # Loaded objects stay referenced, so that CKAN's ``Group.get`` / ``Package.get`` find
        # them in the session's (weak) identity map instead of asking the database again.
        self._departments = {org.id: org for org in model.Session.query(model.Group).filter(
            model.Group.id.in_(list(departments)))}
        self._written: dict[str, model.Package] = {}
        self._pending: list[tuple[model.Package, dict[str, Any]]] = []
        self._pending_updates: list[str] = []
        self._documents: list[IndexDicts] = []

    def _context(self, **extra: Any) -> Context:
        context: Context = {"user": self.user, "auth_user_obj": self.user_obj,
                            "ignore_auth": True, "defer_commit": True,
                            "model": model, "session": model.Session}
        context.update(extra)  # type: ignore[typeddict-item]
        return context

    def _validation_context(self) -> Context:
        # Checked for the whole import instead of per dataset: resource codes (dry run),
        # departments (resolved and authorised by the importer), URL names (_check_names).
        return self._context(govcat_codes_checked=True, govcat_names_checked=True,
                             govcat_departments=set(self._departments))

    def create(self, data_dict: dict[str, Any]) -> str:
        """Validate and add one new dataset; returns its id (written at the next flush)."""
        data_dict = dict(data_dict, type=data_dict.get("type") or self.package_type)
        context = self._validation_context()
        data, errors = lib_plugins.plugin_validate(
            self.plugin, context, data_dict, self.plugin.create_package_schema(),
            "package_create")
        if errors:
            raise tk.ValidationError(errors)
        if self.user_obj is not None:
            data["creator_user_id"] = self.user_obj.id
        pkg = self._save(data, context)
        pkg.metadata_modified = dt.datetime.utcnow()
        if pkg.owner_org:
            # package_owner_org_update for a new dataset: one active membership.
            model.Session.add(model.Member(table_id=pkg.id, table_name="package",
                                           group_id=pkg.owner_org, capacity="organization",
                                           state="active"))
        data["id"] = pkg.id
        self._written[pkg.id] = pkg
        self._pending.append((pkg, data))
        if len(self._pending) + len(self._pending_updates) >= self.batch_size:
            self.flush()
        return pkg.id

    @staticmethod
    def _save(data: dict[str, Any], context: Context) -> model.Package:
        """``package_dict_save`` for a new dataset. Without resources, tags or groups it is
        ``table_dict_save`` creating the row, minus its look-up of the unique name (the batch's
        names are checked in one query)."""
        if data.get("resources") or data.get("tags") or data.get("groups") \
                or "relationships_as_subject" in data or "relationships_as_object" in data:
            return model_save.package_dict_save(data, context)[0]
        data.pop("metadata_created", None)
        data.pop("plugin_data", None)
        extras = {e["key"]: e["value"] for e in data.get("extras", [])}
        pkg = model.Package()
        pkg.from_dict(dict(data, extras=extras))
        pkg.id = str(uuid.uuid4())
        model.Session.add(pkg)
        return pkg

    def update(self, package_id: str, data_dict: dict[str, Any]) -> str:
        """Patch an existing dataset through ``package_patch`` (resources, tags and fields not in
        ``data_dict`` are kept)."""
        tk.get_action("package_patch")(self._context(return_id_only=True),
                                       dict(data_dict, id=package_id))
        self._pending_updates.append(package_id)
        if len(self._pending) + len(self._pending_updates) >= self.batch_size:
            self.flush()
        return package_id

    def flush(self) -> None:
        """Write the pending batch (one flush: inserts grouped per table), run the create hooks
        and signals, and keep the index documents of every dataset of the batch."""
        if not self._pending and not self._pending_updates:
            return
        self._check_names()
        model.Session.flush()
        for pkg, data in self._pending:
            context = self._context()
            for item in p.PluginImplementations(p.IPackageController):
                item.create(pkg)
                item.after_dataset_create(context, data)
            tk.signals.action_succeeded.send("package_create", context=context,
                                             data_dict=data, result=pkg.id)
        ids = [pkg.id for pkg, _ in self._pending] + self._pending_updates
        self._pending, self._pending_updates = [], []
        for package_id in ids:
            self._documents.append(self._show(package_id))

    def _show(self, package_id: str) -> IndexDicts:
        """``package_show_default_and_custom_schemas`` without the default show schema's URL
        name check (a query per dataset that can only repeat what was checked on write)."""
        context = self._context(use_cache=False, validate=False)
        dictized = tk.get_action("package_show")(context, {"id": package_id})
        default, _errors = lib_plugins.plugin_validate(
            object(), context, dictized, self._default_show_schema, "package_show")
        custom_schema = self.plugin.show_package_schema()
        custom, _errors = lib_plugins.plugin_validate(
            self.plugin, context, dictized, custom_schema, "package_show")
        logic.apply_after_dataset_show_plugins(context, custom)
        return default, custom

    @functools.cached_property
    def _default_show_schema(self) -> Any:
        schema = default_show_package_schema()
        schema["name"] = [v for v in schema["name"] if v is not package_name_validator]
        return schema

    def forget_notifications(self) -> None:
        """Before the commit: CKAN's ``DomainObjectModificationExtension`` would look up the
        related datasets of every object written (a query per organization membership) only to
        tell ``IDomainObjectModification`` observers. With no observer there is no one to tell,
        so the written objects are taken out of the session's ``_object_cache``."""
        if list(p.PluginImplementations(p.IDomainObjectModification)):
            return
        cache = getattr(model.Session(), "_object_cache", None)
        if cache is None:
            return
        written = set(self._written)
        cache["new"] = {obj for obj in cache["new"] if not (
            isinstance(obj, model.Package) and obj.id in written
            or isinstance(obj, model.Member) and obj.table_id in written)}

    def _check_names(self) -> None:
        """The URL names of the new datasets are free: ``package_name_validator`` and the unique
        name look-up of ``table_dict_save`` for the whole batch in one query (a deleted dataset
        holding a name gives it up, as in ``table_dict_save``)."""
        names: dict[str, str] = {}
        for pkg, _ in self._pending:
            if pkg.name in names:
                raise tk.ValidationError({"name": [
                    tk._("网址名称 {name} 在文件中重复").format(name=pkg.name)]})
            names[pkg.name] = pkg.id
        if not names:
            return
        holders = model.Session.query(model.Package).filter(
            model.Package.name.in_(list(names)), model.Package.id.notin_(list(names.values())))
        for holder in holders:
            if holder.state != "deleted":
                raise tk.ValidationError({"name": [
                    tk._("网址名称 {name} 已被其他资源使用").format(name=holder.name)]})
            holder.name = holder.id

    def index(self, progress: Optional[Callable[[int], None]] = None) -> int:
        """Send the documents to the search index (call after the commit); returns how many."""
        index = search.index_for(model.Package)  # finds the packages in self._written
        for default, custom in self._documents:
            index.index_package(dict(default, with_custom_schema=custom), defer_commit=True)
            if progress:
                progress(1)
        search_common.make_connection().commit()
        count = len(self._documents)
        self._documents, self._written = [], {}
        return count
