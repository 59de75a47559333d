"""SkyPilot's own verdict on task YAML files, offline, for the differential test.

Reads a JSON list of file paths on stdin and writes one JSON list on stdout, one entry per file:
  {"file", "verdict": "accept"|"reject"|"declined", "message", "kind", "nodes": [pointer, ...]}
`nodes` are JSON pointers ("/resources/cpus", with "/<doc>" prefixed for documents of multi-document
files: "/1/resources/cpus") of the nodes SkyPilot objects to. For schema errors they come from
jsonschema's own error path; for SkyPilot's code-level checks they are found by asking SkyPilot again
with one key removed at a time (the offending node is the deepest key whose removal makes that error
go away). `declined` means SkyPilot's check needed a cloud call (catalog fetch, enabled clouds,
credentials): the differential test leaves those files out and lists them.

One process serves the whole corpus (SkyPilot imports in seconds). Run it with HOME pointing at an
empty temporary folder: no credentials, no ~/.sky config. Network access is refused inside the
process so nothing silently reaches a cloud or a catalog server.
"""
import copy
import hashlib
import json
import os
import socket
import sys
import time
import traceback


# SkyPilot prints progress on stdout (its loggers hold fd 1): keep the real stdout for the one JSON
# answer and point fd 1 at stderr before SkyPilot is imported.
sys.stdout.flush()
_ANSWER_FD = os.dup(1)
os.dup2(2, 1)


class _NoNetwork(OSError):
    pass


class _DeclinedAfter(Exception):
    """A check that failed on what a declined step would have filled in (the cloud an instance type
    implies, say): SkyPilot's verdict is unknown offline, so the file is declined."""


def _refuse(*_a, **_k):
    raise _NoNetwork('network access refused by the oracle (a cloud or catalog call)')


socket.socket.connect = _refuse  # type: ignore[assignment]
socket.create_connection = _refuse  # type: ignore[assignment]
socket.getaddrinfo = _refuse  # type: ignore[assignment]

import jsonschema  # noqa: E402  (after the network is closed)
import yaml  # noqa: E402

import sky  # noqa: E402
from sky import exceptions  # noqa: E402
from sky.utils import common_utils  # noqa: E402
from sky.utils import dag_utils  # noqa: E402
from sky.utils import validator  # noqa: E402
from sky.utils import yaml_utils  # noqa: E402

from sky import check as sky_check  # noqa: E402


def _no_enabled_clouds(*_a, **_k):
    # Offline with no credentials there is no enabled cloud; `sky check` itself would probe every
    # cloud's SDK for seconds to find that out.
    raise exceptions.NoCloudAccessError('No cloud access (the oracle runs offline)')


sky_check.get_cached_enabled_clouds_or_refresh = _no_enabled_clouds

# Where each validate_schema call's object sits in the task, from SkyPilot's message prefixes.
_PREFIX_BASE = {
    'Invalid task YAML: ': '',
    'Invalid resources YAML: ': '/resources',
    'Invalid service YAML: ': '/service',
    'Invalid resources.config override: ': '/config',
}

_last_schema_nodes = []


def _esc(k):
    return str(k).replace('~', '~0').replace('/', '~1')


def _ptr(parts):
    return ''.join('/' + _esc(p) for p in parts)


_orig_validate_schema = common_utils.validate_schema


def _deepest(err):
    """Inside anyOf/oneOf, the branch error that is not a plain type mismatch and lies deepest: for
    `autostop: {idle: 5}` the unknown key `idle`, not the whole `autostop` value."""
    if err.validator in ('anyOf', 'oneOf') and err.context:
        cands = [c for c in err.context if c.validator != 'type']
        if cands:
            # Deepest first; at equal depth a concrete error (an unknown key) over a nested anyOf.
            return _deepest(
                max(cands,
                    key=lambda c: (len(c.absolute_path), c.validator not in ('anyOf', 'oneOf'))))
    return err


