#!/usr/bin/env python3
"""Black-box scenarios of the address-router *processes* against a real Apache Kafka broker.

Each scenario starts `address-router` processes (the binary given by --router), feeds the
`addresses` topic with an independent Kafka client (confluent-kafka-python, not kstreams), reads
the four output topics back and checks that every input record landed exactly where it belongs.
The expectation is always computed from what is actually in `addresses` at the end (decoded here
with the .proto), so a producer retry can't skew it.

    router_scenarios.py --scenario NAME --router BIN --kafka-broker SCRIPT --proto FILE --work-dir D

Scenarios: end_to_end, scale_out, consumer_outage, broker_failure, bad_input, static_membership.

Broker: $KSTREAMS_TEST_BOOTSTRAP, else the first line of $KSTREAMS_TEST_BOOTSTRAP_FILE (the CTest
fixture `kafka_broker`); its directory ($KSTREAMS_KAFKA_FIXTURE_DIR, else the bootstrap file's
folder) is used for `kafka-broker tool`. The router's topic names are fixed, so scenarios on the
shared broker must not overlap (CTest RESOURCE_LOCK kafka_addresses); each deletes and recreates
the topics first and uses its own application id. broker_failure runs its own 3-node cluster in a
temp dir. Every process started here is stopped by pid (finally/atexit, also on failure) and
checked gone at the end.
"""

import argparse
import collections
import importlib
import os
import random
import re
import subprocess
import sys
import tempfile
import time

import broker_common
from broker_common import (OwnCluster, Process, ScenarioContext, ScenarioFailure, check, log,
                           read_topics, recreate_topics, run_scenario, shared_bootstrap,
                           stop_all, stop_process, wait_log)
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

INPUT = "addresses"
SHIPPING_T = "addresses.shipping"
BILLING_T = "addresses.billing"
INVALID_T = "addresses.invalid"
DLQ_T = "addresses.dlq"
OUTPUTS = [SHIPPING_T, BILLING_T, INVALID_T, DLQ_T]
ALL_TOPICS = [INPUT] + OUTPUTS

DLQ_HEADERS = ["__streams.errors.exception", "__streams.errors.message",
               "__streams.errors.topic", "__streams.errors.partition",
               "__streams.errors.offset"]


class Router(Process):
    """One address-router process; output to a log file."""

    def __init__(self, name, binary, bootstrap, app_id, work_dir, extra=()):
        state_dir = os.path.join(work_dir, f"state-{name}")
        os.makedirs(state_dir, exist_ok=True)
        super().__init__(name, [binary, "--bootstrap-servers", bootstrap, "--application-id",
                                app_id, "--state-dir", state_dir, *extra],
                         os.path.join(work_dir, f"{name}.log"))


# ------------------------------------------------------------------------------------ broker --

class Broker:
    """A cluster reached through kafka-broker: the shared fixture or one started here."""

    def __init__(self, script, directory, bootstrap):
        self.script = script
        self.dir = directory
        self.bootstrap = bootstrap
        self.admin = AdminClient({"bootstrap.servers": bootstrap})

    def run(self, *args, timeout=120, check_rc=True):
        cmd = ["bash", self.script, args[0], "--dir", self.dir, *args[1:]]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        out = p.stdout.decode("utf-8", "replace")
        if check_rc and p.returncode != 0:
            raise ScenarioFailure(f"kafka-broker {' '.join(args)} failed ({p.returncode}):\n{out}")
        return out

    def topic_names(self):
        return set(self.admin.list_topics(timeout=10).topics)

    def recreate_topics(self, partitions, replication=None, configs=None, deadline_s=60):
        """Delete the router's topics (if present) and create them afresh, empty."""
        recreate_topics(self.admin, self.bootstrap, ALL_TOPICS, partitions, replication,
                        configs, deadline_s)

    def describe_group(self, group):
        """Members and their partition counts, from the broker (ConsumerGroupCommand)."""
        out = self.run("tool", "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                       "--bootstrap-server", self.bootstrap, "--describe", "--group", group,
                       "--members", timeout=60, check_rc=False)
        members = {}
        header = None
        for line in out.splitlines():
            cols = line.split()
            if not cols:
                continue
            if cols[0] == "GROUP":
                header = cols
                continue
            if header and cols[0] == group and "#PARTITIONS" in header:
                members[cols[header.index("CLIENT-ID")]] = int(cols[header.index("#PARTITIONS")])
        return members, out


