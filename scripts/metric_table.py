"""Renders the README's metrics table from the declarations in
``scores/metrics.py``.

    python scripts/metric_table.py          # print it
    python scripts/metric_table.py --write  # update README.md between the markers

A unit test fails when the README's table differs from the declarations.
"""

import os
import re
import sys

from model_table import REPO, load_plugin

BEGIN, END = "<!-- metrics:begin -->", "<!-- metrics:end -->"


def render():
    load_plugin()
    return sys.modules["multigen_plugin.scores.metrics"].markdown_table()


def main():
    table = render()
    if "--write" not in sys.argv:
        print(table)
        return
    path = os.path.join(REPO, "README.md")
    with open(path) as f:
        text = f.read()
    text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END),
                  lambda _: f"{BEGIN}\n{table}\n{END}", text, flags=re.S)
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
