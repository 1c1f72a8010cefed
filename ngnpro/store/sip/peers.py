"""Trusted peers (ngnpro_trusted_peers) and Kamailio's address table."""
from sqlalchemy import delete, insert, select, update

from ..rows import now


def peer_row(conn, s, ip):
    return conn.execute(select(s.trusted_peers)
                        .where(s.trusted_peers.c.ip == ip)).mappings().first()


def _address_values(values):
    ip, _, mask = values['ip'].partition('/')
    return {'grp': 1, 'ip_addr': ip, 'mask': int(mask or (128 if ':' in ip
                                                          else 32)),
            'port': 0, 'tag': str(values.get('tag') or '')[:64]}


def insert_peer(conn, s, values):
    conn.execute(insert(s.trusted_peers).values(change_date=now(), **values))
    conn.execute(insert(s.address).values(**_address_values(values)))


def update_peer(conn, s, row, values):
    conn.execute(update(s.trusted_peers)
                 .where(s.trusted_peers.c.id == row['id'])
                 .values(change_date=now(), **values))
    _delete_address(conn, s, row['ip'])
    conn.execute(insert(s.address).values(**_address_values(values)))


def delete_peer(conn, s, row):
    conn.execute(delete(s.trusted_peers)
                 .where(s.trusted_peers.c.id == row['id']))
    _delete_address(conn, s, row['ip'])


def _delete_address(conn, s, ip):
    addr = _address_values({'ip': ip})
    conn.execute(delete(s.address).where(s.address.c.ip_addr == addr['ip_addr'],
                                         s.address.c.mask == addr['mask'],
                                         s.address.c.grp == 1))
