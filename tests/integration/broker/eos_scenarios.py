#!/usr/bin/env python3
"""The crash test of exactly_once_v2 (issue 5) against a real Apache Kafka broker.

Three instances of kstreams_word_count_app with --route-topic (word_count_app.cc): one topology
that routes and counts,

    words (key: a unique id, value: a word) -+-> filter(even-length word) -> words-even
                                             +-> group_by(word) [<app>-by-word-repartition]
                                                 -> count("counts") [<app>-counts-changelog]
                                                 -> word-counts (int64 BE)

with processing.guarantee=exactly_once_v2, statestore.cache.max.bytes=0 (every input yields
exactly one count update: the k-th occurrence of a word is counted k), commit.interval.ms=100.
A feeder writes `words` at a steady rate; a killer SIGKILLs a random instance every few seconds,
waits a little and restarts it (with its old state directory or a fresh one, at random). At the
end the input stops, the three instances drain and are stopped with SIGTERM, and an independent
verifier (confluent-kafka, i.e. librdkafka, not kstreams) reads the outputs from the beginning:

  * read_committed `word-counts`: each word's counts, in its one partition, are exactly
    1, 2, ..., n_w, where n_w is the word's occurrences in `words` (read back): no duplicate, no
    gap, nothing extra;
  * read_committed `words-even`: exactly one copy of each even-length input record (the keys are
    unique), nothing else;
  * read_uncommitted, the same topics (and the internal ones): the records of aborted
    transactions are there, > 0 of them after the kills, and none of them is in the committed view.

    eos_scenarios.py --scenario crash --app BIN --work-dir D [--duration S] [--min-kills N]
                     [--threads N,N,N] [--budget S]

--threads gives each instance its num.stream.threads (default 1,2,2: one single-threaded
instance and two with two stream threads, i.e. two transactional producers in one process).

Broker: $KSTREAMS_TEST_BOOTSTRAP, else $KSTREAMS_TEST_BOOTSTRAP_FILE (the CTest fixture
`kafka_broker`). Topic names `words` and `word-counts` are shared with state_scenarios.py (CTest
RESOURCE_LOCK kafka_words). Every process started here is stopped by pid (finally/atexit).
"""

import argparse
import collections
import os
import random
import re
import sys
import time

import broker_common
import state_scenarios
from broker_common import (OwnCluster, ScenarioContext, ScenarioFailure, check, log,
                           read_topics, recreate_topics, run_scenario, shared_bootstrap, stop_all,
                           stop_process)
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition
from confluent_kafka.admin import AdminClient
from state_scenarios import App, Counts, wait_counts, wait_quiet

INPUT = "words"
OUTPUT = "word-counts"
ROUTED = "words-even"
STORE = "counts"
# Lengths 2 (w0..w9), 3 (w10..w99) and 4 (w100..w199): the router takes the even ones.
WORDS = [f"w{i}" for i in range(200)]
COMMIT_INTERVAL_MS = 100
SESSION_TIMEOUT_MS = 6000
INSTANCES = 3
state_scenarios.COMMIT_INTERVAL_MS = COMMIT_INTERVAL_MS  # App's --commit-interval-ms


# Every instance: the router part, exactly-once, one count update per input (no cache).
APP_FLAGS = ["--route-topic", ROUTED,
             "--property", "processing.guarantee=exactly_once_v2",
             "--property", "statestore.cache.max.bytes=0",
             "--property", f"consumer.session.timeout.ms={SESSION_TIMEOUT_MS}",
             "--property", "consumer.heartbeat.interval.ms=1000"]


def routed(word):
    return len(word) % 2 == 0


