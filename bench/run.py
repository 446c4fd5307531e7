"""Runs the benchmarks; each prints its ratio against a baseline (or a
bound) measured in the same process. Usage (from the repo root):

    .venv/bin/python -m bench.run
"""

import platform
import os

from bench import (
    app_responsiveness, arena, hosted_limits, hosted_throughput, scoring_throughput,
    seed_drift, warm_local, write_overhead,
)


def main():
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    for bench in (hosted_throughput, write_overhead, app_responsiveness, warm_local,
                  seed_drift, hosted_limits, scoring_throughput, arena):
        print(f"[{bench.__name__.split('.')[-1]}]")
        bench.main()


if __name__ == "__main__":
    main()
