"""Tables of conditional access (alembic history: ``migration/govcat_access``).

Models never commit: actions add to ``ckan.model.Session`` and commit once at their end.
``resource_ids`` empty means "every resource of the dataset".
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql as pg

from ckan.model import Session

metadata = sa.MetaData()


class Base(orm.DeclarativeBase):
    metadata = metadata


def _id() -> str:
    return str(uuid.uuid4())


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _iso(value: Optional[dt.date]) -> Optional[str]:
    return value.isoformat() if value else None


class Application(Base):
    __tablename__ = "govcat_access_application"

    id: orm.Mapped[str] = orm.mapped_column(sa.Text, primary_key=True, default=_id)
    package_id: orm.Mapped[str] = orm.mapped_column(sa.Text, index=True)
    owner_org: orm.Mapped[Optional[str]] = orm.mapped_column(sa.Text, index=True)
    user_id: orm.Mapped[str] = orm.mapped_column(sa.Text, index=True)
    resource_ids: orm.Mapped[list[str]] = orm.mapped_column(pg.ARRAY(sa.Text), default=list)
    applicant_type: orm.Mapped[str] = orm.mapped_column(sa.Text)
    applicant_name: orm.Mapped[str] = orm.mapped_column(sa.Text)
    uscc: orm.Mapped[Optional[str]] = orm.mapped_column(sa.Text)
    purpose: orm.Mapped[str] = orm.mapped_column(sa.Text)
    scenario: orm.Mapped[str] = orm.mapped_column(sa.Text)
    security_measures: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    contact: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    period_start: orm.Mapped[dt.date] = orm.mapped_column(sa.Date)
    period_end: orm.Mapped[dt.date] = orm.mapped_column(sa.Date)
    agreement_version: orm.Mapped[str] = orm.mapped_column(sa.Text)
    agreement_text: orm.Mapped[str] = orm.mapped_column(sa.Text)
    state: orm.Mapped[str] = orm.mapped_column(sa.Text, index=True, default="draft")
    deadline: orm.Mapped[Optional[dt.date]] = orm.mapped_column(sa.Date)
    created: orm.Mapped[dt.datetime] = orm.mapped_column(sa.DateTime(timezone=True), default=now)
    modified: orm.Mapped[dt.datetime] = orm.mapped_column(sa.DateTime(timezone=True), default=now)

    def dictize(self, *, private: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id, "package_id": self.package_id, "owner_org": self.owner_org,
            "resource_ids": list(self.resource_ids or []), "applicant_type": self.applicant_type,
            "purpose": self.purpose, "scenario": self.scenario,
            "period_start": _iso(self.period_start), "period_end": _iso(self.period_end),
            "state": self.state, "deadline": _iso(self.deadline),
            "created": self.created.isoformat(), "modified": self.modified.isoformat(),
        }
        if private:
            data.update(user_id=self.user_id, applicant_name=self.applicant_name,
                        uscc=self.uscc, security_measures=self.security_measures,
                        contact=self.contact, agreement_version=self.agreement_version,
                        agreement_text=self.agreement_text)
        return data


class Transition(Base):
    """One state change of an application: who, when, why."""
    __tablename__ = "govcat_access_transition"

    id: orm.Mapped[str] = orm.mapped_column(sa.Text, primary_key=True, default=_id)
    application_id: orm.Mapped[str] = orm.mapped_column(
        sa.Text, sa.ForeignKey("govcat_access_application.id", ondelete="CASCADE"), index=True)
    from_state: orm.Mapped[Optional[str]] = orm.mapped_column(sa.Text)
    to_state: orm.Mapped[str] = orm.mapped_column(sa.Text)
    actor_id: orm.Mapped[Optional[str]] = orm.mapped_column(sa.Text)
    reason: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    at: orm.Mapped[dt.datetime] = orm.mapped_column(sa.DateTime(timezone=True), default=now)

    def dictize(self) -> dict[str, Any]:
        return {"from_state": self.from_state, "to_state": self.to_state,
                "actor_id": self.actor_id, "reason": self.reason, "at": self.at.isoformat()}


class Grant(Base):
    """Resources × user × period, made by an approval."""
    __tablename__ = "govcat_access_grant"

    id: orm.Mapped[str] = orm.mapped_column(sa.Text, primary_key=True, default=_id)
    application_id: orm.Mapped[str] = orm.mapped_column(
        sa.Text, sa.ForeignKey("govcat_access_application.id", ondelete="CASCADE"), index=True)
    package_id: orm.Mapped[str] = orm.mapped_column(sa.Text, index=True)
    user_id: orm.Mapped[str] = orm.mapped_column(sa.Text, index=True)
    resource_ids: orm.Mapped[list[str]] = orm.mapped_column(pg.ARRAY(sa.Text), default=list)
    starts: orm.Mapped[dt.datetime] = orm.mapped_column(sa.DateTime(timezone=True))
    expires: orm.Mapped[dt.datetime] = orm.mapped_column(sa.DateTime(timezone=True))
    revoked: orm.Mapped[Optional[dt.datetime]] = orm.mapped_column(sa.DateTime(timezone=True))
    revoke_reason: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    created: orm.Mapped[dt.datetime] = orm.mapped_column(sa.DateTime(timezone=True), default=now)

    def active(self, at: Optional[dt.datetime] = None) -> bool:
        at = at or now()
        return self.revoked is None and self.starts <= at < self.expires

    def covers(self, resource_id: str) -> bool:
        return not self.resource_ids or resource_id in self.resource_ids

    @property
    def state(self) -> str:
        if self.revoked is not None:
            return "revoked"
        return "active" if self.active() else ("expired" if now() >= self.expires else "pending")

    def dictize(self) -> dict[str, Any]:
        return {"id": self.id, "application_id": self.application_id,
                "package_id": self.package_id, "user_id": self.user_id,
                "resource_ids": list(self.resource_ids or []),
                "starts": self.starts.isoformat(), "expires": self.expires.isoformat(),
                "revoked": self.revoked.isoformat() if self.revoked else None,
                "revoke_reason": self.revoke_reason, "state": self.state}


class Report(Base):
    """A usage report (成果) the grantee files against a grant."""
    __tablename__ = "govcat_access_report"

    id: orm.Mapped[str] = orm.mapped_column(sa.Text, primary_key=True, default=_id)
    grant_id: orm.Mapped[str] = orm.mapped_column(
        sa.Text, sa.ForeignKey("govcat_access_grant.id", ondelete="CASCADE"), index=True)
    user_id: orm.Mapped[str] = orm.mapped_column(sa.Text)
    title: orm.Mapped[str] = orm.mapped_column(sa.Text)
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    url: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    created: orm.Mapped[dt.datetime] = orm.mapped_column(sa.DateTime(timezone=True), default=now)

    def dictize(self) -> dict[str, Any]:
        return {"id": self.id, "grant_id": self.grant_id, "user_id": self.user_id,
                "title": self.title, "description": self.description, "url": self.url,
                "created": self.created.isoformat()}


class Audit(Base):
    """One grant-based data access: who, which resource, when, bytes, through which path."""
    __tablename__ = "govcat_access_audit"

    id: orm.Mapped[int] = orm.mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    grant_id: orm.Mapped[str] = orm.mapped_column(sa.Text, index=True)
    user_id: orm.Mapped[str] = orm.mapped_column(sa.Text)
    package_id: orm.Mapped[str] = orm.mapped_column(sa.Text, index=True)
    resource_id: orm.Mapped[str] = orm.mapped_column(sa.Text)
    path: orm.Mapped[str] = orm.mapped_column(sa.Text)
    bytes: orm.Mapped[int] = orm.mapped_column(sa.BigInteger, default=0)
    at: orm.Mapped[dt.datetime] = orm.mapped_column(sa.DateTime(timezone=True), default=now,
                                                    index=True)

    def dictize(self) -> dict[str, Any]:
        return {"id": self.id, "grant_id": self.grant_id, "user_id": self.user_id,
                "package_id": self.package_id, "resource_id": self.resource_id,
                "path": self.path, "bytes": self.bytes, "at": self.at.isoformat()}


def query(cls: type[Base]) -> orm.Query[Any]:
    return Session.query(cls)
