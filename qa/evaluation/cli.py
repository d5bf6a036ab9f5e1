"""``qa eval``: score the assistant on a gold split, or on a public benchmark.

    qa eval gold [--split dev|holdout2|…|PATH] [--index DIR] [--baseline RESULTS.json] [--out DIR] [--gate]
    qa eval pooled SPLIT [SPLIT ...] [--index DIR] [--out DIR]
    qa eval public {cmrc2018,drcd} [--limit N] [--seed 0] [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from qa.config import load_settings
from qa.evaluation.common import REPORTS_DIR, THRESHOLDS, write_outputs
from qa.evaluation.public import BENCHMARKS, DEFAULT_DATA_DIR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="target", required=True)

    g = sub.add_parser("gold", help="the project's gold questions over the seed library")
    g.add_argument("--split", default="dev", help="a split of eval/gold by name (dev, test, holdout, holdout2, holdout3 …) or a path to a gold JSONL file "
                   "(default: dev)")
    g.add_argument("--index", type=Path, default=None, help="index folder (default: $QA_INDEX_DIR or index/)")
    g.add_argument("--baseline", type=Path, default=None, help="a previous gold-<split>.json to compare with")
    g.add_argument("--out", type=Path, default=REPORTS_DIR, help="report folder (default: eval/reports)")
    g.add_argument("--gate", action="store_true", help="exit 1 when a figure falls below eval/thresholds.toml")
    g.add_argument("--thresholds", type=Path, default=THRESHOLDS, help=argparse.SUPPRESS)

    o = sub.add_parser("pooled", help="several gold splits scored together (how rules are kept or dropped)")
    o.add_argument("splits", nargs="+", help="split names (dev test holdout holdout2 …) or gold JSONL paths")
    o.add_argument("--index", type=Path, default=None, help="index folder (default: $QA_INDEX_DIR or index/)")
    o.add_argument("--out", type=Path, default=None, help="also write pooled.json there")

    p = sub.add_parser("public", help="a public reading-comprehension benchmark (not run in CI)")
    p.add_argument("name", choices=BENCHMARKS)
    p.add_argument("--limit", type=int, default=None, help="ask a random sample of N questions (default: all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sample (default: 0)")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="default: ../shared/data beside the repo")
    p.add_argument("--out", type=Path, default=REPORTS_DIR, help="report folder (default: eval/reports)")
    p.add_argument("--rebuild", action="store_true", help="rebuild the cached benchmark index")
    return parser


def _gold(args: argparse.Namespace) -> int:
    from qa.evaluation.gate import check_gate, load_thresholds
    from qa.evaluation.report import render_gold
    from qa.evaluation.runner import compare, load_assistant, run_gold, split_name

    settings = load_settings().with_overrides(index_dir=args.index)
    baseline = json.loads(args.baseline.read_text(encoding="utf-8")) if args.baseline else None
    thresholds = load_thresholds(args.thresholds) if args.gate else None
    results = run_gold(load_assistant(settings), args.split)
    if baseline is not None:
        results["comparison"] = compare(baseline, results)
    if thresholds is not None:
        results["gate"] = check_gate(results["overall"], thresholds)
    paths = write_outputs(args.out, f"gold-{split_name(args.split)}", results, render_gold(results))
    _print_overall(results)
    print("wrote " + ", ".join(map(str, paths)))
    if thresholds is not None:
        for line in results["gate"]["failures"]:
            print(f"gate: {line}", file=sys.stderr)
        print("gate: " + ("passed" if results["gate"]["passed"] else "FAILED"), file=sys.stderr)
        return 0 if results["gate"]["passed"] else 1
    return 0


def _print_overall(results: dict) -> None:
    o = results["overall"]
    print(f"{results['meta']['split']}: {o['n']} questions; recall@5 {o['recall@5']:.3f}, MRR {o['mrr']:.3f}, "
          f"answer evidence recall {o['answer_evidence_recall']:.3f}, abstention F1 {o['abstain_f1']:.3f}, "
          f"groundedness {o['groundedness']:.3f}, p50 {o['latency_p50_ms']:.0f} ms")


def _pooled(args: argparse.Namespace) -> int:
    from qa.evaluation.gold import gold_path
    from qa.evaluation.pooled import render_line, run_pooled
    from qa.evaluation.runner import load_assistant

    missing = [s for s in args.splits if not gold_path(s).exists()]
    if missing:
        print(f"error: no gold split {', '.join(missing)} (names of eval/gold/*.jsonl, or paths)", file=sys.stderr)
        return 2
    results = run_pooled(load_assistant(load_settings().with_overrides(index_dir=args.index)), args.splits)
    for name, counts in results["splits"].items():
        print(render_line(name, counts))
    print(render_line("total", results["total"]))
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "pooled.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out / 'pooled.json'}")
    return 0


def _public(args: argparse.Namespace) -> int:
    from qa.evaluation.public import run_public
    from qa.evaluation.public_report import render_public

    data = args.data_dir / args.name
    if not (data / "dev.jsonl").exists():
        print(f"error: no benchmark data in {data} (expected dev.jsonl and dev.contexts.jsonl)", file=sys.stderr)
        return 2
    results = run_public(args.name, load_settings(), args.data_dir, args.limit, args.seed, rebuild=args.rebuild)
    paths = write_outputs(args.out, f"public-{args.name}", results, render_public(results))
    s = results["summary"]
    fusion = results["meta"]["fusion"]
    print(f"{args.name}: {s['questions']} questions; passage recall@5 {s['retrieval'][fusion]['recall@5']:.3f} "
          f"(BM25 {s['retrieval']['lexical']['recall@5']:.3f}, dense {s['retrieval']['dense']['recall@5']:.3f}); "
          f"answers containing a reference {s['answer_contains_reference']:.3f}")
    print("wrote " + ", ".join(map(str, paths)))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``qa eval`` and ``eval/run.py``; returns the exit status."""
    args = build_parser().parse_args(argv)
    return {"gold": _gold, "pooled": _pooled, "public": _public}[args.target](args)


if __name__ == "__main__":
    sys.exit(main())
