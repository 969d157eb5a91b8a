"""Accuracy of the reading, on labelled messages nobody tuned the readers to.

Runs ``cme eval`` on the shared field corpus, the fresh samples folded into
tests/fixtures/fresh and the golden samples, and prints one line per folder:
kind, fields and confident-wrong, by the field corpus's scoring rules. This is a
bench, not a test: the figures are what they are, and bench/RESULTS.md keeps them.

    .venv/bin/python bench/accuracy.py [--json]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FOLDERS = [
    REPO.parent / "shared" / "field-corpus" / "forms",
    REPO.parent / "shared" / "field-corpus" / "mail",
    *sorted((REPO / "tests" / "fixtures" / "fresh").glob("*-b*")),
    REPO / "cme" / "shipped" / "samples",
]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--json", action="store_true", help="cme eval's --json output")
    args = options.parse_args()
    folders = [str(f) for f in FOLDERS if f.is_dir()]
    command = [str(Path(sys.executable).with_name("cme")), "eval", *folders]
    command += ["--json"] if args.json else ["--no-misses"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if args.json:
        print(out)
        return
    for line in out.splitlines():
        if " messages, " in line:
            print(line.replace(str(REPO) + "/", "").replace(str(REPO.parent) + "/", "../"))


if __name__ == "__main__":
    main()