def _validate_schema(obj, schema, err_msg_prefix='', skip_none=True):
    try:
        _orig_validate_schema(obj, schema, err_msg_prefix, skip_none)
    except exceptions.InvalidSkyPilotConfigError:
        o = {k: v for k, v in obj.items() if v is not None} if skip_none else obj
        nodes = []
        for e in validator.get_schema_validator()(schema).iter_errors(o):
            # An anyOf/oneOf error: its most concrete branch error; otherwise jsonschema's own pick.
            deep = _deepest(e)
            best = deep if deep is not e else jsonschema.exceptions.best_match([e])
            path = list(best.absolute_path)
            if best.validator == 'additionalProperties' and isinstance(best.instance, dict):
                known = set((best.schema or {}).get('properties', {}).keys())
                pats = list((best.schema or {}).get('patternProperties', {}).keys())
                import re
                for k in best.instance:
                    if k not in known and not any(re.search(p, str(k)) for p in pats):
                        nodes.append(path + [k])
            else:
                nodes.append(path)
            break
        base = None
        for prefix, b in _PREFIX_BASE.items():
            if err_msg_prefix.startswith(prefix):
                base = b
        _last_schema_nodes.append((base, nodes, _current['index']))
        raise


common_utils.validate_schema = _validate_schema

NETWORK_MARKERS = ('network access refused', 'NoCloudAccessError', 'No cloud access',
                   'enabled clouds', 'credentials', 'sky check')


def _needs_cloud(exc):
    chain = []
    e = exc
    while e is not None and len(chain) < 10:
        chain.append(e)
        e = e.__cause__ or e.__context__
    for x in chain:
        if isinstance(x, (_NoNetwork, _DeclinedAfter, exceptions.NoCloudAccessError)):
            return True
        # A cloud's SDK that the base package leaves out (e.g. kubernetes for k8s infra).
        if isinstance(x, ImportError) or 'Failed to import dependencies' in str(x):
            return True
        text = f'{type(x).__name__}: {x}'
        if any(m in text for m in NETWORK_MARKERS):
            return True
    return False


# Resources.validate()'s steps. Each may need a cloud call (catalog download, enabled clouds from
# `sky check`, image sizes from the cloud's API); when one does, the oracle declines that step (records
# it, carries on with the next) instead of deciding the file on it. The README lists these.
_RESOURCE_STEPS = [
    '_try_canonicalize_accelerators', '_try_validate_and_set_region_zone',
    '_try_validate_instance_type', '_try_validate_cpus_mem', '_try_validate_managed_job_attributes',
    '_try_validate_image_id', '_try_validate_disk_tier', '_try_validate_volumes',
    '_try_validate_ports', '_try_validate_labels', '_try_validate_local_disk',
    '_try_validate_max_hourly_cost'
]
_declined = set()


def _declining(name, fn):

    def step(self, *a, **k):
        try:
            return fn(self, *a, **k)
        except BaseException as e:  # noqa: BLE001
            if isinstance(e, Exception) and _needs_cloud(e):
                _declined.add(f'Resources.{name}')
                return None
            if isinstance(e, Exception) and _declined:
                raise _DeclinedAfter(f'Resources.{name} failed after the declined '
                                     f'{sorted(_declined)}: {type(e).__name__}: {e}') from e
            raise

    return step


for _name in _RESOURCE_STEPS:
    setattr(sky.Resources, _name, _declining(_name, getattr(sky.Resources, _name)))


_orig_from_yaml_config = sky.Task.from_yaml_config


_current = {'docs': [], 'index': None}


def _from_yaml_config(config, *a, **k):
    for i, d in enumerate(_current['docs']):
        if d is config:
            _current['index'] = i
    # SkyPilot dumps each task back to YAML only to keep it for display; skip that (it is most of the
    # time of a load, and the oracle loads each file many times while it looks for the offending node).
    if isinstance(config, dict):
        config.setdefault('_user_specified_yaml', '')
    return _orig_from_yaml_config(config, *a, **k)


sky.Task.from_yaml_config = staticmethod(_from_yaml_config)


