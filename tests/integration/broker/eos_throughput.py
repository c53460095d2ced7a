#!/usr/bin/env python3
"""Throughput and commit latency under exactly_once_v2 vs at_least_once on a real broker, for
the two workloads of issue 5: count-by-key (kstreams_word_count_app) and the address router
(address-router). A manual measurement, not a CTest.

    eos_throughput.py --workload count  --app BIN    --work-dir D [--records N] [--repeat R]
    eos_throughput.py --workload router --router BIN --work-dir D [--records N] [--repeat R]

N records are pre-loaded once (count: `words`, 6 partitions, 200 words; router: `addresses`,
6 partitions, `address-router --generate N`, 10 % invalid). Then, R times, one instance per
guarantee, one after the other, each with its own application id (so each reads everything from
the start), commit.interval.ms 100, record cache on (default size).

The rate comes from the app's summary lines (metrics.log.interval.ms=200): the run is done when
`processed` reaches N times the number of sub-topologies each input passes (count: 2, the
group_by sub-topology then the count sub-topology; router: 1); the rate is input records per
second between the first line with processed > 0 and the first line at the end (start-up and the
first rebalance left out). The commit latency is the app's own (ThreadMetrics
commit_latency_avg_ms / _max_ms: flush + offsets, + the transaction's commit under
exactly_once_v2) as of that last line. Broker as for the scenarios ($KSTREAMS_TEST_BOOTSTRAP or
$KSTREAMS_TEST_BOOTSTRAP_FILE); every process started here is stopped by pid.
"""

import argparse
import datetime
import os
import random
import re
import statistics
import subprocess
import sys
import time

import broker_common
from broker_common import Process, ScenarioFailure, check, log, recreate_topics, shared_bootstrap
from confluent_kafka.admin import AdminClient

LINE = re.compile(r"^(\S+ \S+) info .*: state \S+, tasks \d+, consumed \d+, processed (\d+), "
                  r"produced (\d+), .* commits (\d+), .* commit ms avg ([\d.]+) max ([\d.]+)",
                  re.M)
GUARANTEES = ("at_least_once", "exactly_once_v2")
ROUTER_TOPICS = ["addresses", "addresses.shipping", "addresses.billing", "addresses.invalid",
                 "addresses.dlq"]


def command(args, bootstrap, guarantee, app_id, state):
    common = ["--bootstrap-servers", bootstrap, "--application-id", app_id, "--state-dir", state,
              "--property", "metrics.log.interval.ms=200"]
    if args.workload == "count":
        return [args.app, *common, "--commit-interval-ms", "100",
                "--property", f"processing.guarantee={guarantee}"]
    return [args.router, *common, "--property", "commit.interval.ms=100",
            "--processing-guarantee", guarantee]


def measure(args, bootstrap, guarantee, run):
    n = args.records * (2 if args.workload == "count" else 1)
    app_id = f"eos-tp-{args.workload}-{guarantee.replace('_', '-')}-{os.getpid()}-{run}"
    state = os.path.join(args.work_dir, f"state-{args.workload}-{guarantee}-{run}")
    name = f"{args.workload}-{guarantee}-{run}"
    log_path = os.path.join(args.work_dir, f"{name}.log")
    if os.path.exists(log_path):
        os.remove(log_path)  # Process appends: a log of an earlier invocation would mislead
    p = Process(name, command(args, bootstrap, guarantee, app_id, state), log_path)
    try:
        end = time.monotonic() + args.timeout
        while True:
            points = [(datetime.datetime.strptime(t, "%Y-%m-%d %H:%M:%S.%f"), int(done),
                       int(produced), int(commits), float(avg), float(peak))
                      for t, done, produced, commits, avg, peak in LINE.findall(p.text())]
            if points and points[-1][1] >= n:
                break
            check(p.alive(), f"{name}: the app exited:\n{p.tail()}")
            check(time.monotonic() < end, f"{name}: not done in {args.timeout}s")
            time.sleep(0.5)
    finally:
        broker_common.stop_process(p)
    first = next(x for x in points if x[1] > 0)
    last = next(x for x in points if x[1] >= n)
    seconds = (last[0] - first[0]).total_seconds()
    per_input = n // args.records
    inputs = (last[1] - first[1]) // per_input
    rate = inputs / seconds if seconds > 0 else float("nan")
    log(f"{name}: {inputs} input records in {seconds:.1f}s = {rate:.0f} records/s "
        f"({last[3] - first[3]} commits, {last[2]} records produced; commit latency avg "
        f"{last[4]:.1f} ms, max {last[5]:.1f} ms)")
    return rate, last[4], last[5]


def preload(args, bootstrap):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    if args.workload == "count":
        recreate_topics(admin, bootstrap, ["words", "word-counts"], 6)
        words = [f"w{i:03d}" for i in range(200)]
        feeder = broker_common.Feeder(bootstrap, "words",
                                      lambda r, i: (f"k{i}".encode(), r.choice(words).encode()),
                                      0, random.Random(1))
        feeder.produce(args.records)
        feeder.stop()
        log(f"pre-loaded {args.records} records into 'words'")
        return
    recreate_topics(admin, bootstrap, ROUTER_TOPICS, 6)
    subprocess.run([args.router, "--bootstrap-servers", bootstrap, "--generate",
                    str(args.records)], check=True, timeout=args.timeout)
    log(f"pre-loaded {args.records} addresses into 'addresses'")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", choices=["count", "router"], default="count")
    ap.add_argument("--app", help="kstreams_word_count_app (--workload count)")
    ap.add_argument("--router", help="address-router (--workload router)")
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--records", type=int, default=200000)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--repeat", type=int, default=1,
                    help="alternate the two guarantees this many times; medians are reported")
    args = ap.parse_args()
    binary = args.app if args.workload == "count" else args.router
    if not binary:
        ap.error(f"--workload {args.workload} needs --{'app' if args.workload == 'count' else 'router'}")
    if args.workload == "count":
        args.app = os.path.abspath(args.app)
    else:
        args.router = os.path.abspath(args.router)
    os.makedirs(args.work_dir, exist_ok=True)
    bootstrap, _ = shared_bootstrap()
    preload(args, bootstrap)
    results = {g: [] for g in GUARANTEES}
    try:
        for run in range(args.repeat):
            for g in GUARANTEES:
                results[g].append(measure(args, bootstrap, g, run))
    except ScenarioFailure as e:
        log(f"FAILED: {e}")
        return 1
    a = statistics.median(x[0] for x in results["at_least_once"])
    e = statistics.median(x[0] for x in results["exactly_once_v2"])
    log(f"{args.workload}, medians of {args.repeat}: exactly_once_v2 / at_least_once = "
        f"{e:.0f} / {a:.0f} records/s = {e / a:.2f}")
    for g in GUARANTEES:
        log(f"  {g}: records/s {[round(x[0]) for x in results[g]]}, commit latency avg ms "
            f"{[round(x[1], 1) for x in results[g]]}, max ms {[round(x[2], 1) for x in results[g]]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
