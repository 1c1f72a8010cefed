"""After-commit effects (reloads, cache purges) that could not be sent yet.

One row per distinct effect: a failure of the same effect again only bumps
``generation``, so that a sender that succeeded with an older generation
deletes the row only when no newer failure came in meanwhile. Any worker or
server on the database sends them (ngnpro.live)."""
from sqlalchemy import BigInteger, Column, Integer, String, Table, Text


def define(s):
    s.pending_reloads = Table(
        'ngnpro_pending_reloads', s.metadata,
        Column('id', Integer, primary_key=True, autoincrement=True),
        # sha1 of kind, target, action and argument: the coalescing key.
        Column('digest', String(40), nullable=False, unique=True),
        Column('kind', String(16), nullable=False),
        Column('target', String(255), nullable=False),
        Column('action', String(64), nullable=False),
        Column('argument', Text, nullable=False),
        # Milliseconds since the epoch.
        Column('created', BigInteger, nullable=False),
        Column('next_try', BigInteger, nullable=False, index=True),
        Column('attempts', Integer, nullable=False, default=0),
        Column('generation', Integer, nullable=False, default=1),
        Column('last_error', String(255), nullable=False, default=''))