# ------------------------------------------------------------------------------- wire format --

def load_proto(proto_path, tmp):
    subprocess.run(["protoc", f"--proto_path={os.path.dirname(proto_path)}",
                    f"--python_out={tmp}", os.path.basename(proto_path)], check=True)
    sys.path.insert(0, tmp)
    module = importlib.import_module(os.path.basename(proto_path)[:-len(".proto")] + "_pb2")
    return module


class Wire:
    def __init__(self, pb):
        self.pb = pb

    def decode(self, value):
        a = self.pb.Address()
        try:
            a.ParseFromString(value or b"")
        except Exception:
            return None
        return a

    def route(self, value):
        """The topic the router must send this input value to, and its canonical form."""
        a = self.decode(value)
        if a is None:
            return DLQ_T, b"raw:" + (value or b"")
        required = all([a.address_id, a.customer_id, a.street, a.city, a.postal_code])
        canon = b"pb:" + a.SerializeToString(deterministic=True)
        if a.type == self.pb.SHIPPING and required:
            return SHIPPING_T, canon
        if a.type == self.pb.BILLING and required:
            return BILLING_T, canon
        return INVALID_T, canon

    def canon_output(self, topic, value):
        if topic == DLQ_T:
            return b"raw:" + (value or b"")
        a = self.decode(value)
        if a is None:
            return b"undecodable:" + (value or b"")
        return b"pb:" + a.SerializeToString(deterministic=True)

    # Independent input: unique address ids, ~10% incomplete, ~5% undecodable.
    STREETS = ["Main St", "High St", "Station Rd", "Church Ln", "Park Ave"]
    CITIES = ["Springfield", "Rivertown", "Lakeside", "Hillview", "Oakdale"]

    def make(self, rng, run, i):
        pb = self.pb
        a = pb.Address(address_id=f"{run}-{i}", customer_id=f"cust-{rng.randrange(1000)}",
                       type=pb.SHIPPING if rng.random() < 0.5 else pb.BILLING,
                       street=f"{1 + rng.randrange(200)} {rng.choice(self.STREETS)}",
                       city=rng.choice(self.CITIES), postal_code=str(10000 + rng.randrange(89999)),
                       country="GB", updated_at_ms=int(time.time() * 1000))
        key = a.customer_id.encode()
        r = rng.random()
        if r < 0.05:
            return key, b"\x0f\xff\xff not protobuf " + f"{run}-{i}".encode()
        if r < 0.10:
            if rng.random() < 0.5:
                a.ClearField("postal_code")
            else:
                a.type = pb.ADDRESS_TYPE_UNSPECIFIED
        return key, a.SerializeToString()


# ----------------------------------------------------------------------------- kafka clients --

def output_total(bootstrap):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"router-it-counter-{os.getpid()}"})
    try:
        md = c.list_topics(timeout=10).topics
        total = 0
        for t in OUTPUTS:
            for p in md[t].partitions:
                low, high = broker_common.watermarks(c, t, p)
                total += high - low
        return total
    finally:
        c.close()


def Feeder(bootstrap, wire, run, rate, seed):  # noqa: N802 (a Feeder of generated addresses)
    """Produces generated addresses to `addresses` at `rate`/s on a thread until stopped."""
    return broker_common.Feeder(bootstrap, INPUT, lambda rng, i: wire.make(rng, run, i), rate,
                                random.Random(seed))


# ------------------------------------------------------------------------------ verification --

def murmur2(data):
    """Kafka's Utils.murmur2 (what the Java DefaultPartitioner hashes keys with)."""
    m, r, mask = 0x5BD1E995, 24, 0xFFFFFFFF
    h = (0x9747B28C ^ len(data)) & mask
    n4 = len(data) // 4
    for i in range(n4):
        k = int.from_bytes(data[4 * i:4 * i + 4], "little")
        k = (k * m) & mask
        k ^= k >> r
        k = (k * m) & mask
        h = (h * m) & mask
        h ^= k
    rest = len(data) % 4
    if rest == 3:
        h ^= data[4 * n4 + 2] << 16
    if rest >= 2:
        h ^= data[4 * n4 + 1] << 8
    if rest >= 1:
        h ^= data[4 * n4]
        h = (h * m) & mask
    h ^= h >> 13
    h = (h * m) & mask
    h ^= h >> 15
    return h