def _validate_store_names(storage):
    """construct() then adds each store the spec names; the store's class checks the bucket name
    first (offline), then reaches the cloud. Only that first check runs here."""
    from sky.data import storage as storage_lib  # pylint: disable=import-outside-toplevel
    # pylint: disable=protected-access
    classes = dict(storage_lib._S3_COMPATIBLE_STORES)
    for t, c in (('GCS', 'GcsStore'), ('AZURE', 'AzureBlobStore'), ('IBM', 'IBMCosStore'),
                 ('OCI', 'OciStore')):
        if hasattr(storage_lib, c):
            classes[t] = getattr(storage_lib, c)
    if not storage.name:
        return
    types = list(storage.stores)
    if isinstance(storage.source, str):
        # A bucket URI source: construct() connects a store of the URI's type to that bucket.
        for t in storage_lib.StoreType:
            try:
                prefix = t.store_prefix()
            except Exception:  # noqa: BLE001 - types without a URI prefix
                continue
            if prefix and storage.source.startswith(prefix) and t not in types:
                types.append(t)
    for store_type in types:
        cls = classes.get(store_type.value)
        if cls is None or not hasattr(cls, 'validate_name'):
            continue
        try:
            cls.validate_name(storage.name)
        except Exception as e:  # noqa: BLE001
            if _needs_cloud(e):
                _declined.add(f'{cls.__name__}.validate_name')
                continue
            raise


def _load(docs):
    """SkyPilot's path for `sky launch FILE`: the dag from the parsed documents (as
    dag_utils.load_dag_from_yaml does after reading the file), then each task's own validation
    (Task.validate as the API server runs it, minus the local workdir and file_mounts checks), then
    each storage spec's own validation."""
    # pylint: disable=protected-access
    if dag_utils._is_job_group_configs(docs):
        dag = dag_utils._load_job_group(docs)
    else:
        dag = dag_utils._load_chain_dag(docs)
    for task in dag.tasks:
        task.validate_name() if task.name is not None else None
        task.validate_run()
        for r in task.resources:
            r.validate()
        # Task.validate()'s file_mounts step (mount paths, cloud destinations); whether a local
        # source exists is a local check, which the differential test leaves out on both sides.
        try:
            task.expand_and_validate_file_mounts()
        except ValueError as e:
            if 'does not exist locally' not in str(e):
                raise
        # Storage.construct() (run by `sky launch` before any bucket is touched) starts with this
        # offline check of the spec: names, sources and modes.
        for storage in task.storage_mounts.values():
            storage._validate_storage_spec(storage.name)  # pylint: disable=protected-access
            _validate_store_names(storage)
        # The API server's volume step: mount paths are checked offline, then each volume is looked
        # up in the server's volume table, which the oracle declines.
        try:
            task.resolve_and_validate_volumes()
        except exceptions.VolumeNotFoundError:
            _declined.add('Task.resolve_and_validate_volumes (volume lookup)')
    return dag


def _attempt(docs):
    """(verdict, message, kind, schema_nodes) for one list of documents."""
    _last_schema_nodes.clear()
    _declined.clear()
    _current['docs'] = copy.deepcopy(docs)
    _current['index'] = None
    try:
        _load(_current['docs'])
        return 'accept', '', '', None
    except BaseException as e:  # noqa: BLE001 - any failure of SkyPilot's load is its verdict
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        if os.environ.get('SKY_ORACLE_TRACE'):
            traceback.print_exception(e, limit=100)
        if _needs_cloud(e):
            return 'declined', f'{type(e).__name__}: {e}', 'cloud', None
        schema = list(_last_schema_nodes)
        return 'reject', f'{type(e).__name__}: {e}', type(e).__name__, schema


def _doc_prefix(docs, idx):
    return f'/{idx}' if len(docs) > 1 else ''


def _children(v):
    if isinstance(v, dict):
        return list(v.keys())
    if isinstance(v, list):
        return list(range(len(v)))
    return []


def _without(root, path):
    r = copy.deepcopy(root)
    cur = r
    for p in path[:-1]:
        cur = cur[p]
    last = path[-1]
    if isinstance(cur, dict):
        del cur[last]
    else:
        del cur[last]
    return r


def _get(root, path):
    cur = root
    for p in path:
        cur = cur[p]
    return cur


def _localise(docs, message, budget):
    """Deepest keys whose removal makes SkyPilot's error go away (its offending nodes)."""
    found = []

    def still_same(trial):
        nonlocal budget
        if budget <= 0:
            return True
        budget -= 1
        v, m, _, _ = _attempt(trial)
        return v == 'reject' and m == message

    def walk(path):
        node = _get(docs, path)
        hits = []
        for c in _children(node):
            p = path + [c]
            # Removing a document index would renumber the others; only descend into documents.
            if len(p) == 1:
                hits.append(p)
                continue
            if not still_same(_without(docs, p)):
                hits.append(p)
        deeper = []
        for h in hits:
            sub = walk(h) if _children(_get(docs, h)) else []
            if sub:
                deeper.extend(sub)
            elif len(h) > 1:
                deeper.append(h)
        return deeper

    found = walk([])
    return found


