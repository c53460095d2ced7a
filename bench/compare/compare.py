#!/usr/bin/python3
"""kstreams against Kafka Streams, side by side, on one real Kafka broker (issue 6).

    bench/compare/compare.py [--records N] [--keys K] [--partitions P] [--build-dir DIR] ...

Starts a one-node Kafka 3.9.1 broker (scripts/kafka/kafka-broker) in a temporary directory,
pre-loads the inputs once, then runs, one after the other, for each workload (router: the
address router; count: count by key) x guarantee (at_least_once, exactly_once_v2) x
implementation (kstreams: the C++ apps; kafka-streams: bench/reference, Kafka Streams 3.9.1 on
the JVM) the app as a child process with a fresh application.id and state dir, and prints a
table. The broker is stopped at the end, also on an error or Ctrl-C.

The broker is warmed up first (__consumer_offsets and __transaction_state created), so that
no run pays for their creation. Per run:
  throughput  the group's committed input offsets are polled (OffsetFetch every 20 ms by a
              consumer that never joins the group). t0 = the first poll that sees any committed
              offset, t1 = the first poll that sees offsets covering the whole input. records/s =
              (N - committed at t0) / (t1 - t0): start-up (JVM start, group join, first fetch) is
              left out for both contenders alike; it is shown separately as "start s" (app
              launch to t0). A second table takes only the second half of the input (from the
              first poll with N/2 committed to t1): the steady state, after the JVM's JIT warm-up.
  CPU         utime+stime of the app process (/proc/PID/stat, all threads; JIT and GC for the
              JVM) between t0 and t1, per million records processed in that window.
  RSS         VmHWM of the app process (/proc/PID/status), read after the latency phase, before
              the app is stopped.
  latency     with the app caught up, --latency-records fresh records are produced at
              --latency-rate records/s (linger 0); an output consumer (read_committed under
              exactly_once_v2) takes arrival time - record timestamp (both frameworks carry the
              input's CreateTime to the output). For count by key an output record appears only
              at the commit after its input (the record cache holds it until then): that is the
              real end-to-end latency of a cached aggregation.
  correctness router: the four outputs written during the run hold exactly the input records
              plus the latency records, split over the topics as in every other run; count: the
              last count of every key in the run's output topic equals its input record count.
              A run that fails its check is marked FAILED and gets no figures.

Needs: Java 17 (JDK), Maven (first fetch of the jars), protoc, python3-confluent-kafka, and the
two kstreams apps built in Release (--build builds them in --build-dir).
"""

import argparse
import ctypes
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

try:
    from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic
except ImportError as e:  # pragma: no cover
    sys.exit(f"compare: python3-confluent-kafka is missing ({e}); scripts/install-deps installs it")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BROKER = os.path.join(ROOT, "scripts", "kafka", "kafka-broker")
REFERENCE_BUILD = os.path.join(ROOT, "bench", "reference", "build")
ROUTER_INPUT = "addresses"
ROUTER_OUTPUTS = ["addresses.shipping", "addresses.billing", "addresses.invalid", "addresses.dlq"]
COUNT_INPUT = "counts.in"
CLK_TCK = os.sysconf("SC_CLK_TCK")
T0 = time.monotonic()


def log(msg):
    print(f"[{time.monotonic() - T0:7.1f}s] {msg}", flush=True)


class Failure(Exception):
    pass


def _die_with_parent():
    # A child must not outlive this driver (SIGKILL of the driver included).
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


# ------------------------------------------------------------------------- processes ---