def java_partition(key, partitions):
    return (murmur2(key) & 0x7FFFFFFF) % partitions


class Verdict:
    def __init__(self, wire, inputs, outputs):
        self.expected = collections.Counter()
        for m in inputs:
            topic, canon = wire.route(m.value())
            self.expected[(topic, m.key(), canon)] += 1
        self.got = collections.Counter()
        for topic, msgs in outputs.items():
            for m in msgs:
                self.got[(topic, m.key(), wire.canon_output(topic, m.value()))] += 1
        self.missing = self.expected - self.got
        self.extra = self.got - self.expected
        self.unexpected = {k: n for k, n in self.extra.items() if k not in self.expected}
        self.duplicates = sum(n for k, n in self.extra.items() if k in self.expected)
        self.inputs = len(inputs)
        self.per_topic_expected = collections.Counter()
        for (t, _, _), n in self.expected.items():
            self.per_topic_expected[t] += n
        self.per_topic_got = {t: len(outputs.get(t, [])) for t in OUTPUTS}

    def report(self):
        log(f"input records in '{INPUT}': {self.inputs}")
        log(f"  {'topic':<20} {'records':>8} {'expected':>9}")
        for t in OUTPUTS:
            log(f"  {t:<20} {self.per_topic_got[t]:>8} {self.per_topic_expected[t]:>9}")
        log(f"  missing {sum(self.missing.values())}, duplicates {self.duplicates}, "
            f"unexpected {sum(self.unexpected.values())}")

    def assert_complete(self, allow_duplicates):
        details = []
        for (t, k, c), n in list(self.missing.items())[:5]:
            details.append(f"missing from {t}: key={k!r} value={c[:60]!r} x{n}")
        for (t, k, c), n in list(self.unexpected.items())[:5]:
            details.append(f"unexpected in {t}: key={k!r} value={c[:60]!r} x{n}")
        check(not self.missing, "input records missing from the outputs:\n  " + "\n  ".join(details))
        check(not self.unexpected, "output records that no input explains:\n  " +
              "\n  ".join(details))
        if not allow_duplicates:
            check(self.duplicates == 0, f"{self.duplicates} duplicated output records")


def wait_for_outputs(bootstrap, want, deadline, routers=(), what="outputs"):
    """Until the output topics hold >= want records; fails early if a router died."""
    last = -1
    while True:
        total = output_total(bootstrap)
        if total != last:
            log(f"{what}: {total}/{want} output records")
            last = total
        if total >= want:
            return total
        for r in routers:
            check(r.alive(), f"{r.name} exited ({r.proc.returncode}) while waiting:\n{r.tail()}")
        check(time.monotonic() < deadline, f"{what}: only {total} of {want} output records "
              f"before the deadline")
        time.sleep(0.5)


def wait_covered(bootstrap, wire, deadline, routers=()):
    """Until every record of `addresses` is in the outputs; returns the final Verdict."""
    while True:
        want = len(read_topics(bootstrap, [INPUT])[INPUT])
        wait_for_outputs(bootstrap, want, deadline, routers)
        v = Verdict(wire, read_topics(bootstrap, [INPUT])[INPUT], read_topics(bootstrap, OUTPUTS))
        if not v.missing:
            return v
        check(time.monotonic() < deadline,
              f"{sum(v.missing.values())} input records still missing at the deadline")
        time.sleep(1)


def tasks_of(router):
    return sorted(set(re.findall(r"created task (\S+)", router.text())))


def client_id_of(router):
    """The stream thread's client id (the consumer's is it + '-consumer'), from the log."""
    ids = sorted(set(re.findall(r"(\S+-StreamThread-\d+): created task", router.text())))
    check(len(ids) == 1, f"{router.name}: expected one stream thread in the log, found {ids}")
    return ids[0]