def judge(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    # Relative local paths resolve as when `sky launch` runs in the task's folder.
    os.chdir(os.path.dirname(os.path.abspath(path)))
    try:
        docs = yaml_utils.read_yaml_all_str(text)
    except yaml.YAMLError as e:
        return {'verdict': 'reject', 'message': f'YAMLError: {e}', 'kind': 'yaml', 'nodes': ['']}
    docs = [d for d in docs]
    verdict, message, kind, schema = _attempt(docs)
    out = {'verdict': verdict, 'message': message[:500], 'kind': kind, 'nodes': [], 'documents': len(docs),
           'declined': sorted(_declined)}
    if verdict != 'reject':
        return out
    multi = len(docs) > 1
    ptrs = []
    # jsonschema's own path, when the failing validate_schema call says where its object is.
    for base, ns, at in schema or []:
        if base is None:
            continue
        for n in ns:
            for d in ([at] if at is not None else range(len(docs))):
                pre = f'/{d}' if multi else ''
                cand = pre + base + _ptr(n)
                if cand not in ptrs and _exists(docs[d], base + _ptr(n)):
                    ptrs.append(cand)
    if not ptrs:
        # SkyPilot's code-level checks (and schema checks on objects it built itself) name no path:
        # find the keys whose removal makes the same error go away.
        for n in _localise(docs, message, budget=300):
            doc, rest = n[0], n[1:]
            ptrs.append((f'/{doc}' if multi else '') + _ptr(rest))
    out['nodes'] = ptrs
    return out


def _exists(doc, pointer):
    cur = doc
    for raw in [p for p in pointer.split('/')[1:]]:
        k = raw.replace('~1', '/').replace('~0', '~')
        if isinstance(cur, dict) and k in cur:
            cur = cur[k]
        elif isinstance(cur, dict) and any(str(x) == k for x in cur):
            cur = cur[[x for x in cur if str(x) == k][0]]
        elif isinstance(cur, list) and k.isdigit() and int(k) < len(cur):
            cur = cur[int(k)]
        else:
            return False
    return True


def dump_schemas():
    from sky.utils import schemas
    out = {
        'version': sky.__version__,
        'task': schemas.get_task_schema(),
        'resources': schemas.get_resources_schema(),
        'service': schemas.get_service_schema(),
        'storage': schemas.get_storage_schema(),
    }
    with os.fdopen(_ANSWER_FD, 'w') as f:
        json.dump(out, f, default=str)


def main():
    if '--schemas' in sys.argv:
        dump_schemas()
        return
    items = json.load(sys.stdin)
    cache_dir = os.environ.get('SKY_ORACLE_CACHE')
    with open(__file__, 'rb') as me:
        salt = hashlib.sha256(me.read() + sky.__version__.encode()).hexdigest()
    results = []
    for item in items:
        # {"file", "cache": true} marks a file whose verdict depends on its text alone (no local
        # paths): SkyPilot's answer for the same text, SkyPilot version and oracle is kept on disk.
        f = item['file'] if isinstance(item, dict) else item
        key = None
        if cache_dir and isinstance(item, dict) and item.get('cache'):
            with open(f, 'rb') as fh:
                key = os.path.join(cache_dir, hashlib.sha256(salt.encode() + fh.read()).hexdigest() + '.json')
            if os.path.exists(key):
                with open(key, encoding='utf-8') as fh:
                    r = json.load(fh)
                r['file'] = f
                results.append(r)
                continue
        t0 = time.time()
        try:
            r = judge(f)
        except BaseException as e:  # noqa: BLE001
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            r = {'verdict': 'error', 'message': traceback.format_exc()[-800:], 'kind': 'oracle',
                 'nodes': []}
        r['file'] = f
        r['seconds'] = round(time.time() - t0, 3)
        results.append(r)
        if key and r['verdict'] != 'error':
            os.makedirs(cache_dir, exist_ok=True)
            with open(key + '.tmp', 'w', encoding='utf-8') as fh:
                json.dump(r, fh)
            os.replace(key + '.tmp', key)
    with os.fdopen(_ANSWER_FD, 'w') as out:
        json.dump({'version': sky.__version__, 'results': results}, out)


if __name__ == '__main__':
    main()
