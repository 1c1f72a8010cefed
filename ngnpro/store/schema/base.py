"""What every table module uses."""
from sqlalchemy import Column, Integer


def ident():
    return Column('id', Integer, primary_key=True, autoincrement=True)