class Crash:
    """The three instances: instance i runs as generation g, log app-i.g<g>.log."""

    def __init__(self, ctx, bootstrap, rng):
        self.ctx, self.bootstrap, self.rng = ctx, bootstrap, rng
        self.extra = APP_FLAGS
        self.gen = [0] * INSTANCES
        self.state_dirs = [os.path.join(ctx.work, f"state-{i}-g0") for i in range(INSTANCES)]
        self.apps = [self._start(i) for i in range(INSTANCES)]
        self.kills = 0
        self.fresh_restarts = 0

    def _start(self, i):
        threads = self.ctx.threads[i % len(self.ctx.threads)]
        return App(f"app-{i}.g{self.gen[i]}", self.ctx.app_bin, self.bootstrap, self.ctx.app_id,
                   self.state_dirs[i], self.ctx.work, self.extra, threads)

    def check_alive(self):
        for a in self.apps:
            check(a.alive(), f"{a.name} (pid {a.pid}) exited by itself ({a.proc.returncode}):\n"
                  f"{a.tail()}")

    def kill_and_restart(self):
        i = self.rng.randrange(INSTANCES)
        victim = self.apps[i]
        self.check_alive()
        tasks = victim.tasks()
        rc = victim.kill()
        self.kills += 1
        pause = self.rng.uniform(0.2, 3.0)
        fresh = self.rng.random() < 0.5
        log(f"kill #{self.kills}: SIGKILL {victim.name} (pid {victim.pid}, exit {rc}), it owned "
            f"{tasks}; restart in {pause:.1f}s with {'a fresh' if fresh else 'its old'} state dir")
        time.sleep(pause)
        self.gen[i] += 1
        if fresh:
            self.fresh_restarts += 1
            self.state_dirs[i] = os.path.join(self.ctx.work, f"state-{i}-g{self.gen[i]}")
        self.apps[i] = self._start(i)


def word_record(rng, i, seed):
    word = WORDS[min(int(rng.expovariate(1 / 60)), len(WORDS) - 1)] \
        if rng.random() < 0.5 else rng.choice(WORDS)
    return f"{seed}-{i}".encode(), word.encode()


def drain_and_stop(ctx, bootstrap, feeder, counts, apps, what):
    """After the input stopped: reads the input back, waits until every count is reached (a
    transaction left open by a kill holds read_committed readers up to transaction.timeout.ms,
    10 s) and then for quiet, and stops the apps with SIGTERM. Returns (inputs, expected
    occurrences per word, the drain's failure or None: the verifier's view is the evidence)."""
    check(not feeder.failed, f"feeder delivery failures: {feeder.failed[:3]}")
    inputs = read_topics(bootstrap, [INPUT])[INPUT]
    check(len(inputs) == feeder.sent, f"'{INPUT}' holds {len(inputs)} records, "
          f"{feeder.sent} were sent")
    expected = collections.Counter(m.value().decode() for m in inputs)
    drain_failure = None
    try:
        wait_counts(counts, expected, min(ctx.deadline, time.monotonic() + ctx.drain_s),
                    apps, what, exact=False)
        wait_quiet(counts, 3, ctx.deadline, apps)
    except ScenarioFailure as e:
        drain_failure = e
    for a in apps:
        stop_process(a, expect_clean=drain_failure is None)
    return inputs, expected, drain_failure


def scenario_crash(ctx):
    """3 EOS instances, SIGKILLed and restarted at random while input flows: exactly once."""
    rng = random.Random(ctx.seed)
    bootstrap, _ = shared_bootstrap()
    check(all(h.split(":")[0] in ("127.0.0.1", "localhost") for h in bootstrap.split(",")),
          f"bootstrap {bootstrap} is not on 127.0.0.1")
    log(f"shared broker {bootstrap}, application.id {ctx.app_id}, seed {ctx.seed}, input for "
        f"{ctx.duration:.0f}s at {ctx.rate}/s, at least {ctx.min_kills} kills, stream threads "
        f"per instance {ctx.threads}")
    admin = AdminClient({"bootstrap.servers": bootstrap})
    recreate_topics(admin, bootstrap, [INPUT, OUTPUT, ROUTED], 6)
    feeder = broker_common.Feeder(bootstrap, INPUT,
                                  lambda r, i: word_record(r, i, ctx.seed), ctx.rate,
                                  random.Random(ctx.seed + 1))
    counts = Counts(bootstrap)  # read_committed (librdkafka's default): progress only
    crash = None
    t_start = time.monotonic()
    try:
        crash = Crash(ctx, bootstrap, rng)
        feeder.start()
        input_end = time.monotonic() + ctx.duration
        # The killer: a kill every few seconds; the last one leaves time to drain.
        mean_gap = max(2.0, min(8.0, (ctx.duration - 10) / (ctx.min_kills * 1.6)))
        next_kill = time.monotonic() + rng.uniform(0.5, 1.5) * mean_gap + 5
        while time.monotonic() < input_end:
            check(time.monotonic() < ctx.deadline, "deadline during the input phase")
            crash.check_alive()
            counts.poll(0.3)
            if time.monotonic() >= next_kill and time.monotonic() < input_end - 5:
                crash.kill_and_restart()
                next_kill = time.monotonic() + rng.uniform(0.5, 1.5) * mean_gap
            time.sleep(0.2)
        feeder.stop()
        log(f"input stopped after {time.monotonic() - t_start:.0f}s: {feeder.sent} sent, "
            f"{feeder.delivered} delivered; {crash.kills} kills ({crash.fresh_restarts} restarts "
            f"with a fresh state dir)")
        inputs, expected, drain_failure = drain_and_stop(ctx, bootstrap, feeder, counts,
                                                         crash.apps, "after the last kill")
    finally:
        feeder.stop()
        counts.close()
    check(crash.kills >= ctx.min_kills, f"only {crash.kills} kills, wanted {ctx.min_kills}")
    verify(ctx, bootstrap, inputs, expected,
           f"{crash.kills} kills survived ({crash.fresh_restarts} with a fresh state dir)",
           time.monotonic() - t_start, drain_failure)