def processed_of(router):
    found = re.findall(r"closed \(.*\); processed (\d+)", router.text())
    return int(found[-1]) if found else None


def wait_members_owning_all(broker, ctx, members_wanted, partitions, routers):
    """Until the group has `members_wanted` members that together own all `partitions`, each at
    least one (the broker's view); returns the members (client id -> partition count)."""
    end = min(ctx.deadline, time.monotonic() + 60)
    while True:
        members, out = broker.describe_group(ctx.app_id)
        log(f"group '{ctx.app_id}' members (broker's view): {members}")
        if len(members) == members_wanted and all(n > 0 for n in members.values()) and \
                sum(members.values()) == partitions:
            return members
        for r in routers:
            check(r.alive(), f"{r.name} exited:\n{r.tail()}")
        check(time.monotonic() < end,
              f"the group never had {members_wanted} members owning tasks:\n{out}")
        time.sleep(1)


stop_router = stop_process


# --------------------------------------------------------------------------------- scenarios --

def scenario_end_to_end(ctx):
    """--generate N, run the router, every input record lands where it belongs, exactly once."""
    n = 20000
    broker = ctx.shared_broker()
    broker.recreate_topics(partitions=3)
    t = time.monotonic()
    p = subprocess.run([ctx.router_bin, "--bootstrap-servers", broker.bootstrap, "--generate",
                        str(n), "--seed", str(ctx.seed), "--invalid-share", "0.2"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    log(f"address-router --generate {n}: exit {p.returncode} in {time.monotonic() - t:.1f}s: "
        f"{p.stdout.decode().strip()}")
    check(p.returncode == 0, "--generate failed")
    inputs = read_topics(broker.bootstrap, [INPUT])[INPUT]
    check(len(inputs) == n, f"'{INPUT}' holds {len(inputs)} records, --generate said {n}")
    r = Router("router", ctx.router_bin, broker.bootstrap, ctx.app_id, ctx.work)
    t = time.monotonic()
    wait_for_outputs(broker.bootstrap, n, ctx.deadline, [r])
    log(f"router processed {n} records in {time.monotonic() - t:.1f}s (incl. group join)")
    stop_router(r)
    outputs = read_topics(broker.bootstrap, OUTPUTS)
    v = Verdict(ctx.wire, inputs, outputs)
    v.report()
    v.assert_complete(allow_duplicates=False)
    check(all(v.per_topic_expected[t] > 0 for t in OUTPUTS), "generator covered every route")
    # Keys land on the partition a Java client would pick (murmur2), in every output topic.
    wrong = [(m.topic(), m.key(), m.partition()) for msgs in outputs.values() for m in msgs
             if m.partition() != java_partition(m.key(), 3)]
    log(f"output records on the Java (murmur2) partition of their key: "
        f"{sum(map(len, outputs.values())) - len(wrong)}/{sum(map(len, outputs.values()))}")
    check(not wrong, f"{len(wrong)} output records not on murmur2(key) % 3, e.g. {wrong[:3]}")


def scenario_scale_out(ctx):
    """Two instances share 6 partitions; one is stopped mid-stream; the other takes over."""
    broker = ctx.shared_broker()
    broker.recreate_topics(partitions=6)
    feeder = Feeder(broker.bootstrap, ctx.wire, f"s{ctx.seed}", rate=1500, seed=ctx.seed).start()
    try:
        a = Router("router-a", ctx.router_bin, broker.bootstrap, ctx.app_id, ctx.work)
        b = Router("router-b", ctx.router_bin, broker.bootstrap, ctx.app_id, ctx.work)
        # Both own tasks (a rebalance may hand everything to the first one for a moment).
        members = wait_members_owning_all(broker, ctx, 2, 6, (a, b))
        ta, tb = tasks_of(a), tasks_of(b)
        log(f"tasks created so far: router-a {ta}, router-b {tb}")
        check(ta and tb, "both instances own tasks")
        id_a, id_b = client_id_of(a), client_id_of(b)
        check({id_a + "-consumer", id_b + "-consumer"} == set(members),
              f"group members {sorted(members)} are not the two routers ({id_a}, {id_b})")
        time.sleep(4)  # both process for a while
        sent_at_kill = feeder.sent
        b_log_at_kill = len(b.text())
        stop_router(a)  # mid-stream: the feeder keeps producing
        log(f"router-a stopped after {sent_at_kill} records were sent")
        end = min(ctx.deadline, time.monotonic() + 60)
        while True:
            members, out = broker.describe_group(ctx.app_id)
            log(f"group '{ctx.app_id}' members after the stop: {members}")
            if members == {id_b + "-consumer": 6}:
                break
            check(b.alive(), f"router-b exited:\n{b.tail()}")
            check(time.monotonic() < end, f"router-b never took all 6 partitions:\n{out}")
            time.sleep(1)
        time.sleep(4)  # router-b alone for a while
    finally:
        feeder.stop()
    log(f"feeder: sent {feeder.sent}, delivered {feeder.delivered}, failed {len(feeder.failed)}")
    check(not feeder.failed, f"feeder delivery failures: {feeder.failed[:3]}")
    after = sorted(set(re.findall(r"created task (\S+)", b.text()[b_log_at_kill:])))
    log(f"router-b tasks created after router-a stopped: {after}")
    check(len(after) == 6, "router-b runs all 6 tasks after router-a stopped")
    wait_covered(broker.bootstrap, ctx.wire, ctx.deadline, [b])
    stop_router(b)
    v = Verdict(ctx.wire, read_topics(broker.bootstrap, [INPUT])[INPUT],
                read_topics(broker.bootstrap, OUTPUTS))
    v.report()
    log(f"processed per instance: router-a {processed_of(a)}, router-b {processed_of(b)}")
    v.assert_complete(allow_duplicates=True)  # at-least-once


def scenario_consumer_outage(ctx):
    """N processed, router stopped cleanly, M more produced, restart: only the M are processed."""
    n, m = 5000, 3000
    broker = ctx.shared_broker()
    broker.recreate_topics(partitions=3)
    feeder = Feeder(broker.bootstrap, ctx.wire, f"o{ctx.seed}", rate=0, seed=ctx.seed)
    feeder.produce(n)
    feeder.flush(30)
    r1 = Router("router-1", ctx.router_bin, broker.bootstrap, ctx.app_id, ctx.work)
    wait_for_outputs(broker.bootstrap, n, ctx.deadline, [r1], "first run")
    stop_router(r1)
    after_first = output_total(broker.bootstrap)
    log(f"after the first run: {after_first} output records")
    check(after_first == n, f"first run wrote {after_first} records for {n} inputs")
    feeder.produce(m)
    feeder.stop()
    log(f"produced {m} more while the router was down (total sent {feeder.sent})")
    r2 = Router("router-2", ctx.router_bin, broker.bootstrap, ctx.app_id, ctx.work)
    wait_for_outputs(broker.bootstrap, n + m, ctx.deadline, [r2], "second run")
    time.sleep(3)  # anything re-processed would show up now
    stop_router(r2)
    v = Verdict(ctx.wire, read_topics(broker.bootstrap, [INPUT])[INPUT],
                read_topics(broker.bootstrap, OUTPUTS))
    v.report()
    check(v.inputs == n + m, f"'{INPUT}' holds {v.inputs} records, expected {n + m}")
    check(sum(v.per_topic_got.values()) == n + m,
          f"output totals {sum(v.per_topic_got.values())}, expected {n + m}")
    v.assert_complete(allow_duplicates=False)
    log(f"processed per run: router-1 {processed_of(r1)} (expected {n}), "
        f"router-2 {processed_of(r2)} (expected {m})")
    check(processed_of(r1) == n, f"router-1 processed {processed_of(r1)} records, not {n}")
    check(processed_of(r2) == m, f"router-2 processed {processed_of(r2)} records, not {m}")


def log_replicas(broker, topic):
    md = broker.admin.list_topics(topic, timeout=10).topics[topic]
    log(f"'{topic}': " + ", ".join(
        f"p{p.id} leader {p.leader} replicas {p.replicas} isr {p.isrs}"
        for p in sorted(md.partitions.values(), key=lambda p: p.id)))


def scenario_broker_failure(ctx):
    """3-node cluster; a node stopped mid-stream and started again: nothing lost."""
    with OwnCluster(ctx.kafka_broker, ctx.work, nodes=3, prefix="router-it-cluster3-") as cl:
        try:
            bootstrap = cl.bootstrap
            broker = Broker(ctx.kafka_broker, cl.dir, bootstrap)
            broker.recreate_topics(partitions=3, replication=3,
                                   configs={"min.insync.replicas": "2"})
            log_replicas(broker, INPUT)
            feeder = Feeder(bootstrap, ctx.wire, f"f{ctx.seed}", rate=800, seed=ctx.seed).start()
            try:
                r = Router("router", ctx.router_bin, bootstrap, ctx.app_id, ctx.work)
                wait_log(r, r"created task", ctx.deadline, "task")
                wait_for_outputs(bootstrap, 1000, ctx.deadline, [r], "warm-up")
                # Stop the group coordinator of the router's group (harshest), else node 1.
                stopped_node, role = 1, "node 1"
                try:
                    groups = broker.admin.list_groups(ctx.app_id, timeout=10)
                    if groups and groups[0].broker is not None:
                        stopped_node, role = groups[0].broker.id, "the group coordinator"
                except Exception as e:
                    log(f"list_groups: {e}")
                before = output_total(bootstrap)
                t = time.monotonic()
                cl.stop_node(stopped_node)
                log(f"stopped node {stopped_node} ({role}) in "
                    f"{time.monotonic() - t:.1f}s, {before} outputs so far, {feeder.sent} sent")
                time.sleep(6)
                check(r.alive(), f"router died while node {stopped_node} was down:\n{r.tail()}")
                during = output_total(bootstrap)
                log(f"with node {stopped_node} down: outputs {before} -> {during}")
                t = time.monotonic()
                cl.start_node(stopped_node)
                log(f"started node {stopped_node} again in {time.monotonic() - t:.1f}s")
                time.sleep(3)
                log_replicas(broker, INPUT)
            finally:
                feeder.stop()
            log(f"feeder: sent {feeder.sent}, delivered {feeder.delivered}, "
                f"failed {len(feeder.failed)}")
            check(not feeder.failed, f"feeder delivery failures: {feeder.failed[:3]}")
            check(during > before, f"no progress while node was down ({before} -> {during})")
            wait_covered(bootstrap, ctx.wire, ctx.deadline, [r])
            stop_router(r)
            v = Verdict(ctx.wire, read_topics(bootstrap, [INPUT])[INPUT],
                        read_topics(bootstrap, OUTPUTS))
            v.report()
            v.assert_complete(allow_duplicates=True)
        finally:
            stop_all()  # the apps before the cluster


def scenario_bad_input(ctx):
    """Undecodable bytes from another client reach the DLQ with headers; good ones still route."""
    broker = ctx.shared_broker()
    broker.recreate_topics(partitions=1)
    pb = ctx.wire.pb
    good = lambda i, t: pb.Address(address_id=f"good-{i}", customer_id=f"cust-{i}", type=t,  # noqa
                                   street="1 Main St", city="Springfield", postal_code="12345")
    bad_values = [
        b"\x0f\xff\xff not protobuf",   # field 1, wire type 7 (does not exist)
        b"\x08",                        # field 1 varint, truncated
        b"\x0a\x10short",               # length-delimited field longer than the record
        bytes(range(0xf8, 0x100)) * 3,  # varint tags that never end
        b"\x0a\x02\xff\xfe",              # address_id: not UTF-8 (proto3 strings must be)
    ]
    prod = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})
    sent = []

    def send(key, value):
        prod.produce(INPUT, key=key, value=value)
        sent.append((key, value))

    for i in range(10):
        send(f"cust-{i}".encode(), good(i, pb.SHIPPING if i % 2 else pb.BILLING).SerializeToString())
    for j, v in enumerate(bad_values):
        send(f"bad-{j}".encode(), v)
    for i in range(10, 20):
        send(f"cust-{i}".encode(), good(i, pb.SHIPPING if i % 2 else pb.BILLING).SerializeToString())
    check(prod.flush(30) == 0, "produce bad input")
    log(f"produced {len(sent)} records: 10 good, {len(bad_values)} undecodable, 10 good")
    inputs = read_topics(broker.bootstrap, [INPUT])[INPUT]
    offsets = {m.key(): m.offset() for m in inputs}
    r = Router("router", ctx.router_bin, broker.bootstrap, ctx.app_id, ctx.work)
    wait_for_outputs(broker.bootstrap, len(sent), ctx.deadline, [r])
    stop_router(r)
    outputs = read_topics(broker.bootstrap, OUTPUTS)
    v = Verdict(ctx.wire, inputs, outputs)
    v.report()
    v.assert_complete(allow_duplicates=False)
    dlq = outputs[DLQ_T]
    check(len(dlq) == len(bad_values), f"{len(dlq)} DLQ records for {len(bad_values)} bad inputs")
    for m in dlq:
        headers = {k: (val or b"").decode("utf-8", "replace") for k, val in (m.headers() or [])}
        j = int(m.key().decode().split("-")[1])
        check(m.value() == bad_values[j], f"DLQ value of {m.key()!r} is not the original bytes")
        for h in DLQ_HEADERS:
            check(h in headers, f"DLQ record {m.key()!r} lacks header {h}: {sorted(headers)}")
        check(headers["__streams.errors.topic"] == INPUT, f"topic header {headers}")
        check(headers["__streams.errors.partition"] == "0", f"partition header {headers}")
        check(headers["__streams.errors.offset"] == str(offsets[m.key()]),
              f"offset header {headers['__streams.errors.offset']} != {offsets[m.key()]}")
        log(f"  dlq {m.key().decode()} @{offsets[m.key()]}: {len(m.value())} original bytes; "
            f"exception={headers['__streams.errors.exception']!r} "
            f"message={headers['__streams.errors.message'][:80]!r}")
    # The good records after the bad ones were routed too (checked by the verdict; shown here).
    routed_after = sum(1 for t in (SHIPPING_T, BILLING_T) for m in outputs[t]
                       if m.key() in {f"cust-{i}".encode() for i in range(10, 20)})
    log(f"good records after the bad ones routed: {routed_after}/10")
    check(routed_after == 10, "good records after the bad ones were routed")


