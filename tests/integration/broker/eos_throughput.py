#!/usr/bin/env python3
"""Throughput of the counting app (kstreams_word_count_app) under exactly_once_v2 vs
at_least_once on a real broker: N records pre-loaded into `words` (6 partitions), one instance
per guarantee (own application id, so each reads everything from the start), commit.interval.ms
100, record cache on. A manual measurement, not a CTest.

    eos_throughput.py --app BIN --work-dir D [--records 200000]

The rate is taken from the app's metrics lines (every 200 ms): `processed` counts each input
twice (the group_by sub-topology, then the count sub-topology), so the run is done at 2N; the
rate is input records per second, (processed between the first line with processed > 0 and the
first with 2N) / 2 over the time between them (start-up and the first rebalance left out). Broker as for the scenarios ($KSTREAMS_TEST_BOOTSTRAP or
$KSTREAMS_TEST_BOOTSTRAP_FILE); every process started here is stopped by pid.
"""

import argparse
import datetime
import os
import random
import re
import statistics
import sys
import time

import broker_common
from broker_common import Process, ScenarioFailure, check, log, recreate_topics, shared_bootstrap
from confluent_kafka.admin import AdminClient

LINE = re.compile(r"^(\S+ \S+) info .*: state \S+, tasks \d+, consumed \d+, processed (\d+), "
                  r"produced (\d+), .* commits (\d+)", re.M)


def measure(args, bootstrap, guarantee, n, run=0):
    app_id = f"eos-tp-{guarantee.replace('_', '-')}-{os.getpid()}-{run}"
    state = os.path.join(args.work_dir, f"state-{guarantee}-{run}")
    p = Process(f"{guarantee}-{run}", [args.app, "--bootstrap-servers", bootstrap, "--application-id",
                            app_id, "--state-dir", state, "--commit-interval-ms", "100",
                            "--property", f"processing.guarantee={guarantee}",
                            "--property", "metrics.log.interval.ms=200"],
                os.path.join(args.work_dir, f"{guarantee}-{run}.log"))
    try:
        end = time.monotonic() + args.timeout
        while True:
            points = [(datetime.datetime.strptime(t, "%Y-%m-%d %H:%M:%S.%f"), int(done),
                       int(produced), int(commits)) for t, done, produced, commits in
                      LINE.findall(p.text())]
            if points and points[-1][1] >= n:
                break
            check(p.alive(), f"{guarantee}: the app exited:\n{p.tail()}")
            check(time.monotonic() < end, f"{guarantee}: not done in {args.timeout}s")
            time.sleep(0.5)
    finally:
        broker_common.stop_process(p)
    first = next(x for x in points if x[1] > 0)
    last = next(x for x in points if x[1] >= n)
    seconds = (last[0] - first[0]).total_seconds()
    rate = (last[1] - first[1]) / 2 / seconds if seconds > 0 else float("nan")
    log(f"{guarantee}: {(last[1] - first[1]) // 2} input records in {seconds:.1f}s = {rate:.0f} records/s "
        f"({last[3] - first[3]} commits, {last[2]} records produced)")
    return rate


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--app", required=True)
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--records", type=int, default=200000)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--repeat", type=int, default=1,
                    help="alternate the two guarantees this many times; medians are reported")
    args = ap.parse_args()
    args.app = os.path.abspath(args.app)
    os.makedirs(args.work_dir, exist_ok=True)
    bootstrap, _ = shared_bootstrap()
    recreate_topics(AdminClient({"bootstrap.servers": bootstrap}), bootstrap,
                    ["words", "word-counts"], 6)
    words = [f"w{i:03d}" for i in range(200)]
    feeder = broker_common.Feeder(bootstrap, "words",
                                  lambda r, i: (f"k{i}".encode(), r.choice(words).encode()), 0,
                                  random.Random(1))
    feeder.produce(args.records)
    feeder.stop()
    log(f"pre-loaded {args.records} records into 'words'")
    alos, eos = [], []
    try:
        for run in range(args.repeat):
            alos.append(measure(args, bootstrap, "at_least_once", 2 * args.records, run))
            eos.append(measure(args, bootstrap, "exactly_once_v2", 2 * args.records, run))
    except ScenarioFailure as e:
        log(f"FAILED: {e}")
        return 1
    a, e = statistics.median(alos), statistics.median(eos)
    log(f"medians of {args.repeat}: exactly_once_v2 / at_least_once = {e:.0f} / {a:.0f} records/s "
        f"= {e / a:.2f} (each run: at_least_once {[round(x) for x in alos]}, exactly_once_v2 "
        f"{[round(x) for x in eos]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
