"""How fast graders.wire talks to a student process: round trips per second and bulk MB/s.

    .venv/bin/python benchmarks/wire_speed.py [--repeats 5]

A child interpreter (python -I, importing the wire module from its file as the sandbox does) holds
an identity function, a generator factory and a small model; this process calls them through proxies:
- a call with an int, and with a small tensor (16 float32), per second;
- the call of a 64x64 nn.Linear on a 1x64 tensor (the model's forward through a proxy), per second;
- a watched call (forbidding torch's SDPA) with a small tensor, per second;
- list() over a remote generator of 10,000 ints (items per second, fetched in chunks);
- a 4 MB float32 tensor sent and received back: MB/s of payload moved (both directions counted).
Each figure is the median of `--repeats` runs, in wall time (both processes work in turn).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time

import torch

from graders import wire

CHILD = r"""
import importlib.util, socket, sys
spec = importlib.util.spec_from_file_location("_llmt_wire", sys.argv[1])
wire = importlib.util.module_from_spec(spec)
sys.modules["_llmt_wire"] = wire
spec.loader.exec_module(wire)
import torch
torch.set_num_threads(1)
objects = {"identity": lambda x: x, "count": lambda n: iter(range(n)), "model": torch.nn.Linear(64, 64)}
wire.Connection(socket.socket(fileno=int(sys.argv[2])), handler=lambda op, name: objects[name]).serve()
"""


def rate(fn, n: int, repeats: int) -> float:
    """Median calls per second of fn() over `repeats` runs of n calls."""
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    judge_end, child_end = socket.socketpair()
    child = subprocess.Popen([sys.executable, "-I", "-c", CHILD, wire.__file__, str(child_end.fileno())],
                             pass_fds=[child_end.fileno()])
    child_end.close()
    conn = wire.Connection(judge_end, strict=True)
    try:
        identity, count, model = (conn.request("get", name) for name in ("identity", "count", "model"))
        small, x, big = torch.randn(16), torch.randn(1, 64), torch.randn(1 << 20)  # 4 MiB of float32
        sdpa = ["torch.nn.functional.scaled_dot_product_attention"]
        identity(small), model(x), wire.call_watched(identity, (small,), forbid=sdpa)  # warm up
        figures = {
            "call, int (round trips/s)": rate(lambda: identity(1), 2000, args.repeats),
            "call, 16-float tensor (round trips/s)": rate(lambda: identity(small), 2000, args.repeats),
            "model(x), 64x64 Linear (calls/s)": rate(lambda: model(x), 1000, args.repeats),
            "watched call, 16-float tensor (calls/s)":
                rate(lambda: wire.call_watched(identity, (small,), forbid=sdpa), 300, args.repeats),
            "list(remote generator) (items/s)": 10_000 * rate(lambda: list(count(10_000)), 5, args.repeats),
            "4 MB tensor echo (MB/s, both ways)": 2 * big.nbytes / 1e6 * rate(lambda: identity(big), 20, args.repeats),
        }
        assert torch.equal(identity(big), big)
    finally:
        conn.close()
        child.wait(timeout=60)
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:>12,.0f}")


if __name__ == "__main__":
    main()
