"""Self-test of the daemon harness (tests/support): real MariaDB, Kamailio, sipsak, PHP.

Kamailio's tables are created here from Debian's own schema files; in the real
tests ngnpro creates them.
"""

import hashlib
import os
import warnings

import pytest

from tests.support import kamailio as kam
from tests.support import mariadb
from tests.support.php import php_missing, run_php

SCHEMA_DIR = "/usr/share/kamailio/mysql"
# What the example configuration's modules check at start-up.
SCHEMAS = ["standard", "auth_db", "group", "alias_db", "domain", "permissions",
           "usrloc", "avpops", "acc", "siptrace", "userblocklist", "lcr",
           "presence"]


def loud_skip(what):
    msg = f"!!! HARNESS NOT TESTED: {what} -- run .ci/install-deps"
    warnings.warn(msg)  # shows in the summary even without -rs
    if os.environ.get("CI"):
        pytest.fail(msg)  # CI ran install-deps: a missing binary is a bug there
    pytest.skip(msg)


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


@pytest.fixture(scope="module")
def db():
    if not os.environ.get("NGNPRO_TEST_MYSQL_URL") and not mariadb.find_binary():
        loud_skip("MariaDB server missing (Debian package mariadb-server)")
    server = mariadb.MariaDB().start()
    print(f"mariadb start-up: {server.startup_seconds}s")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def kamdb(db):
    db.create_database("kamailio_selftest")
    conn = db.connect("kamailio_selftest")
    with conn.cursor() as cur:
        for name in SCHEMAS:
            with open(os.path.join(SCHEMA_DIR, f"{name}-create.sql")) as f:
                for stmt in f.read().split(";"):
                    if stmt.strip():
                        cur.execute(stmt)
        cur.execute("INSERT INTO domain (domain) VALUES ('example.com')")
    yield conn
    conn.close()
    db.drop_database("kamailio_selftest")


@pytest.fixture(scope="module")
def sip(db, kamdb):
    for found, pkg in ((kam.find_binary(), "kamailio"),
                       (kam.find_module_dir(), "kamailio-mysql-modules"),
                       (kam.find_sipsak(), "sipsak")):
        if not found:
            loud_skip(f"Debian package {pkg} missing")
    server = kam.Kamailio(db.host, db.port, db.user, db.password, "kamailio_selftest")
    server.start()
    print(f"kamailio start-up: {server.startup_seconds}s")
    yield server
    server.stop()


@pytest.fixture
def alice(kamdb):
    """alice@example.com / secret, in no group, for each test afresh."""
    with kamdb.cursor() as cur:
        cur.execute("DELETE FROM subscriber")
        cur.execute("DELETE FROM grp")
        cur.execute("INSERT INTO subscriber (username, domain, ha1, ha1b) VALUES"
                    " ('alice', 'example.com', %s, %s)",
                    (md5("alice:example.com:secret"),
                     md5("alice@example.com:example.com:secret")))
    return kamdb


def test_register_ok(sip, alice):
    assert sip.register("alice", "example.com", "secret") == 200, sip.last_output
    assert sip.lookup("alice", "example.com")[0] == 302


def test_register_without_credentials_is_challenged(sip, alice):
    reply = sip.request("REGISTER", "sip:example.com", to="sip:alice@example.com")
    assert reply.startswith("SIP/2.0 401"), reply
    assert 'realm="example.com"' in reply


def test_wrong_password(sip, alice):
    assert sip.register("alice", "example.com", "wrong") == 403, sip.last_output


def test_blocked_user(sip, alice):
    with alice.cursor() as cur:
        cur.execute("INSERT INTO grp (username, domain, grp)"
                    " VALUES ('alice', 'example.com', 'blocked')")
    assert sip.register("alice", "example.com", "secret") == 403, sip.last_output


def test_deleted_subscriber(sip, alice):
    with alice.cursor() as cur:
        cur.execute("DELETE FROM subscriber WHERE username = 'alice'")
    assert sip.register("alice", "example.com", "secret") == 403, sip.last_output


def test_domain_served_after_reload(sip, alice):
    with alice.cursor() as cur:
        cur.execute("INSERT INTO subscriber (username, domain, ha1) VALUES"
                    " ('bob', 'example.org', %s)", (md5("bob:example.org:pw"),))
    assert sip.register("bob", "example.org", "pw") == 404, sip.last_output
    with alice.cursor() as cur:
        cur.execute("INSERT INTO domain (domain) VALUES ('example.org')")
    try:
        sip.reload()  # the domain table is cached by Kamailio
        assert sip.register("bob", "example.org", "pw") == 200, sip.last_output
    finally:
        with alice.cursor() as cur:
            cur.execute("DELETE FROM domain WHERE domain = 'example.org'")
        sip.reload()


def test_alias_lookup(sip, alice):
    with alice.cursor() as cur:
        cur.execute("DELETE FROM dbaliases")
        cur.execute("INSERT INTO dbaliases (alias_username, alias_domain, username, domain)"
                    " VALUES ('ally', 'example.com', 'alice', 'example.com')")
    assert sip.register("alice", "example.com", "secret") == 200, sip.last_output
    code, aor, contact = sip.lookup("ally", "example.com")
    assert (code, aor) == (302, "alice@example.com")
    assert contact.startswith("sip:alice@127.0.0.1")


def test_create_database_url(db):
    url = db.create_database("selftest_url")
    assert url == (f"mysql+pymysql://{db.user}:{db.password}@{db.host}:{db.port}"
                   "/selftest_url?charset=utf8mb4")
    conn = db.connect("selftest_url")
    with conn, conn.cursor() as cur:
        cur.execute("SELECT DATABASE()")
        assert cur.fetchone() == ("selftest_url",)
    db.drop_database("selftest_url")


def test_php_soap_client():
    missing = php_missing()
    if missing:
        loud_skip(missing)
    out = run_php("""
        $c = new SoapClient(null, ['location' => 'http://127.0.0.1:1/', 'uri' => 'urn:x']);
        echo get_class($c), "\\n";
    """)
    assert out.strip() == "SoapClient"
