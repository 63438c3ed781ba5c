"""Quarterly reports of an inspector to the residents: the figures as published, and what only the inspector knows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, SurrogateKey, UtcDateTime, buildings_of
from models.registry import Building, Inspector

report_buildings = buildings_of("reports")


class Report(Base):
    """One report for a quarter and some of the inspector's buildings (or all of them)."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_inspector_quarter", "inspector_id", "quarter"),)

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True)
    # The dialog's id: a second press on Publish finds the report the first one made.
    draft_key: Mapped[str] = mapped_column(String(36), unique=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspectors.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(BigInteger)
    # "2026Q4"
    quarter: Mapped[str] = mapped_column(String(8))
    # The figures from the bot's own data as they were published (bot.services.reports.Figures, as a dict).
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Offence figures for the territory from official statistics, as the inspector entered them: [[kind, count]].
    offences: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    measures: Mapped[str | None] = mapped_column(Text)
    plans: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    # A published report's chart and PDF as drawn once per language: {language: {"chart": digest, "pdf": digest}}
    # naming outbox_files rows, which keep Telegram's file ids once uploaded (/report then sends them by id).
    renders: Mapped[dict[str, dict[str, str]] | None] = mapped_column(JSON)

    inspector: Mapped[Inspector] = relationship()
    buildings: Mapped[list[Building]] = relationship(secondary=report_buildings, order_by="Building.code")
