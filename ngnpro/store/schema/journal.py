"""The audit journal of every change made through the server."""
from sqlalchemy import (BigInteger, Column, DateTime, Integer, String, Table,
                        Text)


def define(s):
    s.journal = Table(
        'ngnpro_journal', s.metadata,
        Column('id', BigInteger().with_variant(Integer, 'sqlite'),
               primary_key=True, autoincrement=True),
        Column('date', DateTime, nullable=False, index=True),
        Column('principal', String(80), nullable=False, index=True),
        Column('impersonated', Integer, nullable=False, default=0),
        Column('client', String(64), nullable=False, default=''),
        Column('operation', String(80), nullable=False, index=True),
        Column('record', String(255), nullable=False, index=True),
        # ',17,23,': the customers and resellers of the changed rows.
        Column('owners', String(255), nullable=False, default=''),
        Column('before', Text, nullable=False),
        Column('after', Text, nullable=False))
