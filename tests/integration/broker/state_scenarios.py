#!/usr/bin/env python3
"""State scenarios of a counting app (kstreams_word_count_app) against a real Apache Kafka broker.

The app (tests/integration/broker/word_count_app.cc) counts words:

    words (key: random, value: a word) -> group_by(word) [<app>-by-word-repartition]
          -> count("counts") [<app>-counts-changelog] -> to_stream() -> word-counts (int64 BE)

This driver feeds `words` with an independent Kafka client (confluent-kafka-python), reads
`word-counts` back and compares the latest count per word with the truth computed from what is
actually in `words` (read back at the end, so a producer retry can't skew it).

    state_scenarios.py --scenario NAME --app BIN --work-dir D [--budget S]

Scenarios (issue 4):
  restore      one app counts N records, is stopped cleanly, its state directory is deleted, it
               is restarted: the counts are rebuilt from the changelog (the app logs "restored
               store counts"), nothing is emitted again, M more records continue the counts.
  failover     two instances, input flowing; one is killed with SIGKILL mid-stream: the other
               takes its tasks and restores their state. Final counts may exceed the truth only
               by what the killed instance had processed but not committed (at-least-once):
               measured and bounded by the uncommitted input/repartition offsets at the kill.
  repartition  two instances from the start, random keys: every word meets in one task through
               the repartition topic; exact totals after a clean stop of both.

Broker: $KSTREAMS_TEST_BOOTSTRAP, else the first line of $KSTREAMS_TEST_BOOTSTRAP_FILE (the CTest
fixture `kafka_broker`). The topic names `words` and `word-counts` are fixed, so the scenarios on
one broker must not overlap (CTest RESOURCE_LOCK kafka_words); each deletes and recreates them
first and uses its own application id (so its own internal topics). Every process started here is
stopped by pid (finally/atexit, also on failure) and checked gone at the end.
"""

import argparse
import collections
import os
import random
import re
import shutil
import sys
import time

import broker_common
from broker_common import (Process, ScenarioContext, ScenarioFailure, check, log, read_topics, recreate_topics,
                           run_scenario, shared_bootstrap, stop_process, wait_log)
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

INPUT = "words"
OUTPUT = "word-counts"
TOPICS = [INPUT, OUTPUT]
STORE = "counts"
WORDS = [f"w{i:03d}" for i in range(200)]
COMMIT_INTERVAL_MS = 1000


class App(Process):
    """One kstreams_word_count_app process; its log (stderr) and stdout to a log file."""

    def __init__(self, name, binary, bootstrap, app_id, state_dir, log_dir, extra=(), threads=1):
        self.state_dir = state_dir
        os.makedirs(state_dir, exist_ok=True)
        super().__init__(name, [binary, "--bootstrap-servers", bootstrap, "--application-id",
                                app_id, "--state-dir", state_dir, "--threads", str(threads),
                                "--commit-interval-ms", str(COMMIT_INTERVAL_MS), *extra],
                         os.path.join(log_dir, f"{name}.log"))

    def tasks(self, prefix=""):
        """Tasks created (ever) and not closed since, from the log."""
        live = set()
        for m in re.finditer(r"(created|closed) task (\S+)", self.text()):
            if m.group(1) == "created":
                live.add(m.group(2))
            else:
                live.discard(m.group(2))
        return sorted(t for t in live if t.startswith(prefix))

    def applied_assignment(self):
        """True once every stream thread has created the tasks of its latest assignment: it logs
        its move to RUNNING after them. The broker calls the group stable before that, and an
        instance may still be opening the stores of its tasks (slowly, under a sanitizer)."""
        text = self.text()
        last_assigned = {}
        for m in re.finditer(r"(\S+-StreamThread-\d+)-consumer\S*: assigned \d+ partitions", text):
            last_assigned[m.group(1)] = m.end()
        return all(re.search(re.escape(thread) + r": state \S+ -> RUNNING", text[end:])
                   for thread, end in last_assigned.items())

    def restorations(self, since=0):
        """(task, records, seconds) of every 'restored store counts' line after offset `since`."""
        return [(m.group(1), int(m.group(2)), float(m.group(3))) for m in re.finditer(
            r"task (\S+): restored store " + STORE + r": (\d+) records in ([\d.]+) s",
            self.text()[since:])]

