"""What the broker scenario drivers (router_scenarios.py, state_scenarios.py) share: logging and
checks, processes stopped by pid (finally/atexit, also when the driver is signalled), the shared
broker's address, topics recreated empty, topics read back to their ends.

Importing it installs SIGTERM/SIGINT handlers (unwind through the finally blocks) and an atexit
hook that stops every Process still running. A missing confluent-kafka client is a failure
(exit 1), never a skip.
"""

import atexit
import ctypes
import os
import re
import shutil
import signal
import subprocess
import tempfile
import sys
import threading
import time

try:
    from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic
except ImportError as e:  # pragma: no cover
    # A missing client is a failure, not a skip: scripts/install-deps installs it, and a skipped
    # scenario must never pass for a run one.
    print(f"FAIL: python3-confluent-kafka is not installed ({e}); scripts/install-deps installs it")
    sys.exit(1)

T0 = time.monotonic()


def log(msg):
    print(f"[{time.monotonic() - T0:7.2f}s] {msg}", flush=True)


class ScenarioFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise ScenarioFailure(msg)


# --------------------------------------------------------------------------------- processes --

_PR_SET_PDEATHSIG = 1
try:
    _libc = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:  # pragma: no cover
    _libc = None


def _die_with_parent():
    # A process started here outlives nothing: if the driver is killed (CTest's timeout), so is it.
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class Process:
    """One process under test; stdout and stderr to `log_path`. Every one is in Process.all."""

    all = []

    def __init__(self, name, cmd, log_path):
        self.name = name
        self.log_path = log_path
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        self.pid = self.proc.pid
        Process.all.append(self)
        log(f"started {name} (pid {self.pid}): {' '.join(cmd[1:])}")

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=45):
        """SIGTERM, wait; SIGKILL after timeout. Returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"{self.name} (pid {self.pid}) still running {timeout}s after SIGTERM: SIGKILL")
                self.proc.kill()
                self.proc.wait(10)
        self.log_file.close()
        return self.proc.returncode

    def kill(self):
        """SIGKILL, wait. Returns the exit code."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.log_file.close()
        return self.proc.returncode

    def tail(self, n=40):
        lines = self.text().splitlines()
        return "\n".join(f"    {self.name}| {l}" for l in lines[-n:])


def stop_all():
    for p in Process.all:
        if p.proc.poll() is None:
            try:
                p.proc.send_signal(signal.SIGTERM)
                p.proc.wait(20)
            except Exception:
                p.proc.kill()
                p.proc.wait(10)


atexit.register(stop_all)


def _on_signal(signum, _frame):
    # CTest (timeout) or a user stops the driver: unwind through the finally blocks.
    raise SystemExit(f"driver got signal {signum}")


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def stop_process(p, expect_clean=True):
    t = time.monotonic()
    rc = p.stop()
    log(f"{p.name} (pid {p.pid}) stopped by SIGTERM: exit {rc} in "
        f"{time.monotonic() - t:.1f}s; last line: {p.text().strip().splitlines()[-1:]}")
    if expect_clean:
        check(rc == 0, f"{p.name} exited {rc} after SIGTERM:\n{p.tail()}")


def wait_log(p, pattern, deadline, what, count=1):
    """Until `pattern` occurs `count` times in the process' log."""
    while len(re.findall(pattern, p.text())) < count:
        check(p.alive(), f"{p.name} exited ({p.proc.returncode}) before {what}:\n{p.tail()}")
        check(time.monotonic() < deadline, f"{p.name}: no {what} before the deadline:\n{p.tail()}")
        time.sleep(0.2)


def run_scenario(name, scenario, ctx, work):
    """Runs scenario(ctx); stops every process; prints the summary. Returns the exit code."""
    log(f"scenario {name}: {scenario.__doc__}")
    status = 1
    try:
        scenario(ctx)
        status = 0
    except ScenarioFailure as e:
        log(f"FAILED: {e}")
    finally:
        stop_all()
        left = [p.pid for p in Process.all if pid_alive(p.pid)]
        for p in Process.all:
            log(f"{p.name} pid {p.pid}: exit {p.proc.returncode}")
            if status != 0:
                print(p.tail(), flush=True)
        if left:
            log(f"FAILED: processes still running: {left}")
            status = 1
        log(f"scenario {name}: {'PASSED' if status == 0 else 'FAILED'} in "
            f"{time.monotonic() - T0:.1f}s (logs in {work})")
    return status


class ScenarioContext:
    """A scenario's deadline (budget s from now), seed, unique application id and empty work dir."""

    def __init__(self, prefix, scenario, budget, work_dir):
        self.deadline = time.monotonic() + budget
        self.seed = int(time.time() * 1000) % 1_000_000_007 ^ os.getpid()
        self.app_id = f"{prefix}-{scenario.replace('_', '-')}-{os.getpid()}-{self.seed % 100000}"
        self.work = os.path.abspath(work_dir)
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)


# ------------------------------------------------------------------------------------ broker --

