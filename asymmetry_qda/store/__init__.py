"""The SQLite adapter: schema, migrations and transactions of a project file."""

from .schema import SCHEMA_VERSION
from .sqlite import Store

__all__ = ["SCHEMA_VERSION", "Store"]
