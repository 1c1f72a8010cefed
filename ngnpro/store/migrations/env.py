"""Alembic environment: always run by ngnpro.store.migrations on a
connection of the server's own engine (never offline)."""
from alembic import context

from ngnpro.store.migrations import VERSION_TABLE

config = context.config
if context.is_offline_mode():
    raise SystemExit('ngnpro migrations run on a database connection only')
context.configure(connection=config.attributes['connection'],
                  version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations(
        native_names=config.attributes.get('native_names') or {})
