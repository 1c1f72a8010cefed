"""Kamailio 5.6's presence tables (presence-create.sql of the presence
modules): presentity (published documents), active_watchers and watchers
(subscriptions and their authorization), xcap (pres-rules documents that
presence_xml reads in its integrated-XCAP mode). Layouts and ``version`` rows
are Kamailio's, so that its presence server uses what the PresencePort
writes."""
from sqlalchemy import (Column, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.dialects import mysql

from .base import ident


def _blob(mysql_type):
    # One dialect name per call: SQLAlchemy 1.4 (Debian 12) takes no more.
    return LargeBinary().with_variant(mysql_type, 'mysql').with_variant(
        mysql_type, 'mariadb')


def define(s):
    s.presentity = s.native(
        'presentity', 5, ident(),
        Column('username', String(64), nullable=False),
        Column('domain', String(64), nullable=False),
        Column('event', String(64), nullable=False),
        Column('etag', String(128), nullable=False),
        Column('expires', Integer, nullable=False),
        Column('received_time', Integer, nullable=False),
        Column('body', _blob(mysql.BLOB), nullable=False),
        Column('sender', String(255), nullable=False),
        Column('priority', Integer, nullable=False, default=0),
        Column('ruid', String(64), nullable=True),
        UniqueConstraint('username', 'domain', 'event', 'etag',
                         name='presentity_idx'),
        UniqueConstraint('ruid', name='ruid_idx'),
        Index('presentity_expires', 'expires'),
        Index('account_idx', 'username', 'domain', 'event'))
    s.active_watchers = s.native(
        'active_watchers', 12, ident(),
        Column('presentity_uri', String(255), nullable=False),
        Column('watcher_username', String(64), nullable=False),
        Column('watcher_domain', String(64), nullable=False),
        Column('to_user', String(64), nullable=False),
        Column('to_domain', String(64), nullable=False),
        Column('event', String(64), nullable=False, default='presence'),
        Column('event_id', String(64), nullable=True),
        Column('to_tag', String(128), nullable=False),
        Column('from_tag', String(128), nullable=False),
        Column('callid', String(255), nullable=False),
        Column('local_cseq', Integer, nullable=False),
        Column('remote_cseq', Integer, nullable=False),
        Column('contact', String(255), nullable=False),
        Column('record_route', Text, nullable=True),
        Column('expires', Integer, nullable=False),
        Column('status', Integer, nullable=False, default=2),
        Column('reason', String(64), nullable=True),
        Column('version', Integer, nullable=False, default=0),
        Column('socket_info', String(64), nullable=False),
        Column('local_contact', String(255), nullable=False),
        Column('from_user', String(64), nullable=False),
        Column('from_domain', String(64), nullable=False),
        Column('updated', Integer, nullable=False),
        Column('updated_winfo', Integer, nullable=False),
        Column('flags', Integer, nullable=False, default=0),
        Column('user_agent', String(255), nullable=True, default=''),
        UniqueConstraint('callid', 'to_tag', 'from_tag',
                         name='active_watchers_idx'),
        Index('active_watchers_expires', 'expires'),
        Index('active_watchers_pres', 'presentity_uri', 'event'),
        Index('updated_idx', 'updated'),
        Index('updated_winfo_idx', 'updated_winfo', 'presentity_uri'))
    s.watchers = s.native(
        'watchers', 3, ident(),
        Column('presentity_uri', String(255), nullable=False),
        Column('watcher_username', String(64), nullable=False),
        Column('watcher_domain', String(64), nullable=False),
        Column('event', String(64), nullable=False, default='presence'),
        Column('status', Integer, nullable=False),
        Column('reason', String(64), nullable=True),
        Column('inserted_time', Integer, nullable=False),
        UniqueConstraint('presentity_uri', 'watcher_username',
                         'watcher_domain', 'event', name='watcher_idx'))
    s.xcap = s.native(
        'xcap', 4, ident(),
        Column('username', String(64), nullable=False),
        Column('domain', String(64), nullable=False),
        Column('doc', _blob(mysql.MEDIUMBLOB), nullable=False),
        Column('doc_type', Integer, nullable=False),
        Column('etag', String(128), nullable=False),
        Column('source', Integer, nullable=False),
        Column('doc_uri', String(255), nullable=False),
        Column('port', Integer, nullable=False),
        UniqueConstraint('doc_uri', name='doc_uri_idx'),
        Index('account_doc_type_idx', 'username', 'domain', 'doc_type'),
        Index('account_doc_type_uri_idx', 'username', 'domain', 'doc_type',
              'doc_uri'),
        Index('account_doc_uri_idx', 'username', 'domain', 'doc_uri'))