class App:
    """One app process, started with its output in a log file and stopped by its pid."""

    def __init__(self, argv, log_path):
        self.log_path = log_path
        self.log_file = open(log_path, "wb")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        self.pid = self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def cpu_seconds(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # Fields 14 and 15 of the file (utime, stime); fields[0] here is field 3.
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def status_kib(self, name):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
        return 0

    def stop(self, timeout=60):
        """SIGTERM, wait up to `timeout` s, then SIGKILL. Returns (exit code, seconds, killed)."""
        start = time.monotonic()
        killed = False
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
                killed = True
        self.log_file.close()
        return self.proc.returncode, time.monotonic() - start, killed

    def tail(self, lines=15):
        with open(self.log_path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")


class Broker:
    def __init__(self, directory, partitions):
        self.dir = directory
        out = subprocess.run([BROKER, "start", "--nodes", "1", "--dir", directory,
                              "--partitions", str(partitions)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=300)
        if out.returncode != 0:
            raise Failure("the broker did not start:\n" + out.stdout[-3000:])
        with open(os.path.join(directory, "bootstrap")) as f:
            self.bootstrap = f.readline().strip()
        self.pids = open(os.path.join(directory, "pids")).read().split()
        self.warm_up()

    def warm_up(self):
        """Creates __consumer_offsets and __transaction_state now: otherwise the first run's
        start-up (and the first exactly-once run's) would include their creation."""
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "compare-warm-up",
                      "enable.auto.commit": False})
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    c.committed([TopicPartition("compare-warm-up", 0)], timeout=10)
                    break
                except KafkaException:
                    if time.monotonic() > deadline:
                        raise Failure("the group coordinator is not available after 60 s")
                    time.sleep(0.2)
        finally:
            c.close()
        p = Producer({"bootstrap.servers": self.bootstrap, "transactional.id": "compare-warm-up"})
        p.init_transactions(60)

    def stop(self):
        subprocess.run([BROKER, "stop", "--dir", self.dir], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)

    def cpu_seconds(self):
        total = 0.0
        for pid in self.pids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / CLK_TCK
            except OSError:
                pass
        return total


# ---------------------------------------------------------------------------- kafka ---


def create_topics(bootstrap, names, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(n, partitions, 1) for n in names],
                                  operation_timeout=30)
    for name, fut in futures.items():
        fut.result(timeout=60)
    # Wait until every partition has a leader.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        md = admin.list_topics(timeout=10)
        if all(n in md.topics and len(md.topics[n].partitions) == partitions and
               all(p.leader >= 0 for p in md.topics[n].partitions.values()) for n in names):
            return
        time.sleep(0.2)
    raise Failure(f"topics {names} have no leaders after 60 s")


def end_offsets(bootstrap, topic, partitions):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "compare-watermarks",
                  "enable.auto.commit": False})
    try:
        return [c.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1]
                for p in range(partitions)]
    finally:
        c.close()


def read_range(bootstrap, ranges, on_message, read_committed, timeout=300):
    """Reads every record of [(topic, partition, start, end)] (end: a high watermark taken once
    the writer had stopped), calling on_message(msg). Control records take offsets but are never
    delivered, so a partition is done when its position or last offset reaches `end`, or when
    nothing came for 5 s after everything else was done."""
    todo = {(t, p): (s, e) for t, p, s, e in ranges if e > s}
    if not todo:
        return
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "compare-readback",
                  "enable.auto.commit": False, "enable.partition.eof": False,
                  "isolation.level": "read_committed" if read_committed else "read_uncommitted"})
    try:
        c.assign([TopicPartition(t, p, s) for (t, p), (s, e) in todo.items()])
        deadline = time.monotonic() + timeout
        last_message = time.monotonic()
        while todo:
            if time.monotonic() > deadline:
                raise Failure(f"read-back: partitions {sorted(todo)} not read within {timeout} s")
            msgs = c.consume(num_messages=10000, timeout=0.5)
            for m in msgs:
                if m.error():
                    raise Failure(f"read-back: {m.error()}")
                on_message(m)
                key = (m.topic(), m.partition())
                if key in todo and m.offset() + 1 >= todo[key][1]:
                    del todo[key]
            if msgs:
                last_message = time.monotonic()
            else:
                for key, (s, e) in list(todo.items()):
                    pos = c.position([TopicPartition(key[0], key[1])])[0].offset
                    if pos >= e:
                        del todo[key]
                if todo and time.monotonic() - last_message > 5 and read_committed:
                    break  # what is left are transaction markers
    finally:
        c.close()


class CommitWatcher:
    """The group's committed offsets of the input, via OffsetFetch, without joining the group."""

    def __init__(self, bootstrap, group, topic, partitions):
        self.tps = [TopicPartition(topic, p) for p in range(partitions)]
        # read_uncommitted: no require_stable, so a pending transaction's offsets do not block.
        self.c = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                           "enable.auto.commit": False, "isolation.level": "read_uncommitted"})

    def committed(self):
        """The sum of the committed offsets, or None on a transient error (the group's
        coordinator not known yet, ...)."""
        try:
            return sum(max(tp.offset, 0) for tp in self.c.committed(self.tps, timeout=10))
        except KafkaException:
            return None

    def close(self):
        self.c.close()


