"""What every table module uses."""
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import Column, Integer, Numeric, String
from sqlalchemy.types import TypeDecorator

CENTS = Decimal('0.0001')


def ident():
    return Column('id', Integer, primary_key=True, autoincrement=True)


def money(value):
    """A Decimal with the 4 places of a DECIMAL(10,4) column."""
    return Decimal(value).quantize(CENTS, rounding=ROUND_HALF_EVEN)


class Money(TypeDecorator):
    """DECIMAL(10,4) holding Python Decimals, exact on every backend:
    MariaDB's own DECIMAL, and on SQLite (which has no decimal type and
    would keep a REAL) the canonical text '12.3400'."""
    impl = Numeric(10, 4)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == 'sqlite':
            return dialect.type_descriptor(String(20))
        return dialect.type_descriptor(Numeric(10, 4, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = money(value)
        return str(value) if dialect.name == 'sqlite' else value

    def process_result_value(self, value, dialect):
        return None if value is None else money(value)
