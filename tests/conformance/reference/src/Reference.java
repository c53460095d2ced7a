// The conformance reference: runs each scenario file through Kafka Streams' own
// TopologyTestDriver and writes what came out, in the format of tests/conformance/README.md.
//
//   java -cp <classes>:<libs>/* Reference SCENARIO_DIR OUTPUT_DIR
//
// Every topology here has a twin with the same name in tests/conformance/topologies.cc written
// in the kstreams DSL; keep the two in step (same predicates over the same bytes).
import address_router.AddressOuterClass.Address;
import address_router.AddressOuterClass.AddressType;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

public final class Reference {
  static final long INITIAL_WALL_CLOCK_MS = 1_700_000_000_000L;
  static final HexFormat HEX = HexFormat.of();

  /** Records seen by peek/foreach, drained after each step as pseudo-topics "peek"/"foreach". */
  static final List<String[]> sideEffects = new ArrayList<>();
  /** Dead-letter records of the emulated DLQ (Kafka Streams 3.9 has no KIP-1034 DLQ). */
  static final List<TestRecord<byte[], byte[]>> deadLetters = new ArrayList<>();

  static int blen(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  // ------------------------------------------------------------------ topologies ----
  /** A topology plus the config it needs. */
  record Built(Topology topology, Properties extra, String dlqTopic) {}

  static Built build(String name) {
    StreamsBuilder b = new StreamsBuilder();
    Properties extra = new Properties();
    String dlq = null;
    switch (name) {
      case "address-router": {
        Serde<Address> addressSerde = Serdes.serdeFrom(
            (Serializer<Address>) (topic, a) -> a == null ? null : a.toByteArray(),
            (Deserializer<Address>) (topic, data) -> {
              // The kstreams protobuf serde rejects a Kafka null for a non-optional message.
              if (data == null) throw new SerializationException("null value for Address");
              try {
                return Address.parseFrom(data);
              } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new SerializationException(e);
              }
            });
        Map<String, KStream<String, Address>> r =
            b.stream("addresses", Consumed.with(Serdes.String(), addressSerde))
                .split(Named.as("route-"))
                .branch((k, a) -> a.getType() == AddressType.SHIPPING && hasRequiredFields(a),
                        Branched.as("shipping"))
                .branch((k, a) -> a.getType() == AddressType.BILLING && hasRequiredFields(a),
                        Branched.as("billing"))
                .defaultBranch(Branched.as("invalid"));
        Produced<String, Address> p = Produced.with(Serdes.String(), addressSerde);
        r.get("route-shipping").to("addresses.shipping", p);
        r.get("route-billing").to("addresses.billing", p);
        r.get("route-invalid").to("addresses.invalid", p);
        extra.put(StreamsConfig.DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                  DeadLetterEmulation.class.getName());
        dlq = "addresses.dlq";
        break;
      }
      case "filter": {
        KStream<String, String> in = b.stream("in");
        in.filter((k, v) -> v != null && blen(v) % 2 == 0).to("even");
        in.filterNot((k, v) -> k == null || k.startsWith("k1")).to("not-k1");
        break;
      }
      case "map-values": {
        KStream<String, String> in = b.stream("in");
        in.mapValues(v -> v == null ? null : v + "!").to("bang");
        in.mapValues((k, v) -> (k == null ? "~" : k) + "=" + (v == null ? "~" : v)).to("kv");
        break;
      }
      case "map": {
        KStream<String, String> in = b.stream("in");
        in.map((k, v) -> KeyValue.pair(v, k)).to("swapped");
        break;
      }
      case "select-key": {
        KStream<String, String> in = b.stream("in");
        in.selectKey((k, v) -> v).to("by-value");
        in.selectKey((k, v) -> k == null ? "none" : null).to("flipped");
        break;
      }
      case "flat-map": {
        KStream<String, String> in = b.stream("in");
        in.flatMap((k, v) -> {
            List<KeyValue<String, String>> out = new ArrayList<>();
            if (v == null) return out;
            for (int i = 0; i < blen(v) % 3; ++i) {
              out.add(KeyValue.pair((k == null ? "" : k) + "-" + i, v));
            }
            return out;
          }).to("fm");
        in.flatMapValues(v -> v == null ? Collections.singletonList((String) null)
                                        : Arrays.asList(v, v + v)).to("fmv");
        break;
      }
      case "merge": {
        KStream<String, String> a =
            b.<String, String>stream("in-a").mapValues(v -> v == null ? null : "a:" + v);
        KStream<String, String> c = b.<String, String>stream("in-b").filter((k, v) -> k != null);
        a.merge(c).to("merged");
        c.merge(a, Named.as("merge-again")).mapValues(v -> v == null ? "~" : v).to("merged2");
        break;
      }
      case "peek": {
        KStream<String, String> in = b.stream("in");
        in.peek((k, v) -> sideEffects.add(new String[] {"peek", k, v}))
            .filter((k, v) -> v != null)
            .peek((k, v) -> sideEffects.add(new String[] {"peek2", k, v}))
            .to("out");
        in.foreach((k, v) -> sideEffects.add(new String[] {"foreach", k, v}));
        break;
      }
      case "split": {
        KStream<String, String> in = b.stream("in");
        Map<String, KStream<String, String>> s =
            in.split(Named.as("s-"))
                .branch((k, v) -> v == null, Branched.as("null"))
                .branch((k, v) -> k != null && k.startsWith("k1"), Branched.as("k1"))
                .branch((k, v) -> blen(v) % 2 == 0, Branched.as("even"))
                .defaultBranch(Branched.as("rest"));
        s.get("s-null").to("split-null");
        s.get("s-k1").to("split-k1");
        s.get("s-even").to("split-even");
        s.get("s-rest").to("split-rest");
        Map<String, KStream<String, String>> t =
            in.split(Named.as("t-"))
                .branch((k, v) -> k == null, Branched.as("nokey"))
                .branch((k, v) -> v != null && v.isEmpty(), Branched.as("empty"))
                .noDefaultBranch();
        t.get("t-nokey").to("split-nokey");
        t.get("t-empty").to("split-empty");
        break;
      }
      case "headers": {
        KStream<String, String> in = b.stream("in");
        in.process(HeaderStamper::new).to("stamped");
        in.to("plain");
        break;
      }
      case "long-values": {
        KStream<String, Long> in = b.stream("in", Consumed.with(Serdes.String(), Serdes.Long()));
        in.mapValues(v -> v == null ? null : v * 31 + 7)
            .filter((k, v) -> v == null || v % 3 != 0)
            .to("out", Produced.with(Serdes.String(), Serdes.Long()));
        extra.put(StreamsConfig.DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                  LogAndContinueExceptionHandler.class.getName());
        break;
      }
      case "to-extractor": {
        KStream<String, String> in = b.stream("in");
        in.to((k, v, ctx) -> v == null ? "dyn-null" : "dyn-" + (blen(v) % 3));
        break;
      }
      case "feedback": {
        KStream<String, String> in = b.stream("in");
        in.mapValues(v -> v == null ? null : v + "+").to("mid");
        b.<String, String>stream("mid").filter((k, v) -> k != null).to("out");
        break;
      }
      case "metadata": {
        b.<String, String>stream("in").process(MetadataStamper::new).to("mid");
        b.<String, String>stream("mid").process(MetadataStamper::new).to("out");
        break;
      }
      case "punctuate": {
        b.<String, String>stream("in").process(Punctuating::new).to("out");
        break;
      }
      // -------------------------------------------------------------- stateful ----
      // Null keys reach these topologies (Kafka Streams drops them in tables and aggregations;
      // kstreams refuses them at deserialization: deviation D5).
      case "stream-count": {
        KGroupedStream<String, String> g = b.<String, String>stream("in").groupByKey();
        g.count(Materialized.as("counts")).toStream()
            .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        g.reduce((agg, v) -> agg + "|" + v,
                 Materialized.<String, String, KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("reduced")
                     .withCachingDisabled())
            .toStream().to("reduced");
        g.aggregate(() -> 0L, (k, v, agg) -> agg * 31 + (v == null ? 1000 : blen(v)),
                    Materialized.<String, Long, KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("lengths")
                        .withValueSerde(Serdes.Long()))
            .toStream().to("lengths", Produced.with(Serdes.String(), Serdes.Long()));
        break;
      }
      case "stream-group-by": {
        KStream<String, String> in = b.stream("in");
        in.groupBy((k, v) -> v == null ? "nullv" : groupOf(v))
            .count(Materialized.as("by-len")).toStream()
            .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        in.groupBy((k, v) -> prefix(k == null ? "~" : k, 2) + "/"
                                 + (v == null ? "n" : String.valueOf(blen(v) % 2)))
            .aggregate(() -> "", (k, v, agg) -> agg + "," + (v == null ? "~" : v),
                       Materialized.<String, String, KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("by-prefix")
                           .withCachingDisabled())
            .toStream().to("aggs");
        in.selectKey((k, v) -> (k == null ? "~" : k) + "#")
            .groupByKey()
            .reduce((agg, v) -> agg + v, Materialized.as("rekeyed"))
            .toStream().to("rekeyed");
        break;
      }
      case "table":
      case "table-nocache": {
        Materialized<String, String, KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>> m =
            Materialized.as("table");
        if (name.equals("table-nocache")) m = m.withCachingDisabled();
        KTable<String, String> t = b.table("in", m);
        t.toStream().to("all");
        t.filter((k, v) -> blen(v) % 2 == 0).toStream().to("even");
        t.filterNot((k, v) -> k.startsWith("k1")).toStream().to("not-k1");
        t.mapValues(v -> v + "!").filter((k, v) -> blen(k) != blen(v)).toStream().to("bang");
        break;
      }
      case "table-group-by": {
        KTable<String, String> t = b.table("in", Materialized.as("rows"));
        t.groupBy((k, v) -> KeyValue.pair(groupOf(v), v))
            .count(Materialized.as("group-counts")).toStream()
            .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        t.groupBy((k, v) -> KeyValue.pair(prefix(k, 2), (long) blen(v)),
                  Grouped.with(Serdes.String(), Serdes.Long()))
            .reduce((agg, v) -> agg + v, (agg, v) -> agg - v,
                    Materialized.<String, Long, KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("group-sums")
                        .withValueSerde(Serdes.Long()).withCachingDisabled())
            .toStream().to("sums", Produced.with(Serdes.String(), Serdes.Long()));
        t.groupBy((k, v) -> KeyValue.pair(groupOf(k + v), k))
            .aggregate(() -> "", (k, v, agg) -> agg + "+" + v, (k, v, agg) -> agg + "-" + v,
                       Materialized.as("group-aggs"))
            .toStream().to("aggs");
        t.filter((k, v) -> blen(v) % 2 == 0)
            .mapValues(v -> v + "!")
            .groupBy((k, v) -> KeyValue.pair(groupOf(k), v))
            .count(Materialized.as("filtered-counts")).toStream()
            .to("filtered-counts", Produced.with(Serdes.String(), Serdes.Long()));
        break;
      }
      case "to-table": {
        KStream<String, String> in = b.stream("in");
        in.toTable(Materialized.as("latest")).toStream().to("latest");
        // A null key stays null (kstreams never sees it: D5), and Kafka Streams drops it.
        in.selectKey((k, v) -> k == null ? null
                                         : prefix(k, 2) + ":" + (v == null ? "n" : blen(v) % 3))
            .toTable(Materialized.<String, String, KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("rekeyed")
                         .withCachingDisabled())
            .toStream().to("rekeyed");
        break;
      }
      case "stream-table-join": {
        KTable<String, String> t = b.table("table-in", Materialized.as("joined-table"));
        KStream<String, String> in = b.stream("in");
        in.join(t, (v, row) -> v + "|" + row).to("joined");
        in.leftJoin(t, (k, v, row) -> (k == null ? "~" : k) + ":" + v + "|" + (row == null ? "-" : row))
            .to("left-joined");
        in.selectKey((k, v) -> k == null ? "k1" : prefix(k, 2))
            .leftJoin(t, (v, row) -> v + "~" + (row == null ? "-" : row))
            .to("prefix-joined");
        in.selectKey((k, v) -> "k" + (v == null ? 0 : blen(v) % 4))
            .join(t, (v, row) -> row + "/" + v, Joined.as("rekeyed-join"))
            .to("rekeyed-joined");
        break;
      }
      case "stream-globaltable-join": {
        GlobalKTable<String, String> rows = b.globalTable("global-in", Materialized.as("global-rows"));
        KStream<String, String> in = b.stream("in");
        in.join(rows, Reference::rowKey, (v, row) -> v + "|" + row).to("joined");
        in.leftJoin(rows, Reference::rowKey,
                    (k, v, row) -> (k == null ? "~" : k) + ":" + v + "|" + (row == null ? "-" : row))
            .to("left-joined");
        break;
      }
      default:
        throw new IllegalArgumentException("unknown topology: " + name);
    }
    return new Built(b.build(), extra, dlq);
  }