# ------------------------------------------------------------------------ workloads ---


def encode_address(i, shipping):
    """A valid address_router.Address (examples/address_router/address.proto), hand-encoded."""
    def field(num, s):
        b = s.encode()
        return bytes([num << 3 | 2, len(b)]) + b

    def varint(v):
        out = bytearray()
        while True:
            byte = v & 0x7F
            v >>= 7
            out.append(byte | (0x80 if v else 0))
            if not v:
                return bytes(out)

    customer = f"cust-{i % 10000}"
    value = (field(1, f"latency-{i}") + field(2, customer) + bytes([3 << 3, 1 if shipping else 2])
             + field(4, f"{1 + i % 200} Main St") + field(5, "Springfield")
             + field(6, str(10000 + i % 89999)) + field(7, "GB")
             + bytes([8 << 3]) + varint(1_700_000_000_000 + i))
    return customer, value


class Workload:
    """What a workload's two apps share: the flags (the kstreams and the Kafka Streams app take
    the same ones) and commit.interval.ms."""
    java_class = None

    def __init__(self, opt, bootstrap):
        self.opt = opt
        self.bootstrap = bootstrap

    def app_flags(self):
        return []

    def argv(self, impl, app_id, state_dir, guarantee):
        flags = ["--bootstrap-servers", self.bootstrap, "--application-id", app_id,
                 "--state-dir", state_dir, "--processing-guarantee", guarantee,
                 "--property", f"commit.interval.ms={self.opt.commit_interval_ms}"]
        flags += self.app_flags()
        if impl == "kstreams":
            extra = [a for p in self.opt.kstreams_property for a in ("--property", p)]
            return [self.kstreams_binary()] + flags + extra
        return (["java"] + self.opt.java_opts.split() +
                ["-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", self.opt.classpath,
                 self.java_class] + flags)


class RouterWorkload(Workload):
    name = "router"
    input_topic = ROUTER_INPUT
    java_class = "AddressRouterApp"

    def __init__(self, opt, bootstrap):
        super().__init__(opt, bootstrap)
        self.expected_split = None  # the per-topic split of the first correct run
        self.added = {t: 0 for t in ROUTER_OUTPUTS}  # latency records produced so far, by route

    def preload(self):
        create_topics(self.bootstrap, [ROUTER_INPUT] + ROUTER_OUTPUTS, self.opt.partitions)
        argv = [self.opt.kstreams_router, "--bootstrap-servers", self.bootstrap,
                "--generate", str(self.opt.records)]
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=1800, preexec_fn=_die_with_parent)
        if out.returncode != 0:
            raise Failure("address-router --generate failed:\n" + out.stdout[-2000:])
        n = sum(end_offsets(self.bootstrap, ROUTER_INPUT, self.opt.partitions))
        if n != self.opt.records:
            raise Failure(f"'{ROUTER_INPUT}' holds {n} records, not {self.opt.records}")

    def kstreams_binary(self):
        return self.opt.kstreams_router

    def before_run(self, run):
        run["out_start"] = {t: end_offsets(self.bootstrap, t, self.opt.partitions)
                            for t in ROUTER_OUTPUTS}
        run["output_topics"] = ROUTER_OUTPUTS

    def latency_records(self, count):
        for i in range(count):
            self.added[ROUTER_OUTPUTS[0] if i % 2 == 0 else ROUTER_OUTPUTS[1]] += 1
            yield encode_address(i, i % 2 == 0)

    def check(self, run, guarantee, latency_count):
        counts = {t: 0 for t in ROUTER_OUTPUTS}

        def on_message(m):
            counts[m.topic()] += 1

        ranges = []
        for t in ROUTER_OUTPUTS:
            ends = end_offsets(self.bootstrap, t, self.opt.partitions)
            ranges += [(t, p, run["out_start"][t][p], ends[p]) for p in range(self.opt.partitions)]
        read_range(self.bootstrap, ranges, on_message, guarantee == "exactly_once_v2")
        total = sum(counts.values())
        want = run["input_records"] + latency_count
        run["outputs"] = counts
        if total != want:
            return f"{total} output records, want {want} ({counts})"
        if min(counts.values()) == 0:
            return f"an output topic is empty: {counts}"
        # The generated input's split: what the latency records (of this and earlier runs, all
        # in the input now) added taken off.
        counts = {t: c - self.added[t] for t, c in counts.items()}
        if self.expected_split is None:
            self.expected_split = counts
        elif counts != self.expected_split:
            return f"split {counts} differs from the first run's {self.expected_split}"
        return None


