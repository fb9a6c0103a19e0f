"""The Python package under load (benches/http_load.sh): the workload's
transactions as dicts through Screener.screen one at a time (one thread,
then two), and through screen_batch in batches of 1,000.

    python benches/python_load.py CONFIG TRANSACTIONS_JSONL
"""

import json
import sys
import threading
import time

from amlscreen import Screener


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def main():
    config, path = sys.argv[1], sys.argv[2]
    txs = []
    with open(path) as f:
        for line in f:
            txs.append(json.loads(line))
            if len(txs) == 90_000:
                break
    one, two, batch = txs[:30_000], txs[30_000:60_000], txs[60_000:90_000]
    s = Screener(config)

    times = []
    start = time.perf_counter()
    for tx in one:
        t0 = time.perf_counter()
        s.screen(tx)
        times.append(time.perf_counter() - t0)
    wall = time.perf_counter() - start
    times.sort()
    print(
        f"python screen(), 1 thread: {len(one) / wall:,.0f} tx/s, "
        f"p50 {percentile(times, 0.5) * 1e3:.3f} ms, p99 {percentile(times, 0.99) * 1e3:.3f} ms"
    )

    halves = [two[0::2], two[1::2]]
    start = time.perf_counter()
    workers = [threading.Thread(target=lambda h=h: [s.screen(tx) for tx in h]) for h in halves]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - start
    print(f"python screen(), 2 threads: {len(two) / wall:,.0f} tx/s")

    start = time.perf_counter()
    for i in range(0, len(batch), 1000):
        s.screen_batch(batch[i : i + 1000])
    wall = time.perf_counter() - start
    print(f"python screen_batch(1,000 a call): {len(batch) / wall:,.0f} tx/s")
    s.flush()


if __name__ == "__main__":
    main()
