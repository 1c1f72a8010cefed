"""A private 3-node MariaDB Galera cluster on loopback, for the scale-out
tests: every node its own SQL, group-communication, IST and SST port; the
first node bootstraps, the others join by rsync SST. No systemd.

    cluster = GaleraCluster(3).start()
    cluster.urls('ngnpro')      # one SQLAlchemy URL per node
    cluster.kill(1); cluster.restart(1)   # the node rejoins by IST
    cluster.stop()
"""
import os
import pwd
import re
import subprocess
import time

import pymysql

from .mariadb import MariaDB, MariaDBError, _tail, free_port

PROVIDER_PATHS = ('/usr/lib/galera/libgalera_smm.so',
                  '/usr/lib/libgalera_smm.so',
                  '/usr/lib64/galera-4/libgalera_smm.so')


def find_provider():
    return next((p for p in PROVIDER_PATHS if os.path.exists(p)), None)


class GaleraNode(MariaDB):
    def __init__(self, cluster, index):
        super().__init__(startup_timeout=90.0)
        self.cluster, self.index = cluster, index
        self.gcomm = cluster.gcomm_ports[index]
        self.ist, self.sst = free_port(), free_port()
        self.bootstrap = index == 0
        self.create_users = index == 0    # replicated to the others

    def extra_args(self):
        peers = ','.join('127.0.0.1:%d' % p for p in self.cluster.gcomm_ports)
        return [
            '--wsrep-on=ON', '--wsrep-provider=%s' % find_provider(),
            '--wsrep-cluster-name=ngnpro-test',
            '--wsrep-node-name=node%d' % self.index,
            '--wsrep-node-address=127.0.0.1',
            '--wsrep-cluster-address=gcomm://%s' % ('' if self.bootstrap
                                                   else peers),
            '--wsrep-sst-method=rsync',
            '--wsrep-sst-receive-address=127.0.0.1:%d' % self.sst,
            '--binlog-format=ROW', '--default-storage-engine=InnoDB',
            '--innodb-autoinc-lock-mode=2',
            '--wsrep-slave-threads=2',
        ] + (['--wsrep-recover'] if self._recover else []) + (
            ['--wsrep-start-position=%s' % self.start_position]
            if self.start_position and not self._recover else [])

    def initialize(self, install_db, as_root, tuning):
        if self.index == 0:
            super().initialize(install_db, as_root, tuning)
        else:
            # A joiner starts empty and gets everything by SST. As root, the
            # rsync daemon of the SST runs as 'nobody': let it write here.
            os.makedirs(self.datadir)
            if os.geteuid() == 0:
                nobody = pwd.getpwnam('nobody')
                os.chown(self.datadir, nobody.pw_uid, nobody.pw_gid)
        os.chmod(self.tmpdir, 0o755)

    start_position = None
    _recover = False

    def _spawn(self, binary, as_root, tuning, recover=False):
        # The provider options hold ';', which the SST scripts would hand to
        # a shell unquoted: they go in an option file instead.
        cnf = os.path.join(self.tmpdir, 'galera.cnf')
        with open(cnf, 'w') as f:
            f.write('[mysqld]\nwsrep_provider_options="gmcast.listen_addr='
                    'tcp://127.0.0.1:%d;ist.recv_addr=127.0.0.1:%d;'
                    'gcache.size=64M;evs.suspect_timeout=PT3S;'
                    'evs.inactive_timeout=PT6S;evs.install_timeout=PT6S"\n'
                    % (self.gcomm, self.ist))
        self.defaults_file = cnf
        self._recover = recover
        super()._spawn(binary, as_root, tuning)

    def status(self, name):
        conn = pymysql.connect(unix_socket=self.socket, user='root',
                               password='', connect_timeout=2)
        try:
            with conn.cursor() as cur:
                cur.execute("SHOW STATUS LIKE %s", (name,))
                row = cur.fetchone()
                return row[1] if row else None
        finally:
            conn.close()

    def kill(self):
        """kill -9: no shutdown, the cluster sees the node vanish."""
        self._kill()

    def restart(self):
        """Start again on the same data directory. After a kill -9 the
        node does not know its position: recover it first (as the
        galera_recovery helper of the systemd unit does), so that it
        rejoins by IST instead of a full state transfer."""
        self.bootstrap = False
        self.start_position = None
        self._spawn(*self.spawn_args, recover=True)
        self.proc.wait(timeout=120)
        found = re.findall(r'WSREP: Recovered position: (\S+)',
                           _tail(self.errlog, 200))
        self.start_position = found[-1] if found else None
        if os.geteuid() == 0:   # an SST (fallback) writes as 'nobody'
            nobody = pwd.getpwnam('nobody')
            for root, dirs, files in os.walk(self.datadir):
                for name in dirs + files:
                    os.lchown(os.path.join(root, name), nobody.pw_uid,
                              nobody.pw_gid)
            os.chown(self.datadir, nobody.pw_uid, nobody.pw_gid)
        self._spawn(*self.spawn_args)
        self._wait_ready()


class GaleraCluster:
    def __init__(self, size=3):
        self.gcomm_ports = [free_port() for _ in range(size)]
        self.nodes = [GaleraNode(self, i) for i in range(size)]
        self.startup_seconds = None

    def start(self):
        if not find_provider():
            raise MariaDBError('galera-4 is not installed')
        t0 = time.monotonic()
        try:
            for node in self.nodes:
                node.start()
                node.bootstrap = False
            self.wait_synced(len(self.nodes))
        except Exception:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def wait_synced(self, size, timeout=90):
        deadline = time.monotonic() + timeout
        alive = [n for n in self.nodes if n.proc is not None]
        while time.monotonic() < deadline:
            try:
                if all(n.status('wsrep_cluster_size') == str(size)
                       and n.status('wsrep_local_state_comment') == 'Synced'
                       and n.status('wsrep_ready') == 'ON' for n in alive):
                    return
            except pymysql.err.Error:
                pass
            time.sleep(0.2)
        raise MariaDBError('cluster not synced at size %d; %s' % (
            size, '\n'.join(_tail(n.errlog, 15) for n in alive)))

    def create_database(self, name):
        return self.nodes[0].create_database(name)

    def urls(self, name):
        return [n.url(name) for n in self.nodes]

    def kill(self, index):
        self.nodes[index].kill()

    def restart(self, index):
        self.nodes[index].restart()
        self.wait_synced(len(self.nodes))

    def stop(self):
        for node in reversed(self.nodes):
            try:
                node.stop()
            except (MariaDBError, subprocess.SubprocessError, OSError):
                node._kill()
                node._cleanup_dir()