class CountWorkload(Workload):
    name = "count"
    input_topic = COUNT_INPUT
    java_class = "CountApp"

    def __init__(self, opt, bootstrap):
        super().__init__(opt, bootstrap)
        self.expected = [0] * opt.keys
        self.rng = random.Random(opt.seed)
        self.run_no = 0

    def key(self, k):
        return "k%07d" % k

    def preload(self):
        create_topics(self.bootstrap, [COUNT_INPUT], self.opt.partitions)
        p = Producer({"bootstrap.servers": self.bootstrap, "partitioner": "murmur2_random",
                      "linger.ms": 50, "batch.size": 1_000_000, "acks": "all",
                      "queue.buffering.max.messages": 500_000})
        keys = [self.key(k).encode() for k in range(self.opt.keys)]
        pick = self.rng.randrange
        for i in range(self.opt.records):
            k = pick(self.opt.keys)
            self.expected[k] += 1
            value = b"v%07d" % (i % 10_000_000)
            while True:
                try:
                    p.produce(COUNT_INPUT, value, keys[k])
                    break
                except BufferError:
                    p.poll(0.05)
            if i % 10000 == 0:
                p.poll(0)
        if p.flush(120) != 0:
            raise Failure("count pre-load: records not delivered within 120 s")
        n = sum(end_offsets(self.bootstrap, COUNT_INPUT, self.opt.partitions))
        if n != self.opt.records:
            raise Failure(f"'{COUNT_INPUT}' holds {n} records, not {self.opt.records}")

    def kstreams_binary(self):
        return self.opt.kstreams_count

    def app_flags(self):
        return ["--input", COUNT_INPUT, "--output", self.output]

    def before_run(self, run):
        self.run_no += 1
        self.output = f"counts.out.{self.run_no}"
        create_topics(self.bootstrap, [self.output], self.opt.partitions)
        run["output_topics"] = [self.output]
        run["out_start"] = {self.output: [0] * self.opt.partitions}
        self.latency_keys = []

    def latency_records(self, count):
        rng = random.Random(self.opt.seed + self.run_no)
        self.latency_keys = [rng.randrange(self.opt.keys) for _ in range(count)]
        for i, k in enumerate(self.latency_keys):
            yield self.key(k), b"l%07d" % i

    def check(self, run, guarantee, latency_count):
        last = {}

        def on_message(m):
            last[m.key()] = m.value()

        ends = end_offsets(self.bootstrap, self.output, self.opt.partitions)
        read_range(self.bootstrap, [(self.output, p, 0, ends[p])
                                    for p in range(self.opt.partitions)],
                   on_message, guarantee == "exactly_once_v2")
        expected = list(self.expected)
        for k in self.latency_keys:
            expected[k] += 1
        wrong = []
        for k, want in enumerate(expected):
            got = last.pop(self.key(k).encode(), None)
            got = None if got is None else int.from_bytes(got, "big", signed=True)
            if (want == 0 and got is not None) or (want > 0 and got != want):
                wrong.append((self.key(k), got, want))
        run["output_records"] = sum(ends)
        # The latency records are input of the next runs too (each starts from offset 0).
        self.expected = expected
        if wrong or last:
            return (f"{len(wrong)} keys with a wrong last count (first: {wrong[:3]}), "
                    f"{len(last)} unknown keys")
        return None


# ----------------------------------------------------------------------------- runs ---


def percentile(samples, q):
    if not samples:
        return float("nan")
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))]