def read_view(bootstrap, topics, isolation, timeout_s=60):
    """({topic: records}, {(topic, partition): end}) from the beginning to the end the consumer
    reports (partition EOF): the high watermark with read_uncommitted, the last stable offset
    (LSO) with read_committed; an LSO below the high watermark long after the writers stopped
    is a transaction left open."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"eos-it-verifier-{os.getpid()}",
                  "enable.auto.commit": False, "enable.partition.eof": True,
                  "auto.offset.reset": "earliest", "isolation.level": isolation})
    try:
        md = c.list_topics(timeout=10).topics
        tps = [TopicPartition(t, p, OFFSET_BEGINNING) for t in topics for p in md[t].partitions]
        c.assign(tps)
        records = {t: [] for t in topics}
        ends = {}
        end = time.monotonic() + timeout_s
        while len(ends) < len(tps):
            check(time.monotonic() < end, f"{isolation} read of {topics}: no EOF on "
                  f"{sorted(set((tp.topic, tp.partition) for tp in tps) - set(ends))[:6]}")
            for m in c.consume(1000, 0.5):
                if m.error():
                    check(m.error().code() == KafkaError._PARTITION_EOF,
                          f"consume error: {m.error()}")
                    ends[(m.topic(), m.partition())] = m.offset()
                    continue
                records[m.topic()].append(m)
        return records, ends
    finally:
        c.close()


def verify(ctx, bootstrap, inputs, expected, survived, elapsed, drain_failure=None,
           require_aborted=True):
    """The independent verifier: read_committed and read_uncommitted views from the beginning.
    `survived` says what the apps went through (for the report); `require_aborted`: the
    disruptions must have left aborted records (else they proved nothing)."""
    repartition = f"{ctx.app_id}-by-word-repartition"
    changelog = f"{ctx.app_id}-{STORE}-changelog"
    topics = [OUTPUT, ROUTED, repartition, changelog]
    committed, lso = read_view(bootstrap, topics, "read_committed")
    everything, hwm = read_view(bootstrap, topics, "read_uncommitted")
    open_txn = {tp: (lso[tp], hwm[tp]) for tp in hwm if lso.get(tp, hwm[tp]) < hwm[tp] - 1}
    if open_txn:
        log(f"partitions whose LSO is below the high watermark (open transaction? the last "
            f"offset may be a commit marker): {sorted(open_txn.items())}")
        for (t, p), (lo, hi) in sorted(open_txn.items())[:8]:
            tail = [(m.offset(), m.key(), m.value()) for m in everything[t]
                    if m.partition() == p and m.offset() >= lo][:5]
            log(f"  {t}-{p} records at/after the LSO {lo}: {tail}")
    aborted = {}
    for t in topics:
        seen = {(m.partition(), m.offset()) for m in committed[t]}
        all_offsets = {(m.partition(), m.offset()) for m in everything[t]}
        check(seen <= all_offsets, f"{t}: committed records missing from the uncommitted view")
        aborted[t] = len(all_offsets - seen)
        log(f"'{t}': {len(committed[t])} committed records, {len(everything[t])} with "
            f"read_uncommitted: {aborted[t]} aborted records hidden")

    # word-counts: per word, 1..n_w in its one partition, in offset order.
    per_word = collections.defaultdict(list)
    partitions = collections.defaultdict(set)
    for m in sorted(committed[OUTPUT], key=lambda m: (m.partition(), m.offset())):
        check(m.value() is not None and len(m.value()) == 8, f"not an int64: {m.value()!r}")
        w = m.key().decode()
        per_word[w].append((m.partition(), m.offset(), int.from_bytes(m.value(), "big",
                                                                      signed=True)))
        partitions[w].add(m.partition())
    bad = []
    for w in sorted(set(per_word) | set(expected)):
        got = [c for _, _, c in per_word.get(w, [])]
        want = list(range(1, expected.get(w, 0) + 1))
        if got != want:
            dup = [c for c, k in collections.Counter(got).items() if k > 1]
            missing = sorted(set(want) - set(got))
            where = [(p, o, c) for p, o, c in per_word.get(w, []) if c in dup][:6]
            bad.append(f"{w}: {len(got)} counts for {len(want)} occurrences; duplicates "
                       f"{dup[:8]} at (partition, offset, count) {where}; missing {missing[:8]}; "
                       f"first out-of-order at index "
                       f"{next((k for k, (a, b) in enumerate(zip(got, want)) if a != b), None)}")
    split = {w: ps for w, ps in partitions.items() if len(ps) > 1}
    check(not split, f"words in several word-counts partitions: {list(split.items())[:5]}")
    if bad:
        log(f"word-counts is not exactly 1..n per word ({len(bad)} words):\n  " +
            "\n  ".join(bad[:10]))
        # Evidence: restorations that ended below what a task had already written.
        for p in broker_common.Process.all:
            for line in p.text().splitlines():
                if "past the changelog's end" in line or "transaction failed" in line or \
                        "commit before revocation failed" in line:
                    log(f"  {p.name}| {line}")
    check(drain_failure is None, f"drain: {drain_failure}")
    check(not bad, f"word-counts is not exactly 1..n per word ({len(bad)} words):\n  " +
          "\n  ".join(bad[:10]))
    check(len(committed[OUTPUT]) == len(inputs),
          f"{len(committed[OUTPUT])} committed counts for {len(inputs)} inputs")

    # words-even: exactly one copy of each even-length input record.
    want = collections.Counter((m.key(), m.value()) for m in inputs if routed(m.value().decode()))
    got = collections.Counter((m.key(), m.value()) for m in committed[ROUTED])
    dups = [(k, n) for k, n in got.items() if n > 1]
    missing = [k for k in want if k not in got]
    extra = [k for k in got if k not in want]
    check(not dups and not missing and not extra,
          f"'{ROUTED}': {len(dups)} duplicated, {len(missing)} missing, {len(extra)} unexpected "
          f"records, e.g. dup {dups[:3]} missing {missing[:3]} extra {extra[:3]}")

    # Aborted transactions happened (kills mid-transaction) and were hidden.
    hidden = aborted[OUTPUT] + aborted[ROUTED]
    if require_aborted:
        check(hidden > 0, f"no aborted record in '{OUTPUT}' or '{ROUTED}' after {survived}: "
              f"the disruptions proved nothing")

    restores = restore_events = txn_failures = 0
    for p in broker_common.Process.all:
        text = p.text()
        restores += len(re.findall(r"restored store " + STORE + r":", text))
        restore_events += len(re.findall(r"restoring store " + STORE + r" from", text))
        txn_failures += len(re.findall(r"transaction failed|abort_transaction", text))
    log(f"{ctx.scenario} test PASSED: {survived}, {len(inputs)} input records, {len(committed[OUTPUT])} counts and "
        f"{len(committed[ROUTED])} routed records checked exactly once over {len(expected)} "
        f"words, {hidden} aborted output records hidden ({aborted[repartition]} repartition, "
        f"{aborted[changelog]} changelog), {restores} restorations of '{STORE}' "
        f"({restore_events} started), {txn_failures} transaction failures in the logs; "
        f"{elapsed:.0f}s")


def scenario_broker_failure(ctx):
    """EOS instances on a 3-node cluster; a node stopped mid-stream and started again: exactly
    once."""
    rng = random.Random(ctx.seed)
    t_start = time.monotonic()
    with OwnCluster(ctx.kafka_broker, ctx.work, nodes=3, prefix="eos-it-cluster3-") as cluster:
        bootstrap = cluster.bootstrap
        recreate_topics(cluster.admin, bootstrap, [INPUT, OUTPUT, ROUTED], 6, replication=3,
                        configs={"min.insync.replicas": "2"})
        log(f"application.id {ctx.app_id}, seed {ctx.seed}, input for {ctx.duration:.0f}s at "
            f"{ctx.rate}/s, stream threads per instance {ctx.threads}")
        feeder = broker_common.Feeder(bootstrap, INPUT,
                                      lambda r, i: word_record(r, i, ctx.seed), ctx.rate,
                                      random.Random(ctx.seed + 1))
        counts = Counts(bootstrap)
        apps = []
        try:
            apps = [App(f"app-{i}", ctx.app_bin, bootstrap, ctx.app_id,
                        os.path.join(ctx.work, f"state-{i}"), ctx.work, APP_FLAGS, threads)
                    for i, threads in enumerate(ctx.threads)]
            feeder.start()
            input_end = time.monotonic() + ctx.duration
            # The node goes down mid-stream: once counts flow (on a loaded machine the apps'
            # first transactions may take a while), and at least a third of the input in.
            warm = time.monotonic() + min(20.0, ctx.duration / 3)
            warm_limit = time.monotonic() + 60
            while time.monotonic() < warm or (counts.records == 0 and
                                              time.monotonic() < warm_limit):
                counts.poll(0.3)
            check(counts.records > 0, f"no counts within 60 s:\n{apps[0].tail()}")
            # The node coordinating the app's consumer group (the transactions' offsets go
            # there too), else a random one.
            node = rng.randint(1, 3)
            try:
                groups = cluster.admin.list_groups(ctx.app_id, timeout=10)
                if groups and groups[0].broker is not None:
                    node = groups[0].broker.id
            except Exception as e:  # noqa: BLE001 - the choice is only a preference
                log(f"list_groups: {e}")
            before = counts.records
            cluster.stop_node(node)
            log(f"stopped node {node}; {before} counts so far, {feeder.sent} inputs sent")
            down_until = time.monotonic() + 8
            while time.monotonic() < down_until:
                counts.poll(0.3)
                for a in apps:
                    check(a.alive(), f"{a.name} died while node {node} was down:\n{a.tail()}")
            log(f"with node {node} down: counts {before} -> {counts.records}")
            cluster.start_node(node)
            while time.monotonic() < input_end:
                counts.poll(0.3)
                for a in apps:
                    check(a.alive(), f"{a.name} exited by itself:\n{a.tail()}")
            feeder.stop()
            log(f"input stopped: {feeder.sent} sent, {feeder.delivered} delivered")
            inputs, expected, drain_failure = drain_and_stop(ctx, bootstrap, feeder, counts,
                                                             apps, "after the outage")
        finally:
            feeder.stop()
            counts.close()
            stop_all()  # the apps before the cluster
        verify(ctx, bootstrap, inputs, expected,
               f"node {node} (of 3) stopped for 8 s and started again", time.monotonic() - t_start,
               drain_failure, require_aborted=False)


SCENARIOS = {"crash": scenario_crash, "broker_failure": scenario_broker_failure}


class Context(ScenarioContext):
    def __init__(self, args):
        super().__init__("eos-it", args.scenario, args.budget, args.work_dir)
        self.app_bin = os.path.abspath(args.app)
        self.duration = args.duration
        self.min_kills = args.min_kills
        self.rate = args.rate
        self.drain_s = args.drain
        self.threads = args.threads
        self.scenario = args.scenario
        self.kafka_broker = os.path.abspath(args.kafka_broker)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    ap.add_argument("--app", required=True, help="the kstreams_word_count_app binary")
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--duration", type=float, default=100, help="seconds of input (and kills)")
    ap.add_argument("--min-kills", type=int, default=5)
    ap.add_argument("--rate", type=int, default=200, help="input records per second")
    ap.add_argument("--drain", type=float, default=60,
                    help="seconds for the outputs to catch up after the input stops")
    ap.add_argument("--budget", type=float, default=220, help="seconds for the scenario")
    ap.add_argument("--threads", default="1,2,2",
                    help="num.stream.threads of each instance, comma-separated (crash: cycled "
                         "over the 3 instances; broker_failure: one instance per entry)")
    ap.add_argument("--kafka-broker", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts", "kafka",
        "kafka-broker"), help="scripts/kafka/kafka-broker (broker_failure starts its own cluster)")
    args = ap.parse_args()
    try:
        args.threads = [int(n) for n in args.threads.split(",")]
    except ValueError:
        args.threads = []
    if not args.threads or min(args.threads) < 1:
        ap.error("--threads: expected positive counts, comma-separated, e.g. 1,2,2")
    ctx = Context(args)
    return run_scenario(args.scenario, SCENARIOS[args.scenario], ctx, ctx.work)


if __name__ == "__main__":
    sys.exit(main())
