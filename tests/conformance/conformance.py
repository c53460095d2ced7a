#!/usr/bin/env python3
"""Differential conformance: kstreams' TopologyTestDriver against Kafka Streams' own.

  conformance.py --runner BUILD/tests/conformance/conformance-runner [--seeds N] [--work DIR]

1. generates seeded scenarios (one file per topology and seed; format in README.md),
2. runs them through the Java reference (reference/build, Kafka Streams 3.9.1) and through
   conformance-runner (the same topologies in the kstreams DSL),
3. compares the outputs record by record per output topic. The known, documented deviations
   (docs/conformance.md) are applied explicitly and counted; any other difference fails, printed
   with topology, seed, step, both records and their context.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
BASE_TS = 1_700_000_000_000

# ---------------------------------------------------------------- topologies ----
# name -> input topics and the kind of key/value bytes the generator makes for them. Adding a
# windowed or join topology: list its topics (a join has two), pick value kinds, and give the
# scenario `store` lines to compare the final store contents.
TOPOLOGIES = {
    "address-router": dict(inputs=["addresses"], value="address"),
    "filter": dict(inputs=["in"], value="string"),
    "map-values": dict(inputs=["in"], value="string"),
    "map": dict(inputs=["in"], value="string"),
    "select-key": dict(inputs=["in"], value="string"),
    "flat-map": dict(inputs=["in"], value="string"),
    "merge": dict(inputs=["in-a", "in-b"], value="string"),
    "peek": dict(inputs=["in"], value="string"),
    "split": dict(inputs=["in"], value="string"),
    "headers": dict(inputs=["in"], value="string"),
    "long-values": dict(inputs=["in"], value="long"),
    "to-extractor": dict(inputs=["in"], value="string"),
    "feedback": dict(inputs=["in"], value="string"),
    "metadata": dict(inputs=["in"], value="string"),
    "punctuate": dict(inputs=["in"], value="string", advance_rate=0.3),
    # Stateful: null keys (D5), null values (dropped by stream aggregations, tombstones for
    # tables), 8 keys (duplicates), out-of-order timestamps; final store contents compared.
    "stream-count": dict(inputs=["in"], value="string", stores=["counts", "reduced", "lengths"],
                         string_keys=True),
    "stream-group-by": dict(inputs=["in"], value="string",
                            stores=["by-len", "by-prefix", "rekeyed"]),
    "table": dict(inputs=["in"], value="string", stores=["table"], string_keys=True),
    "table-nocache": dict(inputs=["in"], value="string", stores=["table"], string_keys=True),
    "table-group-by": dict(inputs=["in"], value="string",
                           stores=["rows", "group-counts", "group-sums", "group-aggs",
                                   "filtered-counts"],
                           string_keys=True, change_topics=[
                               "conformance-table-group-by-%s-repartition" % s
                               for s in ("group-counts", "group-sums", "group-aggs",
                                         "filtered-counts")]),
    # KStream-KTable joins (inner, left, and after a key change through a repartition topic).
    "stream-table-join": dict(inputs=["in", "table-in"], value="string", stores=["joined-table"]),
    "stream-globaltable-join": dict(inputs=["in", "global-in"], value="string",
                                    stores=["global-rows"]),
    "to-table": dict(inputs=["in"], value="string", stores=["latest", "rekeyed"],
                     string_keys=True, renamed_topics={
                         "conformance-to-table-rekeyed-repartition":
                         "conformance-to-table-KSTREAM-TOTABLE-0000000005-repartition"}),
}

# ----------------------------------------------------------------- encoding ----
def enc(b):
    return "null" if b is None else "x" + b.hex()


def dec(s):
    if s == "null":
        return None
    assert s.startswith("x"), s
    return bytes.fromhex(s[1:])


def enc_headers(headers):
    return ";".join(enc(k.encode()) + "=" + enc(v) for k, v in headers) if headers else "-"


def dec_headers(s):
    if s == "-":
        return []
    out = []
    for part in s.split(";"):
        k, v = part.split("=", 1)
        out.append((dec(k).decode(), dec(v)))
    return out


# ---------------------------------------------------------------- generator ----
WORDS = ["a", "bb", "ccc", "dddd", "alpha", "beta", "gamma", "Ωmega", "ключ", "日本", "x y",
         "tab\there", "", "0", "-1", "k1", "k10", "null"]
KEYS = ["k0", "k1", "k2", "k10", "k3", "", "é", "k1x"]


def gen_string(rng, pool, null_rate):
    if rng.random() < null_rate:
        return None
    if rng.random() < 0.2:
        s = "".join(rng.choice(pool) for _ in range(rng.randint(1, 3)))
    else:
        s = rng.choice(pool)
    return s.encode("utf-8")


def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pb_field(number, wire, payload):
    tag = varint((number << 3) | wire)
    if wire == 2:
        return tag + varint(len(payload)) + payload
    return tag + payload


def gen_address(rng, key):
    """Address bytes (examples/address_router/address.proto), sometimes broken."""
    r = rng.random()
    if r < 0.05:
        return None                                    # tombstone
    if r < 0.10:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))   # garbage
    fields = []
    for number, value in [(1, "addr-%d" % rng.randint(0, 99)), (2, key or "cust"),
                          (4, rng.choice(["Main St 1", "Ringstraße 5", ""])),
                          (5, rng.choice(["Berlin", "Zürich", ""])),
                          (6, rng.choice(["10115", "8001", ""])), (7, rng.choice(["DE", "CH", ""]))]:
        if rng.random() < 0.9 and value != "":
            fields.append(pb_field(number, 2, value.encode()))
    t = rng.choice([0, 1, 1, 1, 2, 2, 2, 3])          # 3: an enum value this schema lacks
    if t:
        fields.append(pb_field(3, 0, varint(t)))
    if rng.random() < 0.5:
        fields.append(pb_field(8, 0, varint(rng.choice([0, 1, BASE_TS, -5]))))
    if rng.random() < 0.1:
        fields.append(pb_field(15, 2, b"unknown field"))   # kept by both parsers
        if rng.random() < 0.5:
            fields.append(pb_field(12, 0, varint(7)))       # unknown fields out of order
    if rng.random() < 0.2:
        rng.shuffle(fields)                            # non-canonical order, re-serialized
    data = b"".join(fields)
    r = rng.random()
    if r < 0.04 and data:
        data = data[: rng.randrange(len(data))] + b"\x0a"   # truncated
    elif r < 0.08:
        data += pb_field(5, 2, b"\xff\xfe bad utf-8")        # proto3 strings must be UTF-8
    return data


def gen_long(rng):
    r = rng.random()
    if r < 0.1:
        return None
    if r < 0.2:
        return bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 4, 7, 9])))  # malformed
    v = rng.choice([0, 1, -1, 2**63 - 1, -2**63, rng.randint(-2**63, 2**63 - 1),
                    rng.randint(-1000, 1000)])
    return v.to_bytes(8, "big", signed=True)


def gen_headers(rng):
    headers = []
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        value = None if rng.random() < 0.15 else rng.choice([b"", b"v", b"\x00\xff", "ü".encode()])
        headers.append((rng.choice(["h1", "h2", "trace", "h1", "ключ"]), value))
    return headers


def generate(topology, seed, records):
    rng = random.Random("%s/%d" % (topology, seed))
    spec = TOPOLOGIES[topology]
    lines = ["kstreams-conformance-scenario\t1", "topology\t" + topology, "seed\t%d" % seed]
    ts = BASE_TS
    for _ in range(records):
        if rng.random() < spec.get("advance_rate", 0.05):
            lines.append("advance\t%d" % rng.choice([1, 999, 1000, 2500, 60_000]))
        r = rng.random()
        rec_ts = None
        if r < 0.6:
            ts += rng.randint(0, 5000)                 # in order (or the same time)
        elif r < 0.95:
            ts = max(0, ts - rng.randint(1, 20_000))   # out of order
        elif r < 0.99:
            ts = rng.choice([0, BASE_TS - 10**9])      # far in the past
        else:
            rec_ts = rng.choice([-1, -1000])           # invalid: negative, this record only
        key = gen_string(rng, KEYS, 0.1)
        kind = spec["value"]
        if kind == "string":
            value = gen_string(rng, WORDS, 0.12)
        elif kind == "long":
            value = gen_long(rng)
        else:
            value = gen_address(rng, key.decode() if key else None)
        topic = rng.choice(spec["inputs"])
        lines.append("\t".join(["pipe", topic, str(ts if rec_ts is None else rec_ts), enc(key), enc(value),
                                enc_headers(gen_headers(rng))]))
    for store in spec.get("stores", []):
        lines.append("store\t" + store)
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ compare ----
def read_scenario(path):
    steps = []
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if f[0] == "pipe":
            steps.append(dict(topic=f[1], ts=int(f[2]), key=dec(f[3]), value=dec(f[4]),
                              headers=dec_headers(f[5])))
        elif f[0] == "advance":
            steps.append(dict(advance=int(f[1])))
    return steps


def read_output(path):
    """topic -> [record]; plus errors {step: text} and whether the file was complete."""
    topics, errors, complete = defaultdict(list), {}, False
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if f[0] == "out":
            topics[f[2]].append(dict(step=int(f[1]), ts=int(f[3]), key=dec(f[4]), value=dec(f[5]),
                                     headers=dec_headers(f[6])))
        elif f[0] == "store":   # final store contents: compared like a topic named store:<name>
            topics["store:" + f[1]].append(dict(step=-1, ts=0, key=dec(f[2]), value=dec(f[3]),
                                                headers=[]))
        elif f[0] == "error":
            errors[int(f[1])] = f[2]
        elif f[0] == "end":
            complete = True
    return topics, errors, complete


DLQ_COMPARED_HEADERS = {"__streams.errors.topic", "__streams.errors.partition",
                        "__streams.errors.offset"}


def piped_null_keys(steps):
    """The steps that pipe a record with a null key (and a valid timestamp) into the topology."""
    return {i for i, s in enumerate(steps) if "topic" in s and s["key"] is None and s["ts"] >= 0}


def apply_deviations(topology, steps, expected, actual, excused):
    """The documented deviations of docs/conformance.md, applied to both outputs explicitly.
    Returns what a deviation itself promises and did not hold (failures)."""
    failures = []
    if TOPOLOGIES[topology].get("string_keys"):
        # D5: these topologies read keys as std::string, which cannot hold a null: kstreams
        # refuses a null-key record at deserialization (log_and_continue), Kafka Streams drops it
        # in the table source / aggregation (a warning). Asserted: neither writes anything for it.
        null_key_steps = piped_null_keys(steps)
        for side, who in ((expected, "Kafka Streams"), (actual, "kstreams")):
            for topic, records in side.items():
                for r in records:
                    if r["step"] in null_key_steps:
                        failures.append("deviation D5 does not hold at step %d: %s wrote to %s" %
                                        (r["step"], who, topic))
        excused["D5 (null key, dropped by both)"] += len(null_key_steps)
    # K1: kstreams writes a timestamped store's changelog values with the store's 8-byte
    # timestamp in front (its store format); Kafka Streams writes the plain value and carries the
    # timestamp only as the record's. Asserted: the prefix is the record's timestamp; stripped.
    for topic, records in actual.items():
        if not topic.endswith("-changelog"):
            continue
        for r in records:
            if r["value"] is None:
                continue
            if len(r["value"]) >= 8 and r["value"][:8] == (r["ts"] & (2**64 - 1)).to_bytes(8, "big"):
                r["value"] = r["value"][8:]
                excused["K1 (timestamp in changelog values)"] += 1
            else:
                failures.append("K1 does not hold on %s at step %d: value %s" %
                                (topic, r["step"], r["value"].hex()))
    # K2: kstreams names the repartition topic of to_table after the store, Kafka Streams after
    # the to_table node (generated KSTREAM-TOTABLE-<n>, or the Named). Asserted: each side has
    # only its own name; kstreams' topic is then compared as Kafka's.
    for ks_name, kafka_name in TOPOLOGIES[topology].get("renamed_topics", {}).items():
        if ks_name in expected or kafka_name in actual:
            failures.append("K2 does not hold: Kafka Streams wrote %s or kstreams wrote %s" %
                            (ks_name, kafka_name))
        elif ks_name in actual:
            actual[kafka_name] = actual.pop(ks_name)
            excused["K2 (to_table repartition topic name)"] += len(actual[kafka_name])
    # D6: KTable::group_by's repartition topic carries (new, old) pairs; each side encodes them
    # in its own internal format. Asserted: both decode; compared as the decoded pairs.
    for topic in TOPOLOGIES[topology].get("change_topics", []):
        for side, decode, who in ((expected, decode_kafka_change, "Kafka Streams"),
                                  (actual, decode_kstreams_change, "kstreams")):
            for r in side.get(topic, []):
                pair = decode(r["value"])
                if pair is None:
                    failures.append("D6: %s's record on %s at step %d is not a change: %s" %
                                    (who, topic, r["step"], show(r)))
                    continue
                r["value"] = repr(pair).encode()
                if side is actual:
                    excused["D6 (change format)"] += 1
    if topology == "address-router":
        # D1: a null key cannot be a std::string: kstreams dead-letters the record, Kafka Streams
        # routes it with a null key (or dead-letters it when the value is bad). Asserted: exactly
        # one output each; kstreams' in addresses.dlq. Then both are left out of the comparison.
        null_key_steps = piped_null_keys(steps)
        for side, who in ((expected, "Kafka Streams"), (actual, "kstreams")):
            seen = defaultdict(list)
            for topic, records in side.items():
                for r in records:
                    if r["step"] in null_key_steps:
                        seen[r["step"]].append(topic)
                side[topic] = [r for r in records if r["step"] not in null_key_steps]
            for step in sorted(null_key_steps):
                ok = len(seen[step]) == 1 and (who != "kstreams" or seen[step] == ["addresses.dlq"])
                if not ok:
                    failures.append("deviation D1 does not hold at step %d: %s wrote %s" %
                                    (step, who, seen[step] or "nothing"))
            excused["D1 (null key) %s" % who] += sum(len(v) for v in seen.values())
        # D4: unknown protobuf fields are re-serialized sorted by field number by protobuf-java
        # (UnknownFieldSet is a sorted map) and in arrival order by protobuf C++. The messages
        # are equal; compared after a stable sort of the top-level fields by number.
        for topic in ("addresses.shipping", "addresses.billing", "addresses.invalid"):
            for e, a in zip(expected.get(topic, []), actual.get(topic, [])):
                if e["value"] != a["value"] and e["value"] is not None and a["value"] is not None:
                    ne, na = pb_sorted_fields(e["value"]), pb_sorted_fields(a["value"])
                    if ne is not None and ne == na:
                        a["value"] = e["value"]
                        excused["D4 (unknown proto field order)"] += 1
        # D2: dead-letter headers naming the exception, its message, the node and the time are
        # implementation-specific; topic, partition and offset are compared.
        for side in (expected, actual):
            for r in side.get("addresses.dlq", []):
                r["headers"] = [(k, v) for k, v in r["headers"]
                                if not k.startswith("__streams.errors.") or k in DLQ_COMPARED_HEADERS]
    return failures


def decode_kafka_change(b):
    """Kafka Streams 3.9's ChangedSerializer (KIP-904): new + 0x01, old + 0x00, or
    varint(zigzag(len(new))) + new + old + 0x02. Returns (new, old) or None."""
    if not b or b[-1] > 2:
        return None
    body, flag = b[:-1], b[-1]
    if flag == 1:
        return (body, None)
    if flag == 0:
        return (None, body)
    shift = n = pos = 0
    while True:
        if pos >= len(body):
            return None
        c = body[pos]
        n |= (c & 0x7F) << shift
        pos += 1
        if not c & 0x80:
            break
        shift += 7
    n = (n >> 1) ^ -(n & 1)
    if n < 0 or pos + n > len(body):
        return None
    return (body[pos:pos + n], body[pos + n:])


def decode_kstreams_change(b):
    """kstreams' ChangeSerde (include/kstreams/internal/change.h): a flag byte (1 new, 2 old,
    3 both), for both a 4-byte big-endian length of new, then new, then old."""
    if not b or b[0] not in (1, 2, 3):
        return None
    flag, body = b[0], b[1:]
    if flag == 1:
        return (body, None)
    if flag == 2:
        return (None, body)
    if len(body) < 4:
        return None
    n = int.from_bytes(body[:4], "big")
    if 4 + n > len(body):
        return None
    return (body[4:4 + n], body[4 + n:])


def pb_fields(data, pos=0, end=None, group=None):
    """Top-level protobuf fields as [(number, raw bytes)], or None when `data` is not protobuf."""
    end = len(data) if end is None else end
    fields = []

    def read_varint(p):
        shift = value = 0
        while p < end:
            b = data[p]
            value |= (b & 0x7F) << shift
            p += 1
            if not b & 0x80:
                return value, p
            shift += 7
        raise ValueError("truncated varint")

    try:
        while pos < end:
            start = pos
            tag, pos = read_varint(pos)
            number, wire = tag >> 3, tag & 7
            if wire == 0:
                _, pos = read_varint(pos)
            elif wire == 1:
                pos += 8
            elif wire == 2:
                n, pos = read_varint(pos)
                pos += n
            elif wire == 5:
                pos += 4
            elif wire == 3:
                _, pos = pb_fields(data, pos, end, group=number)
            elif wire == 4:
                if group != number:
                    return None
                return fields, pos
            else:
                return None
            if pos > end:
                return None
            fields.append((number, data[start:pos]))
    except (ValueError, TypeError):
        return None
    return None if group is not None else fields


def pb_sorted_fields(data):
    fields = pb_fields(data)
    return None if fields is None else sorted(fields, key=lambda f: f[0])


def show(r):
    if r is None:
        return "<none>"
    def b(x):
        if x is None:
            return "<null>"
        try:
            return repr(x.decode("utf-8"))
        except UnicodeDecodeError:
            return "x" + x.hex()
    hs = ",".join("%s=%s" % (k, b(v)) for k, v in r["headers"])
    return "step=%d ts=%d key=%s value=%s headers=[%s]" % (r["step"], r["ts"], b(r["key"]),
                                                           b(r["value"]), hs)


def compare(topology, seed, steps, expected, actual, stats):
    """Returns a list of failure texts (empty when both sides agree)."""
    exp_topics, exp_err, exp_ok = expected
    act_topics, act_err, act_ok = actual
    where = "topology %s seed %d" % (topology, seed)
    if not exp_ok:
        return ["%s: the reference output is incomplete" % where]
    if not act_ok:
        return ["%s: the kstreams output is incomplete (runner crashed?)" % where]
    failures = ["%s: %s" % (where, f) for f in
                apply_deviations(topology, steps, exp_topics, act_topics, stats["excused"])]
    if set(exp_err) != set(act_err):
        failures.append("%s: pipe errors differ: Kafka Streams at steps %s, kstreams at %s" %
                        (where, sorted(exp_err.items()), sorted(act_err.items())))
    for topic in sorted(set(exp_topics) | set(act_topics)):
        exp, act = exp_topics.get(topic, []), act_topics.get(topic, [])
        n = max(len(exp), len(act))
        for i in range(n):
            e = exp[i] if i < len(exp) else None
            a = act[i] if i < len(act) else None
            if e == a:
                continue
            lines = ["%s topic %s: record %d differs (Kafka Streams %d records, kstreams %d)" %
                     (where, topic, i, len(exp), len(act)),
                     "  Kafka Streams: " + show(e), "  kstreams:      " + show(a), "  context:"]
            for j in range(max(0, i - 3), min(n, i + 3)):
                lines.append("    [%d] KS %s" % (j, show(exp[j] if j < len(exp) else None)))
                lines.append("    [%d] ks %s" % (j, show(act[j] if j < len(act) else None)))
            step = (e or a)["step"]
            if 0 <= step < len(steps):
                s = steps[step]
                lines.append("  input step %d: %s" % (step, show(dict(step=step, ts=s.get("ts", 0),
                             key=s.get("key"), value=s.get("value"), headers=s.get("headers", [])))
                             if "topic" in s else "advance %d" % s["advance"]))
            failures.append("\n".join(lines))
            break
        stats["records"] += min(len(exp), len(act))
    return failures


# --------------------------------------------------------------------- main ----
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runner", required=True, help="the kstreams conformance-runner binary")
    ap.add_argument("--seeds", type=int, default=int(os.environ.get("KSTREAMS_CONFORMANCE_SEEDS", 40)))
    ap.add_argument("--records", type=int, default=60, help="input records per scenario")
    ap.add_argument("--topology", action="append", help="only these topologies")
    ap.add_argument("--work", help="keep scenarios and outputs here (default: a temp dir)")
    args = ap.parse_args()

    t0 = time.time()
    try:
        classpath = subprocess.run([os.path.join(HERE, "reference", "build")], check=True,
                                   stdout=subprocess.PIPE, text=True).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        print("conformance: FAILED: could not build the Kafka Streams reference (%s). The suite "
              "needs Java (JDK 17), Maven and protoc: run scripts/install-deps." % e)
        return 1
    if not shutil.which("java"):
        print("conformance: FAILED: java not found; run scripts/install-deps")
        return 1
    t_build = time.time() - t0

    work = args.work or tempfile.mkdtemp(prefix="kstreams-conformance-")
    scn_dir, ref_dir, ks_dir = (os.path.join(work, d) for d in ("scenarios", "reference", "kstreams"))
    for d in (scn_dir, ref_dir, ks_dir):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    topologies = args.topology or sorted(TOPOLOGIES)
    files = []
    for topology in topologies:
        for seed in range(args.seeds):
            name = "%s-%04d.scn" % (topology, seed)
            with open(os.path.join(scn_dir, name), "w", encoding="utf-8") as f:
                f.write(generate(topology, seed, args.records))
            files.append((topology, seed, name))
    hand_written = os.path.join(HERE, "scenarios")
    for d in sorted(os.listdir(hand_written) if os.path.isdir(hand_written) else []):
        if d.endswith(".scn"):
            shutil.copy(os.path.join(hand_written, d), scn_dir)
            topo = next(l.split("\t")[1].strip() for l in open(os.path.join(scn_dir, d))
                        if l.startswith("topology\t"))
            if topo in topologies:
                files.append((topo, -1, d))
            else:
                os.remove(os.path.join(scn_dir, d))

    t1 = time.time()
    # Both drivers log every skipped or dead-lettered record; keep that out of the summary.
    ref_log, ks_log = os.path.join(work, "reference.log"), os.path.join(work, "kstreams.log")
    with open(ref_log, "w") as rl, open(ks_log, "w") as kl:
        ref = subprocess.Popen(["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                                "-cp", classpath, "Reference", scn_dir, ref_dir], stderr=rl)
        ks = subprocess.run([args.runner, scn_dir, ks_dir], stderr=kl)
        ref.wait()
    t_run = time.time() - t1
    if ref.returncode != 0 or ks.returncode != 0:
        for log in (ref_log, ks_log):
            print("--- tail of %s" % log)
            print("".join(open(log, errors="replace").readlines()[-20:]))
        print("conformance: FAILED: reference exited %d, kstreams runner exited %d" %
              (ref.returncode, ks.returncode))
        return 1

    per = {t: dict(scenarios=0, inputs=0, records=0, failures=0, excused=defaultdict(int))
           for t in topologies}
    failures = []
    for topology, seed, name in files:
        out = name.replace(".scn", ".out")
        steps = read_scenario(os.path.join(scn_dir, name))
        st = per[topology]
        st["scenarios"] += 1
        st["inputs"] += sum(1 for s in steps if "topic" in s)
        f = compare(topology, seed, steps, read_output(os.path.join(ref_dir, out)),
                    read_output(os.path.join(ks_dir, out)), st)
        st["failures"] += len(f)
        failures += f

    print("conformance: Kafka Streams 3.9.1 TopologyTestDriver vs kstreams TopologyTestDriver")
    print("  %-16s %9s %7s %9s %8s  %s" % ("topology", "scenarios", "inputs", "compared", "diffs",
                                            "documented deviations applied"))
    for t in topologies:
        st = per[t]
        exc = ", ".join("%s: %d records" % kv for kv in sorted(st["excused"].items())) or "-"
        print("  %-16s %9d %7d %9d %8d  %s" % (t, st["scenarios"], st["inputs"], st["records"],
                                               st["failures"], exc))
    print("  (reference build %.1f s, both drivers %.1f s; scenarios in %s)" % (t_build, t_run, work))
    for f in failures[:10]:
        print("\nDIFFERENCE " + f)
    if failures:
        print("\nconformance: FAILED: %d scenario(s) differ (first 10 shown; rerun one with "
              "--topology T --seeds N --work DIR)" % len(failures))
        return 1
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    print("conformance: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
