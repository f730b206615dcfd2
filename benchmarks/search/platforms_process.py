"""The three demo platforms in a process of their own (as real platforms are elsewhere).

    python -m benchmarks.search.platforms_process '{"taobao": 50, "jd": 150, "pdd": 300}'

Prints one JSON line {platform: base_url} once the servers listen, then serves until its
standard input closes.
"""

from __future__ import annotations

import asyncio
import json
import sys

from integrations.marketplaces.demo.factory import build_demo_marketplace


async def main(latency: dict[str, float]) -> None:
    demo = build_demo_marketplace(latency_ms=0, jitter_ms=0)
    demo._build()
    for platform, ms in latency.items():
        demo.servers[platform].behaviour.latency_ms = ms
    for server in demo.servers.values():
        await server.start()
    print(json.dumps({p: s.base_url for p, s in demo.servers.items()}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes it
    for server in demo.servers.values():
        await server.stop()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
