"""The benchmarks' command lines and reports: Markdown tables printed to stdout, and a JSON file in bench/results/."""

import argparse
import json
import pathlib
import sys

_RULES = {"l": "---", "r": "---:", "c": ":---:"}


def parser(doc, results, repeats=9, per="case"):
    """A command line described by the first line of `doc`, with `--output` (default `results`) and,
    unless `repeats` is None, `--repeats` (timed runs per `per`, default `repeats`)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    if repeats is not None:
        help_text = f"timed runs per {per}; the median is reported"
        parser.add_argument("--repeats", type=int, default=repeats, help=help_text)
    parser.add_argument("--output", type=pathlib.Path, default=results)
    return parser


def table(columns, rows):
    """A Markdown table.

    Args:
      columns: `[(title, align)]`, align "l" (left), "r" (right) or "c" (centred).
      rows: lists of cell texts, one per column.

    Returns:
      The table's lines joined by newlines.
    """
    lines = [
        "| " + " | ".join(title for title, _ in columns) + " |",
        "|" + "|".join(_RULES[a] for _, a in columns) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def write_json(path, report):
    """Writes `report` (a JSON-serialisable dict) to `path`, creating its folder, and says so on stderr."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWrote {path}", file=sys.stderr)
