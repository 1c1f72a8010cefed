"""What `ngnpro import` and `ngnpro export` share: the kinds of records
they move (each one an add operation and a listing of a port, so that
rights, validation, credits and the journal are the SOAP operations'
own), the two file formats, and progress output.

Formats (docs/operations.md):

* JSON: ``{"customers": [...], "domains": [...], "accounts": [...],
  "aliases": [...], "zones": [...], "records": [...], "ranges": [...],
  "numbers": [...]}``, each record the operation's structure as the API
  names its members (``{"id": {"username": .., "domain": ..},
  "password": .., "firstName": ..}``); a bare list is one kind (--kind).
* CSV: one kind per file; the header names members by dotted path
  (``id.username,id.domain,password,firstName``); an empty cell is unset;
  a list member (groups, properties, acl) is a JSON text cell.
"""
import csv
import io
import json
import os
import sys
import time
from dataclasses import dataclass

from spyne.model.complex import Array, ComplexModelBase


@dataclass(frozen=True, eq=False)
class Kind:
    name: str
    port: str
    add: str            # the add operation
    argument: str       # its argument
    listing: str        # the get*s operation
    items: str          # the member of its answer holding the records
    order: str          # an orderBy attribute it accepts
    drop: tuple = ()    # members the server sets (not imported)
    # Members holding a customer id (renumbered when customers are
    # imported in the same run).
    refs: tuple = ('owner', 'customer', 'reseller')
    # Members of the items of list members the server sets: {list: names}.
    nested_drop: dict = None

    def cleaned(self, values):
        """``values`` without what the server sets (a copy)."""
        values = dict(values)
        for member in self.drop:
            values.pop(member, None)
        for member, names in (self.nested_drop or {}).items():
            items = values.get(member)
            if isinstance(items, list):
                values[member] = [
                    {k: v for k, v in i.items() if k not in names}
                    if isinstance(i, dict) else i for i in items]
        return values


KINDS = {k.name: k for k in (
    Kind('customers', 'CustomerPort', 'addAccount', 'account',
         'getCustomers', 'accounts', 'customer',     # by id: resellers first
         drop=('changeDate', 'balance'), refs=('reseller', 'impersonate')),
    Kind('domains', 'SipPort', 'addDomain', 'domain', 'getDomains',
         'domains', 'domain', drop=('changeDate',),
         refs=('customer', 'reseller')),
    Kind('accounts', 'SipPort', 'addAccount', 'account', 'getAccounts',
         'accounts', 'username',
         drop=('ha1', 'changeDate', 'createDate', 'customer', 'reseller')),
    Kind('aliases', 'SipPort', 'addAlias', 'alias', 'getAliases', 'aliases',
         'aliasUsername', drop=('changeDate', 'customer', 'reseller')),
    Kind('zones', 'DnsPort', 'addZone', 'zone', 'getZones', 'zones', 'name',
         drop=('changeDate', 'serial'), refs=('customer', 'reseller')),
    Kind('records', 'DnsPort', 'addRecord', 'record', 'getRecords',
         'records', 'name', drop=('id', 'changeDate', 'customer',
                                  'reseller')),
    Kind('ranges', 'EnumPort', 'addRange', 'range', 'getRanges', 'ranges',
         'prefix', drop=('changeDate', 'used', 'serial'),
         refs=('customer', 'reseller')),
    Kind('numbers', 'EnumPort', 'addNumber', 'number', 'getNumbers',
         'numbers', 'number', drop=('changeDate', 'customer', 'reseller'),
         nested_drop={'mappings': ('id',)}),
)}
# Dependency order: what a record refers to is imported before it.
ORDER = ('customers', 'domains', 'accounts', 'aliases', 'zones', 'records',
         'ranges', 'numbers')


class FileError(Exception):
    """The file cannot be read as records (not a bad record: the file)."""


@dataclass
class Record:
    kind: Kind
    where: str          # 'line 7' (CSV) or 'accounts record 3' (JSON)
    values: dict        # the structure, plain values


def struct_of(dispatcher, kind):
    """The spyne model of the add operation's argument."""
    port = dispatcher.port_named(kind.port)
    descriptor = port.operations[kind.add][0]
    return descriptor.in_message._type_info[kind.argument]


def read(path, fmt, kind_name, dispatcher):
    """-> [Record] in import order."""
    if fmt is None:
        fmt = 'json' if path.lower().endswith('.json') else 'csv'
    try:
        if path == '-':
            text = sys.stdin.read()
        else:
            with open(path, encoding='utf-8-sig', newline='') as f:
                text = f.read()
    except OSError as exc:
        raise FileError('%s: %s' % (path, exc.strerror))
    except UnicodeDecodeError as exc:
        raise FileError('%s is not UTF-8 text (%s)' % (path, exc.reason))
    if fmt == 'json':
        return _read_json(text, kind_name)
    kind = KINDS[kind_name or 'accounts']
    return _read_csv(text, kind, struct_of(dispatcher, kind))