  /** The first n UTF-8 bytes of s (as C++'s substr; the generator's strings split cleanly). */
  static String prefix(String s, int n) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return new String(b, 0, Math.min(n, b.length), StandardCharsets.UTF_8);
  }

  /** The global row of stream-globaltable-join: a prefix of the key, else of the value. */
  static String rowKey(String k, String v) {
    if (k == null) return v == null ? null : prefix(v, 2);
    return k.startsWith("k1") ? null : prefix(k, 2);
  }

  static String groupOf(String v) {
    return "g" + (blen(v) % 3);
  }

  /** A store's final contents as `store` lines sorted by key bytes (plain values). */
  static void dumpStore(BufferedWriter w, TopologyTestDriver driver, String name)
      throws IOException {
    KeyValueStore<Object, Object> store = driver.getKeyValueStore(name);
    if (store == null) throw new IllegalArgumentException("no store " + name);
    List<String> lines = new ArrayList<>();
    try (KeyValueIterator<Object, Object> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<Object, Object> kv = it.next();
        lines.add("store\t" + name + "\t" + encodeObject(kv.key) + "\t" + encodeObject(kv.value)
                  + "\n");
      }
    }
    Collections.sort(lines);
    for (String l : lines) w.write(l);
  }

  static String encodeObject(Object o) {
    if (o == null) return "null";
    if (o instanceof Long l) return encodeBytes(Serdes.Long().serializer().serialize("", l));
    if (o instanceof String s) return encodeString(s);
    throw new IllegalArgumentException("store value of type " + o.getClass());
  }

  static boolean hasRequiredFields(Address a) {
    return !a.getAddressId().isEmpty() && !a.getCustomerId().isEmpty()
        && !a.getStreet().isEmpty() && !a.getCity().isEmpty() && !a.getPostalCode().isEmpty();
  }

  /** Adds a header naming the value, drops "h1", and moves the record 1 ms later. */
  static final class HeaderStamper implements Processor<String, String, String, String> {
    private ProcessorContext<String, String> ctx;

    @Override
    public void init(ProcessorContext<String, String> context) {
      ctx = context;
    }

    @Override
    public void process(Record<String, String> r) {
      Headers h = new RecordHeaders(r.headers().toArray());
      h.remove("h1");
      h.add("seen", r.value() == null ? null : r.value().getBytes(StandardCharsets.UTF_8));
      ctx.forward(r.withHeaders(h).withTimestamp(r.timestamp() + 1));
    }
  }

  /** Writes where the record came from and the task's clocks into headers. */
  static final class MetadataStamper implements Processor<String, String, String, String> {
    private ProcessorContext<String, String> ctx;

    @Override
    public void init(ProcessorContext<String, String> context) {
      ctx = context;
    }

    @Override
    public void process(Record<String, String> r) {
      Headers h = new RecordHeaders(r.headers().toArray());
      var m = ctx.recordMetadata().orElseThrow();
      h.add("md.topic", m.topic().getBytes(StandardCharsets.UTF_8));
      h.add("md.partition", String.valueOf(m.partition()).getBytes());
      h.add("md.offset", String.valueOf(m.offset()).getBytes());
      h.add("md.stream-time", String.valueOf(ctx.currentStreamTimeMs()).getBytes());
      h.add("md.system-time", String.valueOf(ctx.currentSystemTimeMs()).getBytes());
      ctx.forward(r.withHeaders(h));
    }
  }

  /** Forwards records, and a record per stream-time (5 s) and wall-clock (1 s) punctuation. */
  static final class Punctuating implements Processor<String, String, String, String> {
    private ProcessorContext<String, String> ctx;

    @Override
    public void init(ProcessorContext<String, String> context) {
      ctx = context;
      ctx.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME,
                   t -> ctx.forward(new Record<>("wall", String.valueOf(t), t)));
      ctx.schedule(Duration.ofSeconds(5), PunctuationType.STREAM_TIME,
                   t -> ctx.forward(new Record<>("stream", String.valueOf(t), t)));
    }

    @Override
    public void process(Record<String, String> r) {
      ctx.forward(r);
    }
  }

  /** KIP-1034's dead-letter record, emulated: input bytes plus __streams.errors.* headers. */
  public static final class DeadLetterEmulation implements DeserializationExceptionHandler {
    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context,
                                                 ConsumerRecord<byte[], byte[]> record,
                                                 Exception exception) {
      Headers h = new RecordHeaders(record.headers().toArray());
      h.add("__streams.errors.exception", exception.getClass().getName().getBytes());
      h.add("__streams.errors.message", String.valueOf(exception.getMessage()).getBytes());
      h.add("__streams.errors.topic", record.topic().getBytes());
      h.add("__streams.errors.partition", String.valueOf(record.partition()).getBytes());
      h.add("__streams.errors.offset", String.valueOf(record.offset()).getBytes());
      deadLetters.add(new TestRecord<>(record.key(), record.value(), h, record.timestamp()));
      return DeserializationHandlerResponse.CONTINUE;
    }

    @Override
    public void configure(Map<String, ?> configs) {}
  }

  // ------------------------------------------------------------------ scenario I/O ----
  static byte[] decodeBytes(String s) {
    if (s.equals("null")) return null;
    if (!s.startsWith("x")) throw new IllegalArgumentException("bad bytes field: " + s);
    return HEX.parseHex(s.substring(1));
  }

  static String encodeBytes(byte[] b) {
    return b == null ? "null" : "x" + HEX.formatHex(b);
  }

  static Headers decodeHeaders(String s) {
    RecordHeaders h = new RecordHeaders();
    if (s.equals("-")) return h;
    for (String one : s.split(";")) {
      int eq = one.indexOf('=');
      h.add(new String(decodeBytes(one.substring(0, eq)), StandardCharsets.UTF_8),
            decodeBytes(one.substring(eq + 1)));
    }
    return h;
  }

  static String encodeHeaders(Headers headers) {
    List<String> parts = new ArrayList<>();
    for (Header h : headers) {
      parts.add(encodeBytes(h.key().getBytes(StandardCharsets.UTF_8)) + "="
                + encodeBytes(h.value()));
    }
    return parts.isEmpty() ? "-" : String.join(";", parts);
  }

  static String encodeString(String s) {
    return encodeBytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
  }

  static void runScenario(Path scenario, Path outDir) throws IOException {
    List<String> lines = Files.readAllLines(scenario, StandardCharsets.UTF_8);
    String topologyName = null;
    List<String> header = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.split("\t", -1);
      if (f[0].equals("topology")) topologyName = f[1];
      if (f[0].equals("topology") || f[0].equals("seed")) header.add(line);
    }
    Built built = build(topologyName);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "conformance-" + topologyName);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    // Kafka's driver checkpoints (fsync) its stores' offsets after every record: on tmpfs that
    // is free, on a disk it costs seconds per scenario.
    if (Files.isDirectory(Paths.get("/dev/shm"))) {
      props.put(StreamsConfig.STATE_DIR_CONFIG,
                "/dev/shm/kstreams-conformance-" + ProcessHandle.current().pid());
    }
    props.putAll(built.extra());
    sideEffects.clear();
    deadLetters.clear();

    Path out = outDir.resolve(scenario.getFileName().toString().replace(".scn", ".out"));
    try (TopologyTestDriver driver = new TopologyTestDriver(
             built.topology(), props, Instant.ofEpochMilli(INITIAL_WALL_CLOCK_MS));
         BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      w.write("kstreams-conformance-output\t1\n");
      for (String h : header) w.write(h + "\n");
      int step = -1;
      for (String line : lines) {
        String[] f = line.split("\t", -1);
        if (f[0].equals("pipe")) {
          ++step;
          TestInputTopic<byte[], byte[]> in = driver.createInputTopic(
              f[1], new ByteArraySerializer(), new ByteArraySerializer());
          try {
            in.pipeInput(new TestRecord<>(decodeBytes(f[3]), decodeBytes(f[4]),
                                          decodeHeaders(f[5]), Long.parseLong(f[2])));
          } catch (RuntimeException e) {
            w.write("error\t" + step + "\t" + e.getClass().getSimpleName() + "\n");
          }
        } else if (f[0].equals("advance")) {
          ++step;
          driver.advanceWallClockTime(Duration.ofMillis(Long.parseLong(f[1])));
        } else if (f[0].equals("store")) {
          dumpStore(w, driver, f[1]);
          continue;
        } else {
          continue;
        }
        for (String topic : new TreeSet<>(driver.producedTopicNames())) {
          TestOutputTopic<byte[], byte[]> o = driver.createOutputTopic(
              topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
          while (!o.isEmpty()) {
            TestRecord<byte[], byte[]> r = o.readRecord();
            writeOut(w, step, topic, r.timestamp(), r.key(), r.value(), r.headers());
          }
        }
        for (TestRecord<byte[], byte[]> r : deadLetters) {
          writeOut(w, step, built.dlqTopic(), r.timestamp(), r.key(), r.value(), r.headers());
        }
        deadLetters.clear();
        for (String[] s : sideEffects) {
          w.write("out\t" + step + "\t" + s[0] + "\t0\t" + encodeString(s[1]) + "\t"
                  + encodeString(s[2]) + "\t-\n");
        }
        sideEffects.clear();
      }
      w.write("end\n");
    }
  }

  static void writeOut(BufferedWriter w, int step, String topic, long ts, byte[] key,
                       byte[] value, Headers headers) throws IOException {
    w.write("out\t" + step + "\t" + topic + "\t" + ts + "\t" + encodeBytes(key) + "\t"
            + encodeBytes(value) + "\t" + encodeHeaders(headers) + "\n");
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: Reference SCENARIO_DIR OUTPUT_DIR");
      System.exit(2);
    }
    Path outDir = Paths.get(args[1]);
    Files.createDirectories(outDir);
    List<Path> scenarios;
    try (Stream<Path> s = Files.list(Paths.get(args[0]))) {
      scenarios = s.filter(p -> p.toString().endsWith(".scn")).sorted().collect(Collectors.toList());
    }
    for (Path p : scenarios) runScenario(p, outDir);
    Path stateDir = Paths.get("/dev/shm/kstreams-conformance-" + ProcessHandle.current().pid());
    if (Files.exists(stateDir)) {
      try (Stream<Path> s = Files.walk(stateDir)) {
        for (Path p : s.sorted(Collections.reverseOrder()).collect(Collectors.toList())) {
          Files.deleteIfExists(p);
        }
      }
    }
    System.err.println("reference: ran " + scenarios.size() + " scenarios");
  }
}