def measure_latency(opt, workload, bootstrap, run, guarantee):
    """Produces --latency-records paced records; returns arrival - timestamp samples (ms)."""
    topics = run["output_topics"]
    starts = {t: end_offsets(bootstrap, t, opt.partitions) for t in topics}
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "compare-latency",
                  "enable.auto.commit": False, "fetch.wait.max.ms": 10,
                  "isolation.level": ("read_committed" if guarantee == "exactly_once_v2"
                                      else "read_uncommitted")})
    c.assign([TopicPartition(t, p, starts[t][p]) for t in topics for p in range(opt.partitions)])
    samples = []
    expected_outputs = None
    stop = threading.Event()

    def consume():
        while not stop.is_set():
            for m in c.consume(num_messages=1000, timeout=0.1):
                if not m.error():
                    samples.append(time.time() * 1000 - m.timestamp()[1])

    reader = threading.Thread(target=consume)
    reader.start()
    try:
        time.sleep(1)  # the consumer's fetches are under way
        p = Producer({"bootstrap.servers": bootstrap, "partitioner": "murmur2_random",
                      "linger.ms": 0, "acks": "all"})
        interval = 1.0 / opt.latency_rate
        start = time.monotonic()
        for i, (key, value) in enumerate(workload.latency_records(opt.latency_records)):
            delay = start + i * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            p.produce(workload.input_topic, value, key)
            p.poll(0)
        if p.flush(30) != 0:
            raise Failure("latency records not delivered within 30 s")
        if workload.name == "router":
            expected_outputs = opt.latency_records
        # Wait for the outputs: all of them (router), or until nothing new came for 2 s after
        # the last commit could have emitted (count: one record per key and commit).
        deadline = time.monotonic() + 60
        seen = -1
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            if expected_outputs is not None and len(samples) >= expected_outputs:
                break
            if len(samples) != seen:
                seen = len(samples)
                quiet_since = time.monotonic()
            elif expected_outputs is None and time.monotonic() - quiet_since > 2:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        reader.join()
        c.close()
    return samples


def one_run(opt, workload, impl, guarantee, bootstrap, broker, workdir):
    tag = f"{workload.name}-{guarantee}-{impl}"
    app_id = f"cmp-{tag}-{os.getpid()}"
    state_dir = os.path.join(workdir, "state-" + tag)
    run = {"workload": workload.name, "guarantee": guarantee, "impl": impl,
           "input_records": sum(end_offsets(bootstrap, workload.input_topic, opt.partitions))}
    workload.before_run(run)
    argv = workload.argv(impl, app_id, state_dir, guarantee)
    log(f"{tag}: {' '.join(argv)}")
    watcher = CommitWatcher(bootstrap, app_id, workload.input_topic, opt.partitions)
    app = App(argv, os.path.join(workdir, tag + ".log"))
    broker_cpu_start = broker.cpu_seconds()
    try:
        n = run["input_records"]
        deadline = time.monotonic() + opt.run_timeout
        t0 = t_half = None
        committed = 0
        last_log = time.monotonic()
        while True:
            if not app.alive():
                raise Failure(f"{tag}: the app exited ({app.proc.returncode}):\n{app.tail()}")
            if time.monotonic() > deadline:
                raise Failure(f"{tag}: only {committed} of {n} input offsets committed within "
                              f"{opt.run_timeout} s:\n{app.tail()}")
            got = watcher.committed()
            now = time.monotonic()
            if got is None:
                time.sleep(0.1)
                continue
            committed = got
            if t0 is None and committed > 0:
                t0, c0, cpu0 = now, committed, app.cpu_seconds()
                run["start_s"] = t0 - app.started
            if t_half is None and committed >= n // 2:
                t_half, c_half, cpu_half = now, committed, app.cpu_seconds()
            if committed >= n:
                t1, cpu1 = now, app.cpu_seconds()
                break
            if now - last_log > 10:
                last_log = now
                log(f"{tag}: {committed} of {n} committed")
            time.sleep(0.02)
        processed = n - c0
        run["window_records"] = processed
        run["seconds"] = t1 - t0
        run["records_per_s"] = processed / (t1 - t0) if t1 > t0 else float("nan")
        run["cpu_s_per_m"] = (cpu1 - cpu0) / processed * 1e6 if processed else float("nan")
        run["cpu_total_s"] = cpu1
        # The second half of the input alone: after the JIT's warm-up, for both alike.
        half = n - c_half
        run["half_records_per_s"] = half / (t1 - t_half) if t1 > t_half else float("nan")
        run["half_cpu_s_per_m"] = (cpu1 - cpu_half) / half * 1e6 if half else float("nan")
        run["broker_cpu_s"] = broker.cpu_seconds() - broker_cpu_start
        log(f"{tag}: {n} input records committed; {run['records_per_s']:.0f} records/s, "
            f"{run['cpu_s_per_m']:.2f} CPU s per 1M, start {run['start_s']:.1f} s")
        samples = measure_latency(opt, workload, bootstrap, run, guarantee)
        run["latency_samples"] = len(samples)
        run["p50_ms"] = percentile(samples, 0.50)
        run["p99_ms"] = percentile(samples, 0.99)
        run["rss_mib"] = app.status_kib("VmHWM") / 1024
        log(f"{tag}: latency p50 {run['p50_ms']:.0f} ms, p99 {run['p99_ms']:.0f} ms over "
            f"{len(samples)} outputs; peak RSS {run['rss_mib']:.0f} MiB")
    finally:
        watcher.close()
        code, took, killed = app.stop(timeout=60)
        run["exit"] = code
        log(f"{tag}: stopped in {took:.1f} s, exit {code}{' (SIGKILL)' if killed else ''}")
        shutil.rmtree(state_dir, ignore_errors=True)
    problem = workload.check(run, guarantee, opt.latency_records)
    if problem is None and code != 0:
        problem = f"exit code {code} after SIGTERM:\n{app.tail()}"
    run["problem"] = problem
    log(f"{tag}: check {'FAILED: ' + problem if problem else 'ok'}")
    return run