class OwnCluster:
    """A cluster of the scenario's own, `kafka-broker start --nodes N` in a temp dir under `work`,
    for scenarios that stop and start nodes (the shared fixture must stay up for the others).

        with OwnCluster(script, work, nodes=3, prefix="eos-it-cluster3-") as cluster:
            cluster.stop_node(2); ...; cluster.start_node(2)

    Stopped by its script at exit, then checked by pid; its directory (node logs) is removed
    only when the block ended without an exception."""

    def __init__(self, script, work, nodes, prefix):
        self.script, self.nodes = script, nodes
        self.tmp = tempfile.mkdtemp(prefix=prefix, dir=work)
        self.dir = os.path.join(self.tmp, "cluster")
        self.pids = set()
        self.bootstrap = None
        self.admin = None

    def run(self, *args, timeout=120, check_rc=True):
        """kafka-broker <args[0]> --dir <this cluster> <args[1:]>: its output."""
        p = subprocess.run(["bash", self.script, args[0], "--dir", self.dir, *args[1:]],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        out = p.stdout.decode("utf-8", "replace")
        self._note_pids()
        if check_rc and p.returncode != 0:
            raise ScenarioFailure(f"kafka-broker {' '.join(args)} failed ({p.returncode}):\n{out}")
        return out

    def _note_pids(self):
        path = os.path.join(self.dir, "pids")
        if os.path.exists(path):
            self.pids |= {int(x) for x in open(path).read().split()}

    def __enter__(self):
        t = time.monotonic()
        out = self.run("start", "--nodes", str(self.nodes))
        self.bootstrap = out.strip().splitlines()[-1]
        check(all(h.split(":")[0] == "127.0.0.1" for h in self.bootstrap.split(",")),
              f"bootstrap {self.bootstrap} is not on 127.0.0.1")
        self.admin = AdminClient({"bootstrap.servers": self.bootstrap})
        log(f"{self.nodes}-node cluster up in {time.monotonic() - t:.1f}s: {self.bootstrap} "
            f"(pids {sorted(self.pids)})")
        return self

    def stop_node(self, node):
        log(self.run("stop-node", "--node", str(node)).strip())

    def start_node(self, node):
        log(self.run("start-node", "--node", str(node)).strip())

    def __exit__(self, exc_type, exc, tb):
        self.admin = None  # no client left reconnecting to stopped nodes
        t = time.monotonic()
        out = self.run("stop", check_rc=False, timeout=60)
        log(f"{self.nodes}-node cluster stopped in {time.monotonic() - t:.1f}s: "
            f"{out.strip().splitlines()[-1] if out.strip() else ''}")
        left = [pid for pid in sorted(self.pids) if pid_alive(pid)]
        if left:
            raise ScenarioFailure(f"broker nodes still running after stop: {left}")
        if exc_type is None:  # else keep the node logs for a look
            shutil.rmtree(self.tmp, ignore_errors=True)
        return False


def shared_bootstrap():
    """(bootstrap, fixture dir) of the shared broker: $KSTREAMS_TEST_BOOTSTRAP, else the first
    line of $KSTREAMS_TEST_BOOTSTRAP_FILE (the CTest fixture kafka_broker)."""
    bootstrap = os.environ.get("KSTREAMS_TEST_BOOTSTRAP", "").strip()
    bfile = os.environ.get("KSTREAMS_TEST_BOOTSTRAP_FILE", "")
    if not bootstrap:
        check(bfile and os.path.exists(bfile),
              "no broker: set KSTREAMS_TEST_BOOTSTRAP or KSTREAMS_TEST_BOOTSTRAP_FILE "
              "(the CTest fixture kafka_broker does)")
        bootstrap = open(bfile).readline().strip()
    directory = os.environ.get("KSTREAMS_KAFKA_FIXTURE_DIR") or os.path.dirname(bfile or ".")
    return bootstrap, directory


def recreate_topics(admin, bootstrap, topics, partitions, replication=None, configs=None,
                    deadline_s=60):
    """Deletes `topics` (if present) and creates them afresh, empty, led on every node."""
    names = lambda: set(admin.list_topics(timeout=10).topics)  # noqa: E731
    t = time.monotonic()
    present = [n for n in topics if n in names()]
    if present:
        for name, fut in admin.delete_topics(present, operation_timeout=30).items():
            try:
                fut.result()
            except Exception as e:  # already gone
                log(f"delete {name}: {e}")
    # Deletion is asynchronous: wait until the names are gone, then create (retrying while
    # the broker still reports them "marked for deletion").
    end = time.monotonic() + deadline_s
    while any(n in names() for n in topics):
        check(time.monotonic() < end, "topics not deleted in time")
        time.sleep(0.2)
    rf = replication if replication is not None else -1
    todo = list(topics)
    last = None
    while todo:
        check(time.monotonic() < end, f"could not create {todo}: {last}")
        new = [NewTopic(n, num_partitions=partitions, replication_factor=rf,
                        config=dict(configs or {})) for n in todo]
        failed = []
        for name, fut in admin.create_topics(new, operation_timeout=30).items():
            try:
                fut.result()
            except Exception as e:
                err = e.args[0] if e.args else None
                if isinstance(err, KafkaError) and err.code() == KafkaError.TOPIC_ALREADY_EXISTS \
                        and "deletion" not in str(err):
                    continue
                failed.append(name)
                last = e
        todo = failed
        if todo:
            log(f"create {todo} failed ({last}); retrying")
            time.sleep(0.5)
    # Wait until every node's metadata has every partition with a leader: on a loaded 3-node
    # cluster a node can lag, and a client asking it would be told the topic is missing.
    for node in bootstrap.split(","):
        while not _ready_on(node, topics):
            check(time.monotonic() < end, f"topics have no leaders on {node} in time")
            time.sleep(0.2)
    log(f"recreated {', '.join(topics)} ({partitions} partitions, "
        f"rf {replication or 'default'}) in {time.monotonic() - t:.1f}s")


def _ready_on(node, topics):
    # A fresh client with one bootstrap node asks that node first.
    try:
        md = AdminClient({"bootstrap.servers": node}).list_topics(timeout=10).topics
    except Exception as e:
        log(f"metadata from {node}: {e}")
        return False
    return all(n in md and md[n].error is None and md[n].partitions and
               all(p.leader >= 0 for p in md[n].partitions.values()) for n in topics)


def watermarks(consumer, topic, partition, timeout_s=30):
    """(low, high) of a partition. A topic recreated a moment ago may have no leader yet
    (NOT_LEADER_FOR_PARTITION, LEADER_NOT_AVAILABLE): retried for up to `timeout_s`."""
    end = time.monotonic() + timeout_s
    for _ in range(1000):
        try:
            return consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10,
                                                  cached=False)
        except KafkaException as e:
            error = e.args[0]
            leaderless = error.code() in (KafkaError.NOT_LEADER_FOR_PARTITION,
                                          KafkaError.LEADER_NOT_AVAILABLE)
            if time.monotonic() > end or not (leaderless or error.retriable()):
                raise
            time.sleep(0.2)
    raise ScenarioFailure(f"watermarks of {topic}-{partition}: no answer")


