"""Runs the local Replicate protocol server in its own process (so it does
not share the benchmark's interpreter lock) until stdin closes. Prints its
URL on the first line. Usage: python -m bench.serve_replicate KEY LATENCY"""

import sys

from tests.servers import ReplicateServer

if __name__ == "__main__":
    key, latency = sys.argv[1], float(sys.argv[2])
    with ReplicateServer(key, latency=latency) as server:
        print(server.url, flush=True)
        sys.stdin.read()