def stream_threads_with_tasks(router):
    return sorted(set(re.findall(r"(\S+-StreamThread-\d+): created task", router.text())))


def scenario_static_membership(ctx):
    """Static members (group.instance.id): each stream thread is a member of its own; a clean
    stop does not leave the group, and a restart within session.timeout.ms takes the partitions
    back without a rebalance of the other instance; --leave-group-on-close leaves at once."""
    broker = ctx.shared_broker()
    broker.recreate_topics(partitions=4)

    def static(instance_id, threads):
        return ["--threads", str(threads), "--property", f"group.instance.id={instance_id}",
                "--property", "consumer.session.timeout.ms=30000"]

    feeder = Feeder(broker.bootstrap, ctx.wire, f"m{ctx.seed}", rate=1000, seed=ctx.seed).start()
    try:
        # router-b first: it owns every partition, then leads the group.
        b = Router("router-b", ctx.router_bin, broker.bootstrap, ctx.app_id, ctx.work,
                   static("router-b", 1))
        wait_log(b, r"created task", ctx.deadline, "its first tasks", count=4)
        a = Router("router-a", ctx.router_bin, broker.bootstrap, ctx.app_id, ctx.work,
                   static("router-a", 2))
        wait_members_owning_all(broker, ctx, 3, 4, (a, b))
        end = min(ctx.deadline, time.monotonic() + 30)
        while len(stream_threads_with_tasks(a)) < 2:  # its log may lag the broker's view
            check(a.alive(), f"router-a exited:\n{a.tail()}")
            check(time.monotonic() < end, "both threads of router-a are members (one instance id "
                  f"each), found {stream_threads_with_tasks(a)}:\n{a.tail()}")
            time.sleep(0.2)
        threads_a = stream_threads_with_tasks(a)
        log(f"router-a stream threads owning tasks: {threads_a}")
        check(not re.search(r"FENCED_INSTANCE_ID|fenced", a.text(), re.IGNORECASE),
              f"router-a's threads fenced each other:\n{a.tail()}")
        time.sleep(3)  # all three process for a while
        b_mark = len(b.text())
        stop_router(a)
        members, out = broker.describe_group(ctx.app_id)
        log(f"group members right after router-a stopped: {members}")
        check(len(members) == 3 and {t + "-consumer" for t in threads_a} <= set(members),
              f"router-a's static members left the group on close:\n{out}")
        a2 = Router("router-a2", ctx.router_bin, broker.bootstrap, ctx.app_id, ctx.work,
                    static("router-a", 2) + ["--leave-group-on-close"])
        end = min(ctx.deadline, time.monotonic() + 60)
        while len(stream_threads_with_tasks(a2)) < 2:
            check(a2.alive(), f"router-a2 exited:\n{a2.tail()}")
            check(time.monotonic() < end, f"router-a2 never got its partitions back:\n{a2.tail()}")
            time.sleep(0.5)
        log(f"router-a2 tasks: {tasks_of(a2)}")
        time.sleep(3)  # a rebalance of router-b, if there were one, would show by now
        b_since = b.text()[b_mark:]
        moves = re.findall(r".*(?:created task|closed task|-> PARTITIONS_REVOKED).*", b_since)
        log(f"router-b task moves while router-a restarted: {len(moves)}")
        check(not moves, "router-b was rebalanced by router-a's restart:\n" + "\n".join(moves))
        # Scaling down: router-a2 leaves on close, and router-b takes its partitions well before
        # the 30 s session timeout would have handed them over.
        left_at = time.monotonic()
        stop_router(a2)
        end = min(ctx.deadline, left_at + 20)
        while True:
            members, out = broker.describe_group(ctx.app_id)
            if len(members) == 1 and sum(members.values()) == 4:
                break
            check(b.alive(), f"router-b exited:\n{b.tail()}")
            check(time.monotonic() < end, f"router-a2 did not leave the group on close:\n{out}")
            time.sleep(0.5)
        log(f"router-b owns all 4 partitions {time.monotonic() - left_at:.1f}s after router-a2 "
            f"left: {members}")
        time.sleep(2)  # router-b alone for a while
    finally:
        feeder.stop()
    log(f"feeder: sent {feeder.sent}, delivered {feeder.delivered}, failed {len(feeder.failed)}")
    check(not feeder.failed, f"feeder delivery failures: {feeder.failed[:3]}")
    wait_covered(broker.bootstrap, ctx.wire, ctx.deadline, [b])
    stop_router(b)
    v = Verdict(ctx.wire, read_topics(broker.bootstrap, [INPUT])[INPUT],
                read_topics(broker.bootstrap, OUTPUTS))
    v.report()
    v.assert_complete(allow_duplicates=True)  # at-least-once