stop_app = stop_process


# ------------------------------------------------------------------------------------ broker --

class Broker:
    def __init__(self, bootstrap):
        self.bootstrap = bootstrap
        self.admin = AdminClient({"bootstrap.servers": bootstrap})

    def topic_names(self):
        return set(self.admin.list_topics(timeout=10).topics)

    def recreate_topics(self, partitions):
        """Delete `words` and `word-counts` (if present) and create them afresh, empty."""
        recreate_topics(self.admin, self.bootstrap, TOPICS, partitions)

    def group_assignment(self, group):
        """({member client id: partition count}, state) of the app's consumer group, from the
        broker (DescribeGroups; the assignments decoded from the consumer protocol)."""
        try:
            groups = self.admin.list_groups(group, timeout=10)
        except Exception as e:
            log(f"describe group {group}: {e}")
            return {}, "?"
        if not groups:
            return {}, "?"
        g = groups[0]
        return {m.client_id: assigned_partitions(m.assignment) for m in g.members}, g.state


def assigned_partitions(data):
    """Partitions in a ConsumerProtocol Assignment (int16 version, [topic, [int32]], bytes)."""
    if not data or len(data) < 6:
        return 0
    pos = 2
    topics = int.from_bytes(data[pos:pos + 4], "big", signed=True)
    pos += 4
    total = 0
    for _ in range(max(topics, 0)):
        name_len = int.from_bytes(data[pos:pos + 2], "big", signed=True)
        pos += 2 + max(name_len, 0)
        n = int.from_bytes(data[pos:pos + 4], "big", signed=True)
        pos += 4 + 4 * max(n, 0)
        total += max(n, 0)
    return total


def watermarks(bootstrap, topic):
    """{partition: high watermark} of `topic`."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"state-it-wm-{os.getpid()}",
                  "enable.auto.commit": False})
    try:
        md = c.list_topics(topic, timeout=10).topics[topic]
        check(md.error is None and md.partitions, f"no metadata for {topic}: {md.error}")
        return {p: broker_common.watermarks(c, topic, p)[1]
                for p in sorted(md.partitions)}
    finally:
        c.close()


def committed(bootstrap, group, topic):
    """{partition: committed offset of `group`} (-1001: none), without joining the group."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        md = c.list_topics(topic, timeout=10).topics[topic]
        got = c.committed([TopicPartition(topic, p) for p in md.partitions], timeout=10)
        return {tp.partition: tp.offset for tp in got}
    finally:
        c.close()


def read_topic(bootstrap, topic):
    return read_topics(bootstrap, [topic])[topic]


def decode_count(value):
    check(value is not None and len(value) == 8, f"word-counts value is not an int64: {value!r}")
    return int.from_bytes(value, "big", signed=True)


class Counts:
    """`word-counts` as it grows: every record per word in order, and the latest count."""

    def __init__(self, bootstrap):
        self.c = Consumer({"bootstrap.servers": bootstrap,
                           "group.id": f"state-it-counts-{os.getpid()}",
                           "enable.auto.commit": False})
        md = self.c.list_topics(OUTPUT, timeout=10).topics[OUTPUT]
        self.c.assign([TopicPartition(OUTPUT, p, 0) for p in md.partitions])  # 0: topic is new
        self.history = collections.defaultdict(list)  # word -> [(partition, offset, count)]
        self.latest = {}
        self.records = 0
        self.partition_of = {}

    def poll(self, max_s=2.0):
        """Reads what is there now (up to max_s seconds); returns the number of new records."""
        n = 0
        end = time.monotonic() + max_s
        while time.monotonic() < end:
            msgs = self.c.consume(5000, 0.2)
            if not msgs:
                break
            for m in msgs:
                if m.error():
                    raise ScenarioFailure(f"consume error: {m.error()}")
                word = m.key().decode()
                count = decode_count(m.value())
                self.history[word].append((m.partition(), m.offset(), count))
                self.latest[word] = count
                prev = self.partition_of.setdefault(word, m.partition())
                check(prev == m.partition(),
                      f"'{word}' in word-counts partitions {prev} and {m.partition()}")
                n += 1
        self.records += n
        return n

    def close(self):
        self.c.close()


