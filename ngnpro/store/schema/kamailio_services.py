"""Kamailio 5.6 tables of the subscriber services (utils/kamctl/mysql:
avpops, userblocklist, acc and siptrace -create.sql), with Kamailio's column
names, types and ``version`` rows.

The proxy reads usr_preferences and userblocklist on every request (no
reload needed); acc and sip_trace are written by Kamailio and only read
here. Columns that Kamailio does not write have server-side defaults, since
its inserts do not go through this code.
"""
import datetime

from sqlalchemy import (Column, DateTime, Index, Integer, SmallInteger,
                        String, Text, text)
from sqlalchemy.dialects import mysql

from .base import Money, ident

_EPOCH = datetime.datetime(2000, 1, 1, 0, 0, 1)

# Columns the example configuration (etc/kamailio/features/subscriber.cfg)
# adds to acc through the acc module's db_extra, and what they hold; see
# docs/subscriber-settings.md. All nullable: acc writes NULL for an unset
# pseudo-variable.
ACC_EXTRA = (
    ('src_user', 64),      # caller: From user of a local domain
    ('src_domain', 128),   # caller's domain
    ('src_ip', 64),        # where the request came from
    ('dst_ouser', 64),     # the user part that was dialled
    ('dst_user', 64),      # callee: the account after alias resolution
    ('dst_domain', 128),   # callee's domain
    ('proxy_ip', 64),      # address of the proxy that handled the call
    ('media', 64),         # 'audio', 'audio, video' (from the SDP offer)
    ('from_header', 255),  # the From header as received
)

_MEDIUMTEXT = Text().with_variant(mysql.MEDIUMTEXT(), 'mysql')


def define(s):
    # avpops: call diversions, do-not-disturb rules and the reject list of
    # an account, one row per value (attribute names: docs).
    s.usr_preferences = s.native(
        'usr_preferences', 2, ident(),
        Column('uuid', String(64), nullable=False, default=''),
        Column('username', String(255), nullable=False, default='0'),
        Column('domain', String(64), nullable=False, default=''),
        Column('attribute', String(32), nullable=False, default=''),
        Column('type', Integer, nullable=False, default=0),
        Column('value', String(128), nullable=False, default=''),
        Column('last_modified', DateTime, nullable=False, default=_EPOCH),
        Index('ua_idx', 'uuid', 'attribute'),
        Index('uda_idx', 'username', 'domain', 'attribute'))
    # userblocklist: barred destination prefixes of an account.
    s.userblocklist = s.native(
        'userblocklist', 1, ident(),
        Column('username', String(64), nullable=False, default=''),
        Column('domain', String(64), nullable=False, default=''),
        Column('prefix', String(64), nullable=False, default=''),
        Column('allowlist', SmallInteger, nullable=False, default=0),
        Index('userblocklist_idx', 'username', 'domain', 'prefix'))
    # Not written by NGNPro; the module checks its version at start-up.
    s.globalblocklist = s.native(
        'globalblocklist', 1, ident(),
        Column('prefix', String(64), nullable=False, default=''),
        Column('allowlist', SmallInteger, nullable=False, default=0),
        Column('description', String(255), nullable=True),
        Index('globalblocklist_idx', 'prefix'))
    # acc: one row per accounted transaction (the INVITE at its final
    # reply, the BYE at hang-up); the call history reads INVITE rows by
    # caller or callee and time, newest first, through the two indexes.
    s.acc = s.native(
        'acc', 5, ident(),
        Column('method', String(16), nullable=False, default=''),
        Column('from_tag', String(128), nullable=False, default=''),
        Column('to_tag', String(128), nullable=False, default=''),
        Column('callid', String(255), nullable=False, default=''),
        Column('sip_code', String(3), nullable=False, default=''),
        Column('sip_reason', String(128), nullable=False, default=''),
        Column('time', DateTime, nullable=False),
        *[Column(name, String(size), nullable=True)
          for name, size in ACC_EXTRA],
        # Filled by the rating engine, never by Kamailio.
        Column('price', Money, nullable=False, server_default=text("'0'")),
        Index('callid_idx', 'callid'),
        Index('acc_src_idx', 'src_user', 'src_domain', 'method', 'time'),
        Index('acc_dst_idx', 'dst_user', 'dst_domain', 'method', 'time'))
    # siptrace: the SIP messages the proxy handled (getSipTrace).
    s.sip_trace = s.native(
        'sip_trace', 4, ident(),
        Column('time_stamp', DateTime, nullable=False, default=_EPOCH),
        Column('time_us', Integer, nullable=False, default=0),
        Column('callid', String(255), nullable=False, default=''),
        Column('traced_user', String(255), nullable=False, default=''),
        Column('msg', _MEDIUMTEXT, nullable=False),
        Column('method', String(50), nullable=False, default=''),
        Column('status', String(255), nullable=False, default=''),
        Column('fromip', String(64), nullable=False, default=''),
        Column('toip', String(64), nullable=False, default=''),
        Column('fromtag', String(128), nullable=False, default=''),
        Column('totag', String(128), nullable=False, default=''),
        Column('direction', String(4), nullable=False, default=''),
        Index('traced_user_idx', 'traced_user'),
        Index('date_idx', 'time_stamp'),
        Index('fromip_idx', 'fromip'),
        # Kamailio calls it callid_idx too; SQLite wants index names unique
        # in the database.
        Index('sip_trace_callid_idx', 'callid'))
