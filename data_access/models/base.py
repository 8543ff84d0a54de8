"""The declarative base of every Baoxue table, the CHECK helper for enumerated columns, and what PostgreSQL's
partitioned tables need (issue 19 item 6: the roster tables are partitioned by term on PostgreSQL only)."""
from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import DDL, Constraint, PrimaryKeyConstraint, Table, event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase

PARTITION_KEY = "term_code"       # the roster tables' partition key on PostgreSQL (one partition per term)


class Base(DeclarativeBase):
    """Declarative base; every table of Baoxue derives from it."""


def in_values(column: str, values: tuple[str, ...]) -> str:
    """SQL for `column IN (values)`, for a CHECK constraint."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


_C = TypeVar("_C", bound=Constraint)


def only_on(dialect: str, constraint: _C) -> _C:
    """A constraint created on one database only (`info["only_on"]` lets the schema comparison skip it on the other,
    data_access.schema.include_object)."""
    constraint.info["only_on"] = dialect
    return constraint.ddl_if(dialect=dialect)


def partitioned_by_term() -> dict[str, Any]:
    """`__table_args__` options of a roster table partitioned BY LIST (term_code) on PostgreSQL (SQLite ignores
    them). Its primary key gets the partition key appended there (PostgreSQL requires every unique key of a
    partitioned table to hold it; the ORM still identifies rows by `id` alone), and create_all adds the DEFAULT
    partition; the term partitions are made by data_access.partitions."""
    return {"postgresql_partition_by": f"LIST ({PARTITION_KEY})"}


def is_partitioned(table: Table) -> bool:
    return bool(table.dialect_options["postgresql"].get("partition_by"))


@compiles(PrimaryKeyConstraint, "postgresql")
def _primary_key_with_partition_key(constraint: PrimaryKeyConstraint, compiler: Any, **kw: Any) -> str:
    text = compiler.visit_primary_key_constraint(constraint, **kw)
    table = constraint.table
    if not is_partitioned(table) or PARTITION_KEY in constraint.columns:
        return text
    quote = compiler.preparer.quote
    names = ", ".join(quote(c.name) for c in constraint.columns)
    return text.replace(f"PRIMARY KEY ({names})", f"PRIMARY KEY ({names}, {quote(PARTITION_KEY)})", 1)


@event.listens_for(Table, "after_create")
def _default_partition(table: Table, connection: Any, **_kw: Any) -> None:
    if connection.dialect.name == "postgresql" and is_partitioned(table):
        connection.execute(DDL(f'CREATE TABLE "{table.name}_default" PARTITION OF "{table.name}" DEFAULT'))