def fmt(v, digits=0):
    if v is None or v != v:
        return "-"
    return f"{v:,.{digits}f}"


def print_table(runs):
    head = ("| workload | guarantee | impl | records/s | CPU s/1M | peak RSS MiB | p50 ms | p99 ms "
            "| start s |")
    print("\n" + head)
    print("|" + "---|" * 9)
    by_key = {}
    for r in runs:
        by_key[(r["workload"], r["guarantee"], r["impl"])] = r
        if r.get("problem"):
            print(f"| {r['workload']} | {r['guarantee']} | {r['impl']} | FAILED: "
                  f"{r['problem'].splitlines()[0][:80]} | | | | | |")
            continue
        print(f"| {r['workload']} | {r['guarantee']} | {r['impl']} | {fmt(r['records_per_s'])} "
              f"| {fmt(r['cpu_s_per_m'], 2)} | {fmt(r['rss_mib'])} | {fmt(r['p50_ms'])} "
              f"| {fmt(r['p99_ms'])} | {fmt(r['start_s'], 1)} |")
    print("\nSecond half of the input only (committed offsets from N/2 to N: after warm-up)\n")
    print("| workload | guarantee | impl | records/s | CPU s/1M |")
    print("|---|---|---|---|---|")
    for r in runs:
        if not r.get("problem"):
            print(f"| {r['workload']} | {r['guarantee']} | {r['impl']} "
                  f"| {fmt(r['half_records_per_s'])} | {fmt(r['half_cpu_s_per_m'], 2)} |")
    print("\nkstreams / Kafka Streams (goal: records/s >= 1, CPU <= 0.5, RSS <= 0.2, "
          "latency <= 1)\n")
    print("| workload | guarantee | records/s | CPU s/1M | peak RSS | p50 | p99 "
          "| records/s 2nd half | CPU 2nd half |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (w, g, impl), k in by_key.items():
        if impl != "kstreams":
            continue
        j = by_key.get((w, g, "kafka-streams"))
        if not j or k.get("problem") or j.get("problem"):
            continue

        def ratio(field):
            a, b = k[field], j[field]
            return "-" if not b or a != a or b != b else f"{a / b:.2f}"
        print(f"| {w} | {g} | {ratio('records_per_s')} | {ratio('cpu_s_per_m')} "
              f"| {ratio('rss_mib')} | {ratio('p50_ms')} | {ratio('p99_ms')} "
              f"| {ratio('half_records_per_s')} | {ratio('half_cpu_s_per_m')} |")


def find_binaries(opt):
    build = os.path.abspath(opt.build_dir)
    opt.kstreams_router = os.path.join(build, "examples", "address_router", "address-router")
    opt.kstreams_count = os.path.join(build, "bench", "kstreams-compare-count")
    configure = ["cmake", "-S", ROOT, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                 "-DKSTREAMS_BUILD_TESTS=OFF"]
    compile_ = ["cmake", "--build", build, "--target", "address_router",
                "kstreams_compare_count"]
    if opt.build:
        if not os.path.exists(os.path.join(build, "build.ninja")):
            subprocess.run(configure, check=True)
        subprocess.run(compile_, check=True)
    missing = [p for p in (opt.kstreams_router, opt.kstreams_count) if not os.access(p, os.X_OK)]
    if missing:
        sys.exit(f"compare: missing {missing}; build them (Release) with\n  {' '.join(configure)}"
                 f"\n  {' '.join(compile_)}\nor pass --build")
    out = subprocess.run([REFERENCE_BUILD], stdout=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit("compare: bench/reference/build failed (see above)")
    opt.classpath = out.stdout.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000, help="input records per workload")
    ap.add_argument("--keys", type=int, default=10_000, help="count by key: distinct keys")
    ap.add_argument("--partitions", type=int, default=4, help="partitions of every topic")
    ap.add_argument("--workloads", default="router,count")
    ap.add_argument("--guarantees", default="at_least_once,exactly_once_v2")
    ap.add_argument("--impls", default="kstreams,kafka-streams")
    ap.add_argument("--commit-interval-ms", type=int, default=100)
    ap.add_argument("--latency-records", type=int, default=2000)
    ap.add_argument("--latency-rate", type=float, default=1000, help="records/s")
    ap.add_argument("--run-timeout", type=int, default=900, help="s per run until caught up")
    ap.add_argument("--java-opts", default="", help="JVM options for Kafka Streams (e.g. -Xmx1g)")
    ap.add_argument("--kstreams-property", action="append", default=[], metavar="K=V",
                    help="extra property for the kstreams apps (diagnostics), repeatable")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "compare"))
    ap.add_argument("--build", action="store_true", help="configure/build the kstreams apps")
    ap.add_argument("--json", help="also write the runs to this file")
    ap.add_argument("--keep", action="store_true", help="keep the work dir (logs, broker)")
    opt = ap.parse_args()

    signal.signal(signal.SIGTERM, _raise_interrupt)
    find_binaries(opt)
    workdir = tempfile.mkdtemp(prefix="kstreams-compare-")
    broker = None
    runs = []
    try:
        log(f"work dir {workdir}; load average {os.getloadavg()}")
        broker = Broker(os.path.join(workdir, "kafka"), opt.partitions)
        log(f"broker at {broker.bootstrap} (pid {' '.join(broker.pids)})")
        workloads = {"router": RouterWorkload, "count": CountWorkload}
        for wname in opt.workloads.split(","):
            workload = workloads[wname](opt, broker.bootstrap)
            started = time.monotonic()
            workload.preload()
            log(f"{wname}: pre-loaded {opt.records} records in {time.monotonic() - started:.1f} s")
            for guarantee in opt.guarantees.split(","):
                for impl in opt.impls.split(","):
                    try:
                        runs.append(one_run(opt, workload, impl, guarantee, broker.bootstrap,
                                            broker, workdir))
                    except Failure as e:
                        log(f"FAILED: {e}")
                        runs.append({"workload": wname, "guarantee": guarantee, "impl": impl,
                                     "problem": str(e)})
    except KeyboardInterrupt:
        log("interrupted")
    finally:
        if broker is not None:
            broker.stop()
            log("broker stopped")
        if opt.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nN = {opt.records} records per workload, {opt.keys} keys (count), "
          f"{opt.partitions} partitions, commit.interval.ms={opt.commit_interval_ms}, "
          f"latency: {opt.latency_records} records at {opt.latency_rate:.0f}/s; "
          f"load average at the end {os.getloadavg()}")
    print_table(runs)
    if opt.json:
        with open(opt.json, "w") as f:
            json.dump({"options": {k: v for k, v in vars(opt).items()}, "runs": runs}, f,
                      indent=1)
    return 1 if any(r.get("problem") for r in runs) or not runs else 0


if __name__ == "__main__":
    sys.exit(main())
