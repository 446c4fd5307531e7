"""Runs a provider protocol server in its own process, enforcing the
provider's documented limit, until stdin closes. Prints its URL first.
Usage: python -m bench.serve_limited {replicate|stability} KEY LATENCY"""

import sys

from tests.servers import ReplicateServer, StabilityServer

# documented limits (docs/providers-research.md): (requests, per seconds)
LIMITS = {"replicate": (600, 60.0), "stability": (150, 10.0)}
SERVERS = {"replicate": ReplicateServer, "stability": StabilityServer}

if __name__ == "__main__":
    provider, key, latency = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with SERVERS[provider](key, latency=latency) as server:
        server.rate_limit = LIMITS[provider]
        print(server.url, flush=True)
        sys.stdin.read()