def diff(latest, expected):
    """(under, over): words whose latest count is below / above the truth, with the figures."""
    under = {w: (latest.get(w, 0), n) for w, n in expected.items() if latest.get(w, 0) < n}
    over = {w: (latest[w], expected.get(w, 0)) for w in latest if latest[w] > expected.get(w, 0)}
    return under, over


def check_exact(latest, expected):
    under, over = diff(latest, expected)
    check(not under and not over, f"final counts: under {list(under.items())[:5]}, "
          f"over {list(over.items())[:5]}")


def final_poll(counts):
    """Reads the rest of word-counts (after the apps stopped) and closes the reader."""
    try:
        counts.poll()
    finally:
        counts.close()


def wait_counts(counts, expected, deadline, apps, what, exact=True):
    """Until the latest count of every word reaches `expected` (== if exact, else >=)."""
    t = time.monotonic()
    last = None
    while True:
        counts.poll()
        under, over = diff(counts.latest, expected)
        if not under and (not exact or not over):
            log(f"{what}: every count reached in {time.monotonic() - t:.1f}s "
                f"({counts.records} output records so far)")
            return
        state = (len(under), len(over))
        if state != last:
            log(f"{what}: {len(under)} words below, {len(over)} above the truth "
                f"({counts.records} output records)")
            last = state
        for a in apps:
            check(a.alive(), f"{a.name} exited ({a.proc.returncode}) while waiting:\n{a.tail()}")
        check(time.monotonic() < deadline,
              f"{what}: counts not reached before the deadline: under {list(under.items())[:5]}, "
              f"over {list(over.items())[:5]}")
        time.sleep(0.3)


def wait_quiet(counts, quiet_s, deadline, apps):
    """Until `word-counts` got nothing new for quiet_s seconds."""
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < quiet_s:
        if counts.poll(0.5):
            quiet_since = time.monotonic()
        for a in apps:
            check(a.alive(), f"{a.name} exited ({a.proc.returncode}):\n{a.tail()}")
        check(time.monotonic() < deadline, "word-counts never went quiet before the deadline")
        time.sleep(0.2)


def true_counts(bootstrap):
    records = read_topic(bootstrap, INPUT)
    per_word = collections.Counter(m.value().decode() for m in records)
    spread = collections.defaultdict(set)
    for m in records:
        spread[m.value().decode()].add(m.partition())
    return per_word, len(records), spread


# ----------------------------------------------------------------------------------- feeding --

def make_word(rng, _i):
    """(random key, word): skewed word frequencies (some words far more common), random keys: a
    word arrives on every input partition and must meet its other occurrences in one count task."""
    word = WORDS[min(int(rng.expovariate(1 / 60)), len(WORDS) - 1)] \
        if rng.random() < 0.5 else rng.choice(WORDS)
    return f"k{rng.randrange(1 << 30)}".encode(), word.encode()


def Feeder(bootstrap, seed, rate=0):  # noqa: N802 (a Feeder of words)
    return broker_common.Feeder(bootstrap, INPUT, make_word, rate, random.Random(seed))


# --------------------------------------------------------------------------------- scenarios --

def start_pair(ctx, broker, extra=()):
    """Two instances of the app (same application.id, own state dirs)."""
    return tuple(App(f"app-{x}", ctx.app_bin, broker.bootstrap, ctx.app_id,
                     os.path.join(ctx.work, f"state-{x}"), ctx.work, extra) for x in "ab")