def _read_json(text, kind_name):
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise FileError('not JSON: %s' % exc)
    if isinstance(data, list):
        data = {kind_name or 'accounts': data}
    if not isinstance(data, dict):
        raise FileError('JSON must be an object of kinds (%s) or a list '
                        'of records' % ', '.join(ORDER))
    unknown = sorted(set(data) - set(KINDS))
    if unknown:
        raise FileError('unknown kind %s (known: %s)' % (
            ', '.join(unknown), ', '.join(ORDER)))
    out = []
    for name in ORDER:
        records = data.get(name) or []
        if not isinstance(records, list):
            raise FileError('%s must be a list of records' % name)
        for i, values in enumerate(records, 1):
            out.append(Record(KINDS[name], '%s record %d' % (name, i),
                              values))
    return out


def _read_csv(text, kind, struct):
    reader = csv.reader(io.StringIO(text, newline=''))
    try:
        header = next(reader)
    except StopIteration:
        return []
    except csv.Error as exc:
        raise FileError('line 1: %s' % exc)
    header = [h.strip() for h in header]
    paths = [_member_path(struct, h) for h in header]
    out, line = [], reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise FileError('line %d: %s' % (line, exc))
        if len(cells) > len(header) and any(c.strip()
                                            for c in cells[len(header):]):
            raise FileError('line %d: %d cells, the header names %d'
                            % (line, len(cells), len(header)))
        if any(c.strip() for c in cells):
            out.append(Record(kind, 'line %d' % line,
                              _csv_values(paths, header, cells)))
        line = reader.line_num + 1
    return out


def _member_path(struct, column):
    """'id.username' -> [(name, model), ...], checked against the
    structure (a wrong header is the file's fault, found before any
    record is written)."""
    path, cls = [], struct
    for part in column.split('.'):
        members = getattr(cls, '_type_info', None)
        if not members or part not in members:
            raise FileError('column %r: %s has no member %r' % (
                column, cls.get_type_name(), part))
        cls = members[part]
        path.append((part, cls))
    return path


def _csv_values(paths, header, cells):
    values = {}
    for path, column, cell in zip(paths, header, cells):
        if not cell.strip():
            continue
        target = values
        for name, _ in path[:-1]:
            target = target.setdefault(name, {})
        name, cls = path[-1]
        if issubclass(cls, (Array, ComplexModelBase)):
            try:
                target[name] = json.loads(cell)
            except ValueError:
                # Reported by the record's own check, as the operation would.
                target[name] = cell
        else:
            target[name] = cell
    return values


def csv_columns(struct, records):
    """The header of an export: every member any record has, in the
    structure's order, nested structures as dotted paths."""
    def walk(cls, prefix):
        for name, member in cls._type_info.items():
            if issubclass(member, ComplexModelBase) and \
                    not issubclass(member, Array):
                yield from walk(member, prefix + name + '.')
            else:
                yield prefix + name
    present = set()
    for r in records:
        present.update(flatten(r))
    return [c for c in walk(struct, '') if c in present]


def flatten(record, prefix=''):
    out = {}
    for k, v in record.items():
        if isinstance(v, dict):
            out.update(flatten(v, prefix + k + '.'))
        else:
            out[prefix + k] = v
    return out


def csv_cell(value):
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    return str(value)


class Progress:
    """A bar with rate and ETA on a terminal (tqdm); on anything else a
    plain line every ``interval`` seconds and one at the end."""

    def __init__(self, total, label, stream=None, interval=5.0):
        self.stream = stream or sys.stderr
        self.total, self.label, self.interval = total, label, interval
        self.done = 0
        self.start = self.last = time.monotonic()
        self.bar = None
        if _isatty(self.stream):
            from tqdm import tqdm
            # A terminal that reports no size (a bare pty) gets 80x24:
            # tqdm hides a bar below a screen of 0 lines.
            sized = _width(self.stream) > 0
            self.bar = tqdm(total=total, desc=label, unit=' records',
                            file=self.stream, dynamic_ncols=sized,
                            ncols=None if sized else 80,
                            nrows=None if sized else 24, mininterval=0.2)

    def advance(self, n=1):
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            return
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            self._line(now)

    def close(self):
        if self.bar is not None:
            self.bar.close()
        else:
            self._line(time.monotonic())

    def _line(self, now):
        elapsed = max(now - self.start, 1e-6)
        rate = self.done / elapsed
        text = '%s: %d/%d records (%d%%), %.0f records/s' % (
            self.label, self.done, self.total,
            100 * self.done // max(self.total, 1), rate)
        if self.done < self.total and rate > 0:
            text += ', %.0f s left' % ((self.total - self.done) / rate)
        print(text, file=self.stream, flush=True)


def _width(stream):
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 0


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
