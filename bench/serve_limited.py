"""Runs a provider protocol server in its own process, enforcing the
provider's documented limit, until stdin closes. Prints its URL first.
Usage: python -m bench.serve_limited {replicate|stability|openai} KEY LATENCY"""

import sys

from tests.servers import OpenAIServer, ReplicateServer, StabilityServer

# (requests, per seconds): Replicate's and Stability's documented limits
# (docs/providers-research.md); OpenAI's depend on the organisation's tier,
# so its server plays a tier of 600 a minute and reports it in its headers
LIMITS = {"replicate": (600, 60.0), "stability": (150, 10.0), "openai": (600, 60.0)}
SERVERS = {"replicate": ReplicateServer, "stability": StabilityServer,
           "openai": OpenAIServer}

if __name__ == "__main__":
    provider, key, latency = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with SERVERS[provider](key, latency=latency) as server:
        server.rate_limit = LIMITS[provider]
        print(server.url, flush=True)
        sys.stdin.read()
