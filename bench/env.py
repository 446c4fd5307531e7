"""The benchmarks' environment: the test suite's isolated FiftyOne (own
mongod and database), plugin and hub cache, cleaned up at exit."""

import atexit
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from tests import conftest  # noqa: E402  (sets the environment first)

conftest.start_database()

atexit.register(conftest.pytest_sessionfinish, None, 0)
plugin_module = conftest.plugin_module
HUB_CACHE = conftest.HUB_CACHE


def ratio_line(name, ratio, goal, better):
    ok = ratio >= goal if better == "higher" else ratio <= goal
    sign = ">=" if better == "higher" else "<="
    return f"{name}: {ratio:.2f}x (goal {sign} {goal}x) {'PASS' if ok else 'MISS'}"