def wait_group(broker, ctx, apps, want_members, total, timeout_s=60):
    """Until the broker says the group has these members owning all `total` partitions, and
    the instances have created the tasks for them."""
    end = min(ctx.deadline, time.monotonic() + timeout_s)
    last = None
    while True:
        members, state = broker.group_assignment(ctx.app_id)
        if (members, state) != last:
            log(f"group '{ctx.app_id}' ({state}): {members}")
            last = (members, state)
        if state.lower() == "stable" and len(members) == want_members and \
                all(n > 0 for n in members.values()) and sum(members.values()) == total and \
                all(a.applied_assignment() for a in apps):
            return members
        for a in apps:
            check(a.alive(), f"{a.name} exited:\n{a.tail()}")
        check(time.monotonic() < end, f"the group never had {want_members} members owning all "
              f"{total} partitions: {members} ({state})")
        time.sleep(0.5)


def scenario_restore(ctx):
    """Count N, stop, delete the state dir, restart: counts rebuilt from the changelog, go on."""
    n, m = 20000, 5000
    broker = ctx.shared_broker()
    broker.recreate_topics(partitions=6)
    feeder = Feeder(broker.bootstrap, ctx.seed)
    feeder.produce(n)
    feeder.flush()
    check(not feeder.failed, f"feeder delivery failures: {feeder.failed[:3]}")
    expected1, inputs, _ = true_counts(broker.bootstrap)
    check(inputs == n, f"'{INPUT}' holds {inputs} records, {n} were sent")
    log(f"produced {n} records over {len(expected1)} words (max {max(expected1.values())}, "
        f"min {min(expected1.values())} per word)")
    counts = Counts(broker.bootstrap)
    state_dir = os.path.join(ctx.work, "state")
    # No record cache: every count update goes to the changelog (N records to restore) and to
    # word-counts, so each word's output is exactly 1, 2, ..., its count: a gap, a repeat or a
    # restart from 1 shows.
    no_cache = ["--property", "statestore.cache.max.bytes=0"]
    try:
        a1 = App("app-1", ctx.app_bin, broker.bootstrap, ctx.app_id, state_dir, ctx.work, no_cache)
        wait_counts(counts, expected1, ctx.deadline, [a1], "first run")
        stop_app(a1)
        counts.poll()
        before = dict(counts.latest)
        end1 = watermarks(broker.bootstrap, OUTPUT)
        records1 = counts.records
        check(sum(end1.values()) == records1,
              f"read {records1} word-counts records, the topic holds {sum(end1.values())}")
        under, over = diff(before, expected1)
        check(not under and not over, f"after the first run: under {under}, over {over}")
        log(f"first run: {records1} output records, word-counts ends {end1}")
        check(records1 == n, f"first run: {records1} output records for {n} inputs (no cache)")
        bad = [w for w, h in counts.history.items()
               if [c for _, _, c in h] != list(range(1, expected1[w] + 1))]
        check(not bad, f"first run: output of {bad[:5]} is not 1..count, e.g. "
              f"{[c for _, _, c in counts.history[bad[0]]][:20] if bad else ''}")
        checkpoints = [os.path.join(d, f) for d, _, fs in os.walk(state_dir) for f in fs
                       if f == ".checkpoint"]
        log(f"state dir after a clean close: {len(checkpoints)} .checkpoint files; deleting it")
        check(checkpoints, f"no .checkpoint file under {state_dir} after a clean close")
        shutil.rmtree(state_dir)
        changelog = f"{ctx.app_id}-{STORE}-changelog"
        changelog_ends = watermarks(broker.bootstrap, changelog)
        log(f"changelog '{changelog}' ends {changelog_ends} ({sum(changelog_ends.values())} "
            f"records)")

        a2 = App("app-2", ctx.app_bin, broker.bootstrap, ctx.app_id, state_dir, ctx.work, no_cache)
        count_tasks = 6  # one per partition of the repartition topic (= words' 6)
        wait_log(a2, r"restored store " + STORE + ":", ctx.deadline, "restoration", count_tasks)
        wait_log(a2, r"restored; processing starts", ctx.deadline, "processing", count_tasks)
        restored = a2.restorations()
        total_restored = sum(r for _, r, _ in restored)
        log(f"app-2 restored {len(restored)} tasks: {total_restored} changelog records, "
            f"longest {max(s for _, _, s in restored):.2f}s: " +
            ", ".join(f"{t} {r} in {s:.2f}s" for t, r, s in restored))
        check(len(restored) == count_tasks, f"{len(restored)} restorations of '{STORE}', "
              f"expected one per count task ({count_tasks})")
        check(len(expected1) <= total_restored <= sum(changelog_ends.values()),
              f"restored {total_restored} records for {len(expected1)} words from a changelog "
              f"of {sum(changelog_ends.values())} records")
        # Restoration writes no output and the committed input offsets hold: nothing is
        # re-emitted while no new input arrives (2 commit intervals + margin).
        time.sleep(3 * COMMIT_INTERVAL_MS / 1000 + 1)
        counts.poll()
        end2 = watermarks(broker.bootstrap, OUTPUT)
        log(f"after the restart, before new input: word-counts ends {end2}")
        check(end2 == end1, f"output written after the restart without new input: {end1} -> {end2}")
        check(counts.records == records1, "output records read after the restart, no new input")

        feeder.produce(m)
        feeder.stop()
        expected2, inputs, _ = true_counts(broker.bootstrap)
        check(inputs == n + m, f"'{INPUT}' holds {inputs} records, {n + m} were sent")
        new_words = {w for w in expected2 if expected2[w] != expected1.get(w, 0)}
        log(f"produced {m} more records ({len(new_words)} words got new occurrences)")
        wait_counts(counts, expected2, ctx.deadline, [a2], "second run")
        wait_quiet(counts, 2 * COMMIT_INTERVAL_MS / 1000 + 1, ctx.deadline, [a2])
        stop_app(a2)
    finally:
        final_poll(counts)
    check_exact(counts.latest, expected2)
    # What the second run emitted, per word: exactly before+1, ..., new count. A count rebuilt
    # from nothing would start again at 1; a reprocessed input would repeat a value; nothing is
    # emitted for a word without new input.
    bad = []
    emitted = 0
    for w in set(counts.history) | set(expected2):
        after = [c for p, o, c in counts.history.get(w, []) if o >= end1[p]]
        emitted += len(after)
        want = list(range(before.get(w, 0) + 1, expected2[w] + 1))
        if after != want:
            bad.append(f"{w}: emitted {after[:8]}{'...' if len(after) > 8 else ''} "
                       f"({len(after)} values), expected {before.get(w, 0) + 1}..{expected2[w]}")
    log(f"second run: {emitted} output records for {m} new inputs; every word's output is "
        f"exactly (count before the restart)+1 .. (new count): {'yes' if not bad else 'NO'}")
    check(not bad, "second run output:\n  " + "\n  ".join(bad[:10]))
    log(f"final counts equal the truth for all {len(expected2)} words ({n + m} records); "
        f"restoration rebuilt {total_restored} changelog records")