def read_topics(bootstrap, topics, timeout_s=60, isolation="read_committed"):
    """{topic: every record now in it} (up to the high watermarks read at the start), as a
    consumer with isolation.level `isolation` sees them (read_uncommitted: aborted records too).
    With read_committed, a transaction still open makes this time out."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"broker-it-reader-{os.getpid()}",
                  "enable.auto.commit": False, "enable.partition.eof": True,
                  "auto.offset.reset": "earliest", "isolation.level": isolation})
    try:
        md = c.list_topics(timeout=10).topics
        ends = {}
        assign = []
        for t in topics:
            for p in md[t].partitions:
                low, high = watermarks(c, t, p)
                if high > low:
                    ends[(t, p)] = high
                    assign.append(TopicPartition(t, p, low))
        records = {t: [] for t in topics}
        if not assign:
            return records
        c.assign(assign)
        end = time.monotonic() + timeout_s
        done = set()
        while len(done) < len(ends):
            check(time.monotonic() < end, f"reading {topics} did not finish in {timeout_s}s")
            for m in c.consume(1000, 0.5):
                if m.error():
                    if m.error().code() == KafkaError._PARTITION_EOF:
                        if m.offset() >= ends.get((m.topic(), m.partition()), 0):
                            done.add((m.topic(), m.partition()))
                        continue
                    raise ScenarioFailure(f"consume error: {m.error()}")
                tp = (m.topic(), m.partition())
                if m.offset() >= ends[tp]:
                    done.add(tp)
                    continue
                records[m.topic()].append(m)
                if m.offset() + 1 >= ends[tp]:
                    done.add(tp)
        return records
    finally:
        c.close()


class Feeder:
    """Produces make(rng, i) -> (key, value) records to `topic`: produce(n) now, or at `rate`/s
    on a thread between start() and stop(). Idempotent, acks=all; stop() checks delivery."""

    def __init__(self, bootstrap, topic, make, rate, rng):
        self.producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                                  "acks": "all", "linger.ms": 5})
        self.topic, self.make, self.rate, self.rng = topic, make, rate, rng
        self.sent = 0
        self.delivered = 0
        self.failed = []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _on_delivery(self, err, _msg):
        if err is None:
            self.delivered += 1
        else:
            self.failed.append(str(err))

    def produce(self, n):
        for _ in range(n):
            key, value = self.make(self.rng, self.sent)
            while True:
                try:
                    self.producer.produce(self.topic, value=value, key=key,
                                          on_delivery=self._on_delivery)
                    break
                except BufferError:
                    self.producer.poll(0.05)
            self.sent += 1
            self.producer.poll(0)

    def flush(self, timeout_s=60):
        left = self.producer.flush(timeout_s)
        check(left == 0, f"feeder: {left} records not delivered within {timeout_s} s")

    def _loop(self):
        start = time.monotonic()
        while not self.stop_event.is_set() and self.sent < 1_000_000:
            due = int((time.monotonic() - start) * self.rate)
            if due > self.sent:
                self.produce(min(due - self.sent, 500))
            self.producer.poll(0.01)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stop_event.set()
        if self.thread.ident is not None:
            self.thread.join(30)
        if self.producer is not None:
            self.flush()
            self.producer = None  # closes the client
        return self