SCENARIOS = {
    "end_to_end": scenario_end_to_end,
    "scale_out": scenario_scale_out,
    "consumer_outage": scenario_consumer_outage,
    "broker_failure": scenario_broker_failure,
    "bad_input": scenario_bad_input,
    "static_membership": scenario_static_membership,
}


# -------------------------------------------------------------------------------------- main --

class Context(ScenarioContext):
    def __init__(self, args):
        super().__init__("router-it", args.scenario, args.budget, args.work_dir)
        self.router_bin = os.path.abspath(args.router)
        self.kafka_broker = os.path.abspath(args.kafka_broker)
        self.wire = Wire(load_proto(os.path.abspath(args.proto), tempfile.mkdtemp(
            prefix="pb-", dir=self.work)))

    def shared_broker(self):
        bootstrap, directory = shared_bootstrap()
        log(f"shared broker {bootstrap} (fixture dir {directory}), application.id {self.app_id}")
        return Broker(self.kafka_broker, directory, bootstrap)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    ap.add_argument("--router", required=True)
    ap.add_argument("--kafka-broker", required=True)
    ap.add_argument("--proto", required=True)
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--budget", type=float, default=150, help="seconds for the scenario")
    args = ap.parse_args()
    ctx = Context(args)
    return run_scenario(args.scenario, SCENARIOS[args.scenario], ctx, ctx.work)


if __name__ == "__main__":
    sys.exit(main())
