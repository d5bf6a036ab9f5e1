"""``qa``: build the index, ask questions, list documents, serve, evaluate."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from qa.config import load_settings


def _cmd_build(args: argparse.Namespace) -> int:
    from qa.index.builder import build_index

    settings = load_settings().with_overrides(index_dir=args.index)
    build_index(settings, [Path(p) for p in args.folders] or None, force=args.force)
    return 0


def _print_answer(answer) -> None:
    if answer.abstained:
        print(answer.answer)
        print(f"\n({answer.reason})")
        if answer.passages:
            print("\n你可能想读 / you may want to read:")
            for p in answer.passages[:3]:
                print(f"  - {p.title} · {p.section or ''} [{p.start}:{p.end}] {p.text[:60]}…")
        return
    for s in answer.sentences:
        print(f"{s.text}[{s.citation}]")
    print()
    for c in answer.citations:
        where = f"{c.section} · " if c.section else ""
        print(f"[{c.id}] {c.title} · {where}{c.doc_id} [{c.start}:{c.end}]")
    print(f"\n({answer.timing_ms.total:.0f} ms)")


def _cmd_ask(args: argparse.Namespace) -> int:
    from qa.assistant import Assistant, QuestionError
    from qa.index.builder import ensure_index

    settings = load_settings().with_overrides(index_dir=args.index)
    t0 = time.perf_counter()
    ensure_index(settings)
    assistant = Assistant.load(settings=settings)
    startup = time.perf_counter() - t0
    questions = args.question or [line.strip() for line in sys.stdin if line.strip()]
    for question in questions:
        try:
            answer = assistant.ask(question, top_k=args.top_k, history=args.history)
        except QuestionError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=None if len(questions) > 1 else 2))
        else:
            _print_answer(answer)
    print(f"(start-up {startup:.1f} s)", file=sys.stderr)
    return 0


def _cmd_docs(args: argparse.Namespace) -> int:
    from qa.index.store import load_store

    settings = load_settings().with_overrides(index_dir=args.index)
    store = load_store(Path(settings.index_dir))
    if args.doc_id:
        doc = next((d for d in store.documents if d.doc_id == args.doc_id), None)
        if doc is None:
            print(f"error: no document {args.doc_id!r}; `qa docs` lists them", file=sys.stderr)
            return 2
        print(doc.text)
        return 0
    for d in store.documents:
        m = d.metadata()
        print(f"{m['doc_id']:<24} {m['script']:<11} {m['chars']:>6} chars  {m['title']}"
              + (f" — {m['author']}" if m["author"] else "") + (f" ({m['venue']}, {m['date']})" if m["venue"] else ""))
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from qa.api.server import run_server

    settings = load_settings().with_overrides(index_dir=args.index, host=args.host, port=args.port)
    run_server(settings, build_if_missing=not args.no_build)
    return 0


def _cmd_keys(args: argparse.Namespace) -> int:
    from qa.api.auth import generate_key

    print(generate_key())
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from qa.evaluation.cli import main as eval_main

    return eval_main(args.rest)


def _cmd_bench(args: argparse.Namespace) -> int:
    from qa.evaluation.bench import main as bench_main

    return bench_main(args.rest)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="build or refresh the index (default library: seeds/)")
    p.add_argument("folders", nargs="*", help="library folders of .txt/.md files (default: those of the last build, else seeds/)")
    p.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("ask", help="ask questions (arguments, or one per line on stdin)")
    p.add_argument("question", nargs="*")
    p.add_argument("--json", action="store_true", help="print the answer contract as JSON")
    p.add_argument("--top-k", type=int, default=None)
    p.add_argument("--history", action="append", default=None, help="a previous question (repeatable, oldest first)")
    p.set_defaults(func=_cmd_ask)

    p = sub.add_parser("docs", help="list documents, or print one canonical text")
    p.add_argument("doc_id", nargs="?")
    p.set_defaults(func=_cmd_docs)

    p = sub.add_parser("serve", help="serve the HTTP API and the chat page (builds the index first if needed)")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--no-build", action="store_true", help="fail instead of building a missing index")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("keys", help="print a new random API key (add it to QA_API_KEYS or the key file)")
    p.set_defaults(func=_cmd_keys)

    for name, func, text in (("eval", _cmd_eval, "evaluate on a gold set or a public benchmark"),
                             ("bench", _cmd_bench, "measure speed and memory")):
        p = sub.add_parser(name, help=text, add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=func)

    for p in sub.choices.values():
        if p.prog.split()[-1] not in ("eval", "bench", "keys"):
            p.add_argument("--index", type=Path, default=None, help="index folder (default: $QA_INDEX_DIR or index/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("eval", "bench"):  # their own parsers own every flag, --help included
        args = argparse.Namespace(func=_cmd_eval if argv[0] == "eval" else _cmd_bench, rest=argv[1:])
    else:
        args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
