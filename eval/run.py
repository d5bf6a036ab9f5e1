"""Evaluation entry point: ``python eval/run.py gold --split dev`` does what ``qa eval gold --split dev`` does.

See eval/README.md for the commands, the metrics and the gold format.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa.evaluation.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
