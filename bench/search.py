"""GovCat issue #2 search benchmark: ``python -m bench.search [--quick] [--sizes 16370,200000]``.

Phases, in one process against private PostgreSQL and Redis:

1. index N synthetic datasets (``bench.corpus``) through the provider's own index path
   (``make_connection().add(docs, commit=False)`` + ``commit()``), growing the index from one N
   to the next, with the same rows in a plain table for the naive baseline;
2. per N, the fixed query mix (``bench.queries``) three ways: ``package_search`` through the
   action layer (the latency targets are checked on it), the raw connection's ``search()``
   with the exact parameters the action sent (the speed-up target: the provider against the
   naive statement), and the naive ``ILIKE`` baseline; warm-up once, then per-query medians;
   EXPLAIN ANALYZE of the provider's SQL for the slowest queries;
3. ``package_create`` through the action layer with the index on vs CKAN's ``NoopSearchIndex``;
4. ``ckan search-index rebuild`` (subprocess) of 16,370 real datasets.

Prints a table per N with PASS/FAIL against the issue's targets, writes ``bench/out/search-*.json``.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional

import sqlalchemy as sa

from . import catalog_db, corpus, env, queries

OUT = Path(__file__).resolve().parent / "out"
REBUILD_N = 16_370
TARGETS = {
    "p50_ms_large": 25.0, "p95_ms_large": 250.0, "max_ms_large": 500.0, "p95_ms_small": 30.0,
    "speedup_p50": 30.0, "rebuild_s": 120.0, "create_ratio": 1.3,
}
LARGE_N = 200_000
SMALL_N = 16_370


def log(message: str) -> None:
    print(f"[{dt.datetime.now(dt.timezone.utc):%H:%M:%S}] {message}", flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(ms: list[float]) -> dict[str, float]:
    return {"p50": percentile(ms, 0.5), "p95": percentile(ms, 0.95), "max": max(ms),
            "mean": statistics.fmean(ms)}


def timed(fn: Callable[[], Any], repeat: int, slow_ms: float = 1000.0) -> tuple[float, Any]:
    """Median milliseconds of ``repeat`` calls after one warm-up call, and the last result.

    A query whose warm-up takes over ``slow_ms`` is timed once more only (keeps a 200k run
    bounded). A call that raises is timed up to the error; the result is then the exception.
    """
    def once() -> tuple[float, Any]:
        t0 = time.perf_counter()
        try:
            result = fn()
        except Exception as e:  # a search error (e.g. the statement timeout) is a result here
            result = e
        return (time.perf_counter() - t0) * 1000, result

    warm_ms, result = once()
    times = []
    for _ in range(1 if warm_ms > slow_ms else repeat):
        ms, result = once()
        times.append(ms)
    return statistics.median(times), result


class CpuClock:
    """CPU seconds this process and the private PostgreSQL's backends have used: unlike wall
    time, hardly affected by other work on a shared machine. Without a private server (the
    bench was pointed at another one) only wall times are reported."""

    def __init__(self, bench: env.BenchEnv) -> None:
        pg = bench.services.postgres
        self.postmaster = pg.running_pid() if pg else None
        self.tick = os.sysconf("SC_CLK_TCK")

    def _server(self) -> float:
        total = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == self.postmaster:
                total += int(stat[11]) + int(stat[12])
        return total / self.tick

    def spent(self) -> Optional[float]:
        """CPU seconds so far (client + server), or None without a private server."""
        if self.postmaster is None:
            return None
        return time.process_time() + self._server()

    def ms_per_call(self, fn: Callable[[], Any], repeat: int) -> Optional[float]:
        """Client + server CPU milliseconds per call (after the caller's warm-up)."""
        if self.postmaster is None:
            return None
        c0, s0 = time.process_time(), self._server()
        for _ in range(repeat):
            try:
                fn()
            except Exception:
                pass
        return ((time.process_time() - c0) + (self._server() - s0)) * 1000 / repeat


# -- phase 1: indexing ------------------------------------------------------------------------

def grow_index(engine: sa.Engine, start: int, stop: int, batch: int) -> dict[str, float]:
    """Index datasets ``start..stop`` and copy them to the naive table; seconds per part."""
    from ckanext.govcat.search import bridge

    conn = bridge.make_connection()
    gen_s = index_s = naive_s = 0.0
    for lo in range(start, stop, batch):
        t0 = time.perf_counter()
        docs = [corpus.index_document(ds, env.SITE_ID)
                for ds in corpus.datasets(lo, min(lo + batch, stop))]
        t1 = time.perf_counter()
        conn.add(docs, commit=False)
        conn.commit()
        t2 = time.perf_counter()
        with engine.begin() as c:
            queries.insert_naive(c, queries.naive_rows(docs))
        t3 = time.perf_counter()
        gen_s += t1 - t0
        index_s += t2 - t1
        naive_s += t3 - t2
        if (lo - start) // batch % 20 == 19:
            log(f"  indexed {min(lo + batch, stop):,} ({(lo + batch - start) / index_s:,.0f} docs/s)")
    t0 = time.perf_counter()
    with engine.connect() as c:
        c = c.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("govcat_search_doc", "govcat_search_term", "govcat_search_facet_count",
                      queries.NAIVE_TABLE):
            c.execute(sa.text(f"VACUUM ANALYZE {table}"))
    vacuum_s = time.perf_counter() - t0
    n = stop - start
    return {"docs": n, "generate_s": gen_s, "index_s": index_s, "naive_insert_s": naive_s,
            "vacuum_analyze_s": vacuum_s, "docs_per_s": n / index_s if index_s else 0.0}


# -- phase 2: queries -------------------------------------------------------------------------

class SqlRecorder:
    """Collects the statements the provider sends on ``engine`` while ``on``."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.on = False
        self.statements: list[tuple[str, Any]] = []
        sa.event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
        # The statement as SQLAlchemy wrote it: a prepared one is sent as EXECUTE.
        written = context.statement if context is not None else statement
        if self.on and written.lstrip().upper().startswith(("SELECT", "WITH")) \
                and "set_config" not in written:
            self.statements.append((cursor.mogrify(written, parameters).decode(), None))


def explain(engine: sa.Engine, sql: str) -> str:
    with engine.connect() as c:
        rows = c.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql.replace("%", "%%")).all()
    return "\n".join(r[0] for r in rows)


def run_mix(bench: env.BenchEnv, engine: sa.Engine, mix: list[queries.Query], repeat: int,
            naive_repeat: int, explain_top: int) -> dict[str, Any]:
    import ckan.logic as logic
    from ckanext.govcat.search import bridge

    conn = bridge.make_connection()
    package_search = logic.get_action("package_search")
    clock = CpuClock(bench)
    per_query: list[dict[str, Any]] = []
    with bench.app._wsgi_app.test_request_context():
        for query in mix:
            sent: dict[str, Any] = {}
            original = conn.search

            def spy(q: Any = None, **params: Any) -> Any:
                sent.update(copy.deepcopy(dict(params, q=q)))
                return original(q, **params)

            def action() -> dict[str, Any]:
                context = {"user": "", "auth_user_obj": None}
                return package_search(context, query.package_search())

            conn.search = spy  # type: ignore[method-assign]
            try:
                action()
            except Exception:
                pass
            finally:
                del conn.search
            action_ms, result = timed(action, repeat)
            cpu_ms = clock.ms_per_call(action, max(repeat, 5))
            raw_params = {k: v for k, v in sent.items() if k != "q"}
            raw_q = sent.get("q")
            raw_ms, raw = timed(lambda: conn.search(raw_q, **raw_params), repeat)
            with engine.connect() as c:
                naive_ms, naive_hits = timed(lambda: queries.run_naive(c, query), naive_repeat)
            entry: dict[str, Any] = {
                "query": query.describe(), "q": query.q, "fq": query.fq,
                "action_ms": action_ms, "raw_ms": raw_ms, "naive_ms": naive_ms, "cpu_ms": cpu_ms,
                "naive_hits": naive_hits, "solr_params": sent,
            }
            if isinstance(result, Exception):
                entry.update(hits=-1, error=f"{type(result).__name__}: {result}")
                log(f"  ERROR {query.describe()}: {entry['error'][:300]}")
            else:
                entry.update(hits=result["count"], results=len(result["results"]),
                             facets={k: len(v["items"])
                                     for k, v in result["search_facets"].items()})
            entry["raw_hits"] = -1 if isinstance(raw, Exception) else raw.hits
            per_query.append(entry)
    out: dict[str, Any] = {"queries": per_query}
    for key in ("action_ms", "raw_ms", "naive_ms"):
        out[key] = summary([p[key] for p in per_query])
    if all(p["cpu_ms"] is not None for p in per_query):
        out["cpu_ms"] = summary([p["cpu_ms"] for p in per_query])
    slowest = sorted(per_query, key=lambda p: -p["action_ms"])[:explain_top]
    recorder = SqlRecorder(conn.read_engine)
    explains = []
    for p in slowest:
        recorder.statements.clear()
        recorder.on = True
        try:
            conn.search(p["solr_params"].get("q"), **{k: v for k, v in p["solr_params"].items()
                                                      if k != "q"})
        except Exception as e:
            log(f"  (the search for EXPLAIN failed: {e})")
        finally:
            recorder.on = False
        explains.append({"query": p["query"], "action_ms": p["action_ms"],
                         "plans": [{"sql": sql, "plan": explain(conn.read_engine, sql)}
                                   for sql, _ in recorder.statements]})
    sa.event.remove(conn.read_engine, "before_cursor_execute", recorder._record)
    out["explain"] = explains
    return out


# -- phase 3: package_create overhead ---------------------------------------------------------

def create_overhead(bench: env.BenchEnv, admin: str, per_mode: int, block: int = 20) -> dict[str, Any]:
    """Mean ms of ``package_create`` with the govcat index vs CKAN's no-op index, interleaved in
    blocks so both modes see the same machine load."""
    import ckan.lib.search as search
    import ckan.logic as logic
    from ckan.lib.search.index import NoopSearchIndex

    create = logic.get_action("package_create")
    govcat_index = search._INDICES["package"]
    times: dict[str, list[float]] = {"govcat": [], "noop": []}
    cpu = {"govcat": 0.0, "noop": 0.0}
    clock = CpuClock(bench)
    counter = iter(range(10**9))

    def one(mode: str) -> float:
        k = next(counter)
        ds = corpus.dataset(10_000_000 + k)
        data = {"name": f"bench-create-{mode}-{k:06d}", "title": ds.pkg["title"],
                "notes": ds.pkg["notes"], "owner_org": ds.pkg["organization"]["name"],
                "tags": [{"name": t["name"]} for t in ds.pkg["tags"]],
                "resources": [{"name": r["name"], "url": r["url"], "format": r["format"],
                               "description": r["description"]} for r in ds.pkg["resources"]],
                "extras": [{"key": k2, "value": v} for k2, v in ds.catalog.items()]}
        t0 = time.perf_counter()
        create({"user": admin}, data)
        return (time.perf_counter() - t0) * 1000

    with bench.app._wsgi_app.test_request_context():
        try:
            for mode in ("govcat", "noop"):  # warm-up
                search._INDICES["package"] = govcat_index if mode == "govcat" else NoopSearchIndex
                for _ in range(3):
                    one(mode)
            for _ in range(0, per_mode, block):
                for mode in ("noop", "govcat"):
                    search._INDICES["package"] = (govcat_index if mode == "govcat"
                                                  else NoopSearchIndex)
                    before = clock.spent()
                    times[mode].extend(one(mode) for _ in range(block))
                    if before is not None:
                        cpu[mode] += clock.spent() - before
        finally:
            search._INDICES["package"] = govcat_index
    out = {mode: {"mean_ms": statistics.fmean(t), "median_ms": statistics.median(t), "n": len(t),
                  "cpu_ms": cpu[mode] * 1000 / len(t)}
           for mode, t in times.items()}
    out["ratio_mean"] = out["govcat"]["mean_ms"] / out["noop"]["mean_ms"]
    out["ratio_median"] = out["govcat"]["median_ms"] / out["noop"]["median_ms"]
    out["ratio_cpu"] = (out["govcat"]["cpu_ms"] / out["noop"]["cpu_ms"]
                        if clock.postmaster else None)
    return out


# -- phase 4: ckan search-index rebuild -------------------------------------------------------

def rebuild(bench: env.BenchEnv, n: int) -> dict[str, Any]:
    from ckan import model
    from ckanext.govcat.search import bridge

    existing = model.Session.query(model.Package).filter_by(state="active").count()
    t0 = time.perf_counter()
    inserted = catalog_db.bulk_datasets(0, max(n - existing, 0), corpus.SEED + 1)
    insert_s = time.perf_counter() - t0
    bridge.GovcatPackageSearchIndex().clear()
    ckan_cli = Path(sys.executable).with_name("ckan")
    t0 = time.perf_counter()
    done = subprocess.run([str(ckan_cli), "-c", str(bench.ini), "search-index", "rebuild", "-q"],
                          capture_output=True, text=True, env=dict(os.environ))
    rebuild_s = time.perf_counter() - t0
    how = "ckan search-index rebuild (subprocess)"
    if done.returncode != 0:
        # The CLI could not run: time what its rebuild command does, in this process.
        from ckan.lib import search

        log(f"  the ckan CLI failed (exit {done.returncode}); rebuilding in-process instead")
        t0 = time.perf_counter()
        search.rebuild(defer_commit=True, quiet=True)
        search.commit()
        rebuild_s = time.perf_counter() - t0
        how = "ckan.lib.search.rebuild(defer_commit=True) + commit() in-process (CLI failed)"
    indexed = index_count()
    return {"datasets": existing + inserted, "bulk_insert_s": insert_s, "rebuild_s": rebuild_s,
            "how": how, "indexed": indexed, "cli_returncode": done.returncode,
            "cli_stderr_tail": done.stderr[-1500:], "datasets_per_s": indexed / rebuild_s}


def index_count() -> int:
    from ckanext.govcat.search import bridge

    with bridge.make_connection().read_engine.connect() as c:
        return int(c.execute(sa.text("SELECT count(*) FROM govcat_search_doc")).scalar_one())


def table_stats(engine: sa.Engine) -> dict[str, Any]:
    """Sizes of the index table and the average stored size of its wide columns."""
    with engine.connect() as c:
        sizes = c.execute(sa.text(
            "SELECT pg_relation_size('govcat_search_doc') AS heap, "
            "pg_total_relation_size('govcat_search_doc') AS total, "
            "pg_indexes_size('govcat_search_doc') AS indexes, "
            "pg_relation_size(CAST('bench_naive' AS regclass)) AS naive_heap")).mappings().one()
        columns = c.execute(sa.text(
            "SELECT avg(pg_column_size(doc)) AS doc, avg(pg_column_size(tsv)) AS tsv, "
            "avg(pg_column_size(data_dict)) AS data_dict, "
            "avg(pg_column_size(validated_data_dict)) AS validated_data_dict, "
            "avg(length(tsv)) AS lexemes FROM (SELECT * FROM govcat_search_doc LIMIT 2000) s"
        )).mappings().one()
    return {**{k: int(v) for k, v in sizes.items()},
            **{f"avg_{k}": float(v or 0) for k, v in columns.items()}}


# -- report -----------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(n: int, build: dict[str, float], mix: dict[str, Any]) -> str:
    a, r, b = mix["action_ms"], mix["raw_ms"], mix["naive_ms"]
    cpu = mix.get("cpu_ms")
    speedup, provider = b["p50"] / a["p50"], b["p50"] / r["p50"]
    rows: list[tuple[str, str, str, str, str, str, str]] = []
    large, small = n >= LARGE_N, n == SMALL_N
    for key in ("p50", "p95", "max", "mean"):
        target, result = "", ""
        if large and key in ("p50", "p95", "max"):
            limit = TARGETS[f"{key}_ms_large"]
            target, result = f"<= {limit:g}", verdict(a[key] <= limit)
        elif small and key == "p95":
            limit = TARGETS["p95_ms_small"]
            target, result = f"<= {limit:g}", verdict(a[key] <= limit)
        rows.append((f"{key} ms", f"{a[key]:.1f}", f"{cpu[key]:.1f}" if cpu else "n/a",
                     f"{r[key]:.1f}", f"{b[key]:.1f}", target, result))
    # The speed-up target is read at N = 200,000 (at 16,370 the naive scan takes ~45 ms: 30x
    # would leave 1.5 ms for a search), on the provider's search(): the naive baseline is one
    # SQL statement, and the issue puts only package_create "through the action layer". The
    # speed-up through package_search is printed beside it (CKAN's own code adds 1.5-3 ms).
    rows.append(("speedup at p50 (naive/column)", f"{speedup:.1f}x", "", f"{provider:.1f}x",
                 "1x", f">= {TARGETS['speedup_p50']:g}x" if large else "",
                 verdict(provider >= TARGETS["speedup_p50"]) + " (raw conn)" if large else ""))
    errors = sum(1 for p in mix["queries"] if "error" in p)
    if errors:
        rows.append(("queries that failed", str(errors), "", "", "", "0", verdict(False)))
    lines = [f"N = {n:,}   index build {build['docs_per_s']:,.0f} docs/s "
             f"({build['docs']:,} docs in {build['index_s']:.1f}s; VACUUM ANALYZE "
             f"{build['vacuum_analyze_s']:.1f}s)   queries: {len(mix['queries'])}",
             f"{'':32}{'action':>10}{'cpu':>10}{'raw conn':>10}{'naive':>10}  {'target':<10}result",
             ]
    for name, x, c, y, z, target, result in rows:
        lines.append(f"{name:32}{x:>10}{c:>10}{y:>10}{z:>10}  {target:<10}{result}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=f"{SMALL_N},{LARGE_N}",
                        help="comma-separated N, ascending (default %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: N=2000, 20 creates, rebuild of 2000")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query")
    parser.add_argument("--naive-repeat", type=int, default=2, help="timed runs per naive query")
    parser.add_argument("--creates", type=int, default=200, help="package_create calls per mode")
    parser.add_argument("--rebuild-n", type=int, default=REBUILD_N)
    parser.add_argument("--batch", type=int, default=1000, help="documents per index batch")
    parser.add_argument("--explain", type=int, default=3, help="EXPLAIN ANALYZE the N slowest")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="services' data directory (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary data directory (default: removed at the end)")
    parser.add_argument("--skip-create", action="store_true")
    parser.add_argument("--skip-rebuild", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.creates, args.rebuild_n, args.repeat = "2000", 20, 2000, 3
    sizes = sorted(int(s) for s in args.sizes.split(","))
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="govcat-bench-"))
    OUT.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    results: dict[str, Any] = {"started": stamp, "sizes": sizes, "targets": TARGETS,
                               "machine": {"cpus": os.cpu_count(),
                                           "loadavg_start": os.getloadavg()},
                               "phases": {}, "sizes_results": {}}
    log(f"services and CKAN under {data_dir}")
    t0 = time.perf_counter()
    bench = env.start(data_dir)
    results["phases"]["start_s"] = time.perf_counter() - t0
    tables: list[str] = []
    try:
        from ckan import model
        from ckanext.govcat.search import bridge

        with model.meta.engine.connect() as c:
            results["machine"]["shared_buffers"] = c.execute(sa.text("SHOW shared_buffers")).scalar()
        admin = catalog_db.ensure_organizations_and_admin()
        bridge.GovcatPackageSearchIndex().clear()
        engine = model.meta.engine
        with engine.begin() as c:
            queries.create_naive_table(c)
        mix = queries.query_mix()
        log(f"query mix: {len(mix)} queries, {sum(1 for q in mix if q.filters)} with filters")
        indexed = 0
        for n in sizes:
            log(f"N = {n:,}: indexing {n - indexed:,} more datasets")
            build = grow_index(engine, indexed, n, args.batch)
            indexed = n
            log(f"  {build['docs_per_s']:,.0f} docs/s; running the query mix")
            t0 = time.perf_counter()
            mixed = run_mix(bench, engine, mix, args.repeat, args.naive_repeat, args.explain)
            mix_s = time.perf_counter() - t0
            results["sizes_results"][str(n)] = {"build": build, "mix_s": mix_s,
                                                "table": table_stats(engine), **mixed}
            tables.append(table(n, build, mixed))
            print("\n" + tables[-1] + "\n", flush=True)
        if not args.skip_create:
            log(f"package_create x {args.creates} per mode (index holds {indexed:,} datasets)")
            t0 = time.perf_counter()
            results["create"] = create_overhead(bench, admin, args.creates)
            results["phases"]["create_s"] = time.perf_counter() - t0
        if not args.skip_rebuild:
            log(f"ckan search-index rebuild of {args.rebuild_n:,} real datasets")
            results["rebuild"] = rebuild(bench, args.rebuild_n)
    finally:
        results["machine"]["loadavg_end"] = os.getloadavg()
        path = OUT / f"search-{stamp}.json"
        path.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), "utf-8")
        bench.stop()
        if args.data_dir is None and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    print_report(results, tables)
    log(f"results: {path}")
    return 0


def print_report(results: dict[str, Any], tables: list[str]) -> None:
    print("\n" + "=" * 100)
    print("GovCat search benchmark (issue #2). Milliseconds are medians of each query's timed runs;"
          "\np50/p95/max are over the query mix. 'action' = package_search through CKAN's action "
          "layer\n(anonymous user), 'raw conn' = the provider connection's search() with the same "
          "parameters,\n'naive' = ILIKE '%word%' over title and description with no index. 'cpu' = CPU "
          "milliseconds per action call,\nthis process plus PostgreSQL's backends (what the call "
          "costs on an idle machine, whatever the load).\nLatency targets are checked on 'action' "
          "(the stricter column); the speed-up target on 'raw conn',\nthe provider's search "
          "against the naive statement (the issue puts only package_create through the action "
          "layer).")
    print(f"machine: {results['machine']}")
    for text in tables:
        print("\n" + text)
    create = results.get("create")
    if create:
        # The verdict needs the median wall-time ratio and, where measured, the CPU ratio (the
        # mean of wall times follows whatever else the shared machine is doing).
        ratios = [create["ratio_median"]] + ([create["ratio_cpu"]] if create["ratio_cpu"] else [])
        ok = max(ratios) <= TARGETS["create_ratio"]
        cpu_text = (f", CPU {create['govcat']['cpu_ms']:.1f} vs {create['noop']['cpu_ms']:.1f} ms "
                    f"= {create['ratio_cpu']:.2f}" if create["ratio_cpu"] else "")
        print(f"\npackage_create (action layer, {create['govcat']['n']} per mode): govcat index "
              f"{create['govcat']['mean_ms']:.1f} ms mean / {create['govcat']['median_ms']:.1f} "
              f"median; no-op index {create['noop']['mean_ms']:.1f} / "
              f"{create['noop']['median_ms']:.1f}; ratio {create['ratio_mean']:.2f} (mean), "
              f"{create['ratio_median']:.2f} (median){cpu_text}   target <= "
              f"{TARGETS['create_ratio']}  {verdict(ok)}")
    rb = results.get("rebuild")
    if rb:
        ok = rb["rebuild_s"] < TARGETS["rebuild_s"] and rb["indexed"] == rb["datasets"]
        print(f"search-index rebuild: {rb['datasets']:,} datasets in {rb['rebuild_s']:.1f}s "
              f"({rb['datasets_per_s']:,.0f}/s), {rb['indexed']:,} indexed   "
              f"target < {TARGETS['rebuild_s']:g}s  {verdict(ok)}\n  how: {rb['how']}"
              + (f"\n  CLI stderr (tail): {rb['cli_stderr_tail'][-400:]}"
                 if rb["cli_returncode"] else ""))
    for n, res in results["sizes_results"].items():
        for item in res["explain"]:
            print(f"\nN = {int(n):,}: EXPLAIN (ANALYZE, BUFFERS) of {item['query']} "
                  f"({item['action_ms']:.1f} ms through the action)")
            for plan in item["plans"]:
                print("  SQL: " + plan["sql"][:600] + ("…" if len(plan["sql"]) > 600 else ""))
                print("    " + plan["plan"].replace("\n", "\n    "))
    for n, res in results["sizes_results"].items():
        print(f"\nN = {int(n):,}: slowest queries (action ms / raw ms / naive ms / hits / naive hits)")
        for p in sorted(res["queries"], key=lambda p: -p["action_ms"])[:8]:
            print(f"  {p['action_ms']:8.1f} {p['raw_ms']:8.1f} {p['naive_ms']:8.1f} "
                  f"{p['hits']:>8} {p['naive_hits']:>8}  {p['query']}")
        print(f"  index table: {res['table']}")
        phases = res["build"]
        print(f"  phases: generate {phases['generate_s']:.1f}s, index {phases['index_s']:.1f}s, "
              f"naive insert {phases['naive_insert_s']:.1f}s, VACUUM ANALYZE "
              f"{phases['vacuum_analyze_s']:.1f}s, query mix {res['mix_s']:.1f}s")


if __name__ == "__main__":
    sys.exit(main())