def scenario_failover(ctx):
    """Two instances, input flowing, one SIGKILLed: the other takes its tasks and state."""
    rate = 500
    broker = ctx.shared_broker()
    broker.recreate_topics(partitions=6)
    extra = ["--property", "consumer.session.timeout.ms=6000",
             "--property", "consumer.heartbeat.interval.ms=1000"]
    feeder = Feeder(broker.bootstrap, ctx.seed, rate=rate).start()
    counts = Counts(broker.bootstrap)
    repartition = f"{ctx.app_id}-by-word-repartition"
    try:
        a, b = start_pair(ctx, broker, extra)
        # 6 words partitions + 6 repartition partitions; both members own some.
        wait_group(broker, ctx, [a, b], 2, 12)
        time.sleep(4)  # both process for a while (and commit a few times)
        counts.poll()
        ta, tb = a.tasks("1_"), b.tasks("1_")
        log(f"count tasks: app-a {ta}, app-b {tb}")
        victim, survivor = (a, b) if ta else (b, a)
        check(victim.tasks("1_"), "neither instance owns a count task")
        survivor_log_at_kill = len(survivor.text())
        sent_at_kill = feeder.sent
        t_kill = time.monotonic()
        victim.kill()
        log(f"{victim.name} (pid {victim.pid}) killed with SIGKILL after {sent_at_kill} records "
            f"were sent; it owned {victim.tasks()}")
        # What the victim may have processed without committing: everything between the
        # group's committed offsets and the ends, right after the kill (its partitions' committed
        # offsets can't move until the survivor owns them, >= the 6 s session timeout later).
        uncommitted = 0
        victim_uncommitted = 0
        victim_parts = {INPUT: {int(t.split("_")[1]) for t in victim.tasks("0_")},
                        repartition: {int(t.split("_")[1]) for t in victim.tasks("1_")}}
        for topic in (INPUT, repartition):
            com = committed(broker.bootstrap, ctx.app_id, topic)
            ends = watermarks(broker.bootstrap, topic)
            gap = {p: ends[p] - max(com.get(p, 0), 0) for p in ends}
            uncommitted += sum(gap.values())
            victim_uncommitted += sum(g for p, g in gap.items() if p in victim_parts[topic])
            log(f"at the kill, '{topic}': ends {ends}, committed {com}: {sum(gap.values())} "
                f"uncommitted, {sum(g for p, g in gap.items() if p in victim_parts[topic])} "
                f"of them on {victim.name}'s partitions {sorted(victim_parts[topic])}")
        # The survivor gets everything and restores the victim's count tasks from the changelog.
        wait_group(broker, ctx, [survivor], 1, 12, timeout_s=60)
        log(f"{survivor.name} owns all 12 partitions {time.monotonic() - t_kill:.1f}s after "
            f"the kill")
        moved = victim.tasks("1_")
        end = min(ctx.deadline, time.monotonic() + 60)
        while True:
            done = {t for t, _, _ in survivor.restorations(survivor_log_at_kill)}
            if set(moved) <= done:
                break
            check(survivor.alive(), f"{survivor.name} exited:\n{survivor.tail()}")
            check(time.monotonic() < end, f"{survivor.name} restored {sorted(done)}, not all of "
                  f"{moved}:\n{survivor.tail()}")
            time.sleep(0.3)
        rest = [r for r in survivor.restorations(survivor_log_at_kill) if r[0] in moved]
        log(f"{survivor.name} restored the moved count tasks: " +
            ", ".join(f"{t} {r} records in {s:.2f}s" for t, r, s in rest))
        time.sleep(3)  # the survivor alone, input still flowing
    finally:
        feeder.stop()
    log(f"feeder: sent {feeder.sent} at {rate}/s, delivered {feeder.delivered}")
    check(not feeder.failed, f"feeder delivery failures: {feeder.failed[:3]}")
    try:
        expected, inputs, _ = true_counts(broker.bootstrap)
        check(inputs == feeder.sent, f"'{INPUT}' holds {inputs} records, {feeder.sent} were sent")
        wait_counts(counts, expected, ctx.deadline, [survivor], "after the failover", exact=False)
        wait_quiet(counts, 2 * COMMIT_INTERVAL_MS / 1000 + 1, ctx.deadline, [survivor])
        stop_app(survivor)
        counts.poll()
    finally:
        counts.close()
    under, over = diff(counts.latest, expected)
    over_total = sum(got - want for got, want in over.values())
    rep_records = len(read_topic(broker.bootstrap, repartition))
    rate_bound = 2 * rate * (COMMIT_INTERVAL_MS / 1000)
    log(f"final: {inputs} input records, {len(expected)} words; under-counted words "
        f"{len(under)}; over-counted words {len(over)}, total over-count {over_total} "
        f"({100 * over_total / inputs:.2f}% of the input)")
    log(f"  of which re-sent through the repartition topic (its records - inputs): "
        f"{rep_records - inputs}; counted again from the changelog-restored state: "
        f"{over_total - (rep_records - inputs)}")
    log(f"over-count bound: records between the committed offsets and the ends of '{INPUT}' "
        f"and '{repartition}' right after the kill = {uncommitted} (each can be counted at "
        f"most once more; {victim_uncommitted} on {victim.name}'s partitions); for scale, "
        f"2 x rate x commit interval = {rate_bound:.0f}")
    check(not under, f"lost counts (under the truth): {list(under.items())[:10]}")
    check(over_total <= uncommitted,
          f"over-count {over_total} exceeds the uncommitted records at the kill ({uncommitted}): "
          f"{list(over.items())[:10]}")


