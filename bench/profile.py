"""Where a worker spends getAccount: py-spy on one worker under wrk load.

    .venv/bin/pip install py-spy
    .venv/bin/python bench/profile.py [seconds] [call]

Starts the server (2 workers, SQLite, 10,000 bulk-loaded accounts), drives
the call (default getAccount) with 32 keep-alive wrk connections, samples
one worker with py-spy (GIL-holding samples only: what costs CPU) and
prints the functions with the largest inclusive and self shares of the
samples, grouped by file and function.
"""
import collections
import os
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import run  # noqa: E402
from tests.support.server import Server  # noqa: E402


def frames(line):
    stack, _, count = line.rpartition(' ')
    out = []
    for frame in stack.split(';'):
        # "function (path/file.py:line)"
        name, _, where = frame.partition(' (')
        path = where.rsplit(':', 1)[0]
        for marker in ('site-packages/', 'lib/python3.11/', '/perf/'):
            if marker in path:
                path = path.split(marker, 1)[1]
        out.append('%s %s' % (path, name))
    return out, int(count)


def summarise(raw, top=40):
    inclusive, own = collections.Counter(), collections.Counter()
    total = 0
    for line in raw.splitlines():
        if not line.strip():
            continue
        stack, count = frames(line)
        total += count
        own[stack[-1]] += count
        for f in set(stack):
            inclusive[f] += count
    lines = ['%d samples' % total, '', 'inclusive:']
    # The frames every sample runs through (thread and reactor loops) say
    # nothing: the list starts below them.
    lines += ['%5.1f%%  %s' % (100 * n / total, f)
              for f, n in inclusive.most_common()
              if n < 0.75 * total][:top]
    lines += ['', 'self:']
    lines += ['%5.1f%%  %s' % (100 * n / total, f)
              for f, n in own.most_common(top)]
    return '\n'.join(lines)


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    call = sys.argv[2] if len(sys.argv) > 2 else 'getAccount'
    work = tempfile.mkdtemp(prefix='ngnpro-profile-')
    url = 'sqlite:///%s/bench.sqlite' % work
    srv = Server(work, url, processes=2)
    srv.init_db()
    built, _ = run.load_accounts(url, 10000, False, 60)
    srv.start(init=False)
    try:
        run.provision(srv.port)
        body = dict((c, b) for c, b, _ in run.bodies(built)[0])[call]
        script = os.path.join(work, 'p.lua')
        with open(script, 'w') as f:
            f.write(run.LUA % {'body': body.decode(), 'accounts': built,
                               'deep': 0, 'tag': 1, 'close': ''})
        worker = run.children(srv.proc.pid)[0]
        load = threading.Thread(target=run.wrk, args=(
            srv.port, script, 32, seconds + 4))
        load.start()
        out = os.path.join(work, 'profile.txt')
        subprocess.run([os.path.join(os.path.dirname(sys.executable),
                                     'py-spy'), 'record', '--gil', '-r',
                        '200', '-d', str(seconds), '-f', 'raw', '-o', out,
                        '-p', str(worker)], check=True,
                       capture_output=True)
        load.join()
        print(summarise(open(out).read()))
        print('\nraw samples: %s' % out)
    finally:
        srv.stop()


if __name__ == '__main__':
    main()
