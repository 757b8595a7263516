"""rjieba (what ``govcat_search`` uses) vs jieba on the synthetic catalog's titles and abstracts.

``python -m bench.segmenter [--datasets 20000] [--text FILE ...]`` (``--text``: more corpora,
e.g. the Chinese seed documents). Both segmenters get GovCat's user dictionary
(``schemas/search/userdict.txt``) and segment the same Chinese runs that ``search.text`` hands
its segmenter: precise mode with HMM (query time) and search mode (index time, where only words
of three or more characters become lexemes). Reports load time, throughput and agreement:
identical segmentations, and span-level precision/recall/F1 of jieba against rjieba.
Writes ``bench/out/segmenter-*.json``.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from ckanext.govcat.search import text

from . import corpus
from .search import OUT

Span = tuple[str, int, int]


def cjk_runs(texts: Iterable[str]) -> list[str]:
    """The Chinese runs of ``texts`` as ``search.text`` finds them (after normalisation)."""
    runs = []
    for t in texts:
        runs.extend(m.group() for m in text._TOKEN_RE.finditer(text.normalize(t))
                    if text.is_cjk(m.group()))
    return runs


def precise_spans(words: list[str]) -> set[Span]:
    spans, pos = set(), 0
    for w in words:
        spans.add((w, pos, pos + len(w)))
        pos += len(w)
    return spans


def agreement(ours: list[set[Span]], theirs: list[set[Span]]) -> dict[str, float]:
    same = sum(1 for a, b in zip(ours, theirs) if a == b)
    common = sum(len(a & b) for a, b in zip(ours, theirs))
    n_ours = sum(len(a) for a in ours)
    n_theirs = sum(len(b) for b in theirs)
    precision = common / n_theirs if n_theirs else 1.0
    recall = common / n_ours if n_ours else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"identical_runs": same / len(ours), "precision": precision, "recall": recall,
            "f1": f1, "spans_rjieba": n_ours, "spans_jieba": n_theirs}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def differences(runs: list[str], ours: list[list[str]], theirs: list[list[str]],
                top: int = 12) -> list[dict[str, Any]]:
    counter: collections.Counter[tuple[str, str, str]] = collections.Counter()
    for run, a, b in zip(runs, ours, theirs):
        if a != b:
            counter[(run, "/".join(a), "/".join(b))] += 1
    return [{"run": r, "rjieba": a, "jieba": b, "count": n}
            for (r, a, b), n in counter.most_common(top)]


def compare(rj: Any, jb: Any, runs: list[str]) -> dict[str, Any]:
    """Speed and agreement of rjieba (``rj``) and jieba (``jb``) on the Chinese ``runs``."""
    chars = sum(len(r) for r in runs)
    precise_rj_s, precise_rj = timed(lambda: [rj.cut(r, True) for r in runs])
    precise_jb_s, precise_jb = timed(lambda: [jb.lcut(r, HMM=True) for r in runs])
    search_rj_s, search_rj = timed(lambda: [rj.tokenize(r, "search", True) for r in runs])
    search_jb_s, search_jb = timed(
        lambda: [list(jb.tokenize(r, mode="search", HMM=True)) for r in runs])

    def long_words(spans: list[Any]) -> set[Span]:
        """What the index keeps of a search-mode segmentation: words of 3+ characters."""
        return {(w, s, e) for w, s, e in spans if len(w) > 2}

    return {
        "runs": len(runs), "characters": chars,
        "precise": {
            "rjieba_chars_per_s": chars / precise_rj_s, "jieba_chars_per_s": chars / precise_jb_s,
            "speedup": precise_jb_s / precise_rj_s,
            **agreement([precise_spans(a) for a in precise_rj],
                        [precise_spans(b) for b in precise_jb]),
            "differences": differences(runs, precise_rj, precise_jb),
        },
        "search": {
            "rjieba_chars_per_s": chars / search_rj_s, "jieba_chars_per_s": chars / search_jb_s,
            "speedup": search_jb_s / search_rj_s,
            **agreement([set(a) for a in search_rj], [set(b) for b in search_jb]),
            "indexed_words": agreement([long_words(a) for a in search_rj],
                                       [long_words(b) for b in search_jb]),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.segmenter", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=20_000,
                        help="datasets whose titles and abstracts are segmented")
    parser.add_argument("--text", type=Path, nargs="*", default=[],
                        help="more UTF-8 text files to compare on (e.g. the seed documents)")
    args = parser.parse_args(argv)
    try:
        import jieba
    except ImportError:
        print("jieba is not installed: pip install -r bench/requirements.txt", file=sys.stderr)
        return 2
    jieba.setLogLevel(logging.WARNING)

    words = text.user_dictionary()
    text.segmenter.cache_clear()
    load_rjieba, rj = timed(text.segmenter)

    def load_jieba() -> Any:
        seg = jieba.Tokenizer()
        seg.initialize()
        for w in words:
            seg.add_word(w)
        return seg

    load_jieba_s, jb = timed(load_jieba)
    results: dict[str, Any] = {
        "user_dictionary_words": len(words),
        "load_s": {"rjieba": load_rjieba, "jieba": load_jieba_s},
        "corpora": {f"synthetic catalog ({args.datasets:,} datasets)":
                    compare(rj, jb, cjk_runs(corpus.texts(args.datasets)))},
    }
    for path in args.text:
        results["corpora"][path.name] = compare(rj, jb, cjk_runs(
            path.read_text("utf-8").splitlines()))
    print_report(results)
    OUT.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = OUT / f"segmenter-{stamp}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    print(f"results: {path}")
    return 0


def print_report(r: dict[str, Any]) -> None:
    print(f"Segmenter comparison, rjieba (used) vs jieba; {r['user_dictionary_words']} "
          "user-dictionary words loaded into both.")
    print(f"dictionary load: rjieba {r['load_s']['rjieba'] * 1000:.0f} ms, "
          f"jieba {r['load_s']['jieba'] * 1000:.0f} ms")
    for name, c in r["corpora"].items():
        print(f"\n{name}: {c['runs']:,} Chinese runs, {c['characters']:,} characters")
        print(f"{'mode':<28}{'rjieba chars/s':>16}{'jieba chars/s':>16}{'rjieba faster':>15}"
              f"{'identical':>11}{'span F1':>9}")
        for mode, label in (("precise", "precise+HMM (query)"),
                            ("search", "search mode (index)")):
            m = c[mode]
            print(f"{label:<28}{m['rjieba_chars_per_s']:>16,.0f}{m['jieba_chars_per_s']:>16,.0f}"
                  f"{m['speedup']:>14.1f}x{m['identical_runs']:>10.1%}{m['f1']:>9.4f}")
        iw = c["search"]["indexed_words"]
        print(f"{'  indexed words (3+ chars)':<28}{'':>47}{iw['identical_runs']:>10.1%}"
              f"{iw['f1']:>9.4f}")
        for d in c["precise"]["differences"]:
            print(f"  differs: {d['run']}: rjieba {d['rjieba']} | jieba {d['jieba']}  "
                  f"(x{d['count']})")


if __name__ == "__main__":
    sys.exit(main())