def scenario_repartition(ctx):
    """Two instances, random keys on 6 partitions: exact per-word totals via the repartition."""
    n = 20000
    broker = ctx.shared_broker()
    broker.recreate_topics(partitions=6)
    counts = Counts(broker.bootstrap)
    repartition = f"{ctx.app_id}-by-word-repartition"
    try:
        a, b = start_pair(ctx, broker)
        members = wait_group(broker, ctx, [a, b], 2, 12)
        ta, tb = a.tasks("1_"), b.tasks("1_")
        log(f"count tasks: app-a {ta}, app-b {tb} (group: {members})")
        check(ta and tb, "both instances own count tasks")
        feeder = Feeder(broker.bootstrap, ctx.seed)
        feeder.produce(n)
        feeder.stop()
        expected, inputs, spread = true_counts(broker.bootstrap)
        check(inputs == n, f"'{INPUT}' holds {inputs} records, {n} were sent")
        many = sum(1 for w in expected if len(spread[w]) > 1)
        log(f"produced {n} records over {len(expected)} words; {many} words arrived on more "
            f"than one input partition (avg {sum(map(len, spread.values())) / len(spread):.1f})")
        wait_counts(counts, expected, ctx.deadline, [a, b], "two instances")
        wait_quiet(counts, 2 * COMMIT_INTERVAL_MS / 1000 + 1, ctx.deadline, [a, b])
        check(a.tasks("1_") == ta and b.tasks("1_") == tb,
              f"count tasks moved during the run: {ta} -> {a.tasks('1_')}, "
              f"{tb} -> {b.tasks('1_')}")
        stop_app(a)
        stop_app(b)
    finally:
        final_poll(counts)
    check_exact(counts.latest, expected)
    rep = read_topic(broker.bootstrap, repartition)
    per_word_partitions = collections.defaultdict(set)
    for m in rep:
        per_word_partitions[m.key().decode()].add(m.partition())
    split = {w: ps for w, ps in per_word_partitions.items() if len(ps) > 1}
    log(f"'{repartition}': {len(rep)} records for {n} inputs; words on more than one "
        f"partition: {len(split)}")
    check(len(rep) == n, f"the repartition topic holds {len(rep)} records for {n} inputs")
    check(not split, f"words on several repartition partitions: {list(split.items())[:5]}")
    log(f"final counts equal the truth for all {len(expected)} words: no under-, no over-count")


SCENARIOS = {
    "restore": scenario_restore,
    "failover": scenario_failover,
    "repartition": scenario_repartition,
}


# -------------------------------------------------------------------------------------- main --

class Context(ScenarioContext):
    def __init__(self, args):
        super().__init__("state-it", args.scenario, args.budget, args.work_dir)
        self.app_bin = os.path.abspath(args.app)

    def shared_broker(self):
        bootstrap, _ = shared_bootstrap()
        check(all(h.split(":")[0] in ("127.0.0.1", "localhost") for h in bootstrap.split(",")),
              f"bootstrap {bootstrap} is not on 127.0.0.1")
        log(f"shared broker {bootstrap}, application.id {self.app_id}, seed {self.seed}")
        return Broker(bootstrap)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    ap.add_argument("--app", required=True, help="the kstreams_word_count_app binary")
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--budget", type=float, default=150, help="seconds for the scenario")
    args = ap.parse_args()
    ctx = Context(args)
    return run_scenario(args.scenario, SCENARIOS[args.scenario], ctx, ctx.work)


if __name__ == "__main__":
    sys.exit(main())
