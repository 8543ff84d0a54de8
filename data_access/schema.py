"""Create or upgrade the schema with Alembic; seed the target presets on a new database."""
from __future__ import annotations

from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from data_access.models import Target, TargetPolicy
from data_access.partitions import PARTITIONED
from domain.dashboard.targets import PRESETS

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> AlembicConfig:
    """An Alembic config pointing at our migrations and this engine's URL (Alembic imported here: a command that
    does not migrate does not pay for it)."""
    from alembic.config import Config as AlembicConfig
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade_schema(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision."""
    from alembic import command
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def stamp_head(engine: Engine) -> None:
    """Mark a schema built from the models (tests, bulk benches) as being at the newest revision."""
    from alembic import command
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.stamp(cfg, "head")


def include_object_on(dialect: str) -> Callable[..., bool]:
    """Alembic's `include_object` for comparing a `dialect` database with the models: a constraint the models make
    on the other database only (data_access.models.base.only_on) is not expected in it, and the partitions of the
    roster tables (PostgreSQL: made per term, data_access.partitions) are not tables of the models."""
    partitions = tuple(f"{t}_" for t in PARTITIONED)

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
        if reflected and compare_to is None and (   # a partition, or PostgreSQL's copy of a key for a partition
                (type_ == "table" and (name or "").startswith(partitions))
                or (type_ == "foreign_key_constraint" and obj.referred_table.name.startswith(partitions))):
            return False
        return getattr(obj, "info", {}).get("only_on", dialect) == dialect
    return include


def has_schema(engine: Engine) -> bool:
    """True once the schema exists."""
    return inspect(engine).has_table("area")


def ensure_presets(session: Session) -> int:
    """Insert the seed presets of domain.md §4 that are missing; return how many were added."""
    existing = set(session.scalars(select(TargetPolicy.name).where(TargetPolicy.is_preset)))
    added = 0
    for preset in PRESETS:
        if preset.name in existing:
            continue
        session.add(TargetPolicy(
            name=preset.name, source=preset.source, is_preset=True, active=False,
            precision=preset.precision,
            targets=[Target(indicator=t.indicator, op=t.op, bound=t.bound, margin=t.margin,
                            margin_relative=t.relative) for t in preset.targets]))
        added += 1
    return added
