"""The benchmarks' reports: Markdown tables printed to stdout, and a JSON file in bench/results/."""

import json
import sys

_RULES = {"l": "---", "r": "---:", "c": ":---:"}


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
