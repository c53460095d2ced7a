// What the two Kafka Streams apps of the comparison share: the command line (the same flags as
// the kstreams apps: --bootstrap-servers, --application-id, --state-dir, --processing-guarantee,
// --property k=v), and running a topology until SIGTERM/SIGINT, then a clean close.
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

final class AppMain {
  private AppMain() {}

  /** --name value pairs; --property may repeat (key=value). */
  static Map<String, String> parse(String name, String[] args, Properties props) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; ++i) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(name + ": expected --option value, got " + args[i]);
      }
      String key = args[i].substring(2);
      String value = args[++i];
      if (key.equals("property")) {
        int eq = value.indexOf('=');
        if (eq < 0) throw new IllegalArgumentException("--property " + value + ": want k=v");
        props.put(value.substring(0, eq), value.substring(eq + 1));
      } else {
        opts.put(key, value);
      }
    }
    for (String required : new String[] {"bootstrap-servers", "application-id", "state-dir"}) {
      if (!opts.containsKey(required)) {
        throw new IllegalArgumentException(name + ": --" + required + " is required");
      }
    }
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, opts.get("bootstrap-servers"));
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, opts.get("application-id"));
    props.put(StreamsConfig.STATE_DIR_CONFIG, opts.get("state-dir"));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
              opts.getOrDefault("processing-guarantee", StreamsConfig.AT_LEAST_ONCE));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, opts.getOrDefault("threads", "1"));
    props.putIfAbsent(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.putIfAbsent(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    return opts;
  }

  /**
   * Runs until SIGTERM/SIGINT, then closes in the JVM's shutdown hook and exits 0 if the close
   * was clean (halt: a JVM ending on SIGTERM would report 143 otherwise); exits 1 on a fatal error.
   */
  static void run(String name, Topology topology, Properties props) throws InterruptedException {
    KafkaStreams streams = new KafkaStreams(topology, props);
    CountDownLatch failed = new CountDownLatch(1);
    streams.setUncaughtExceptionHandler(e -> {
      System.err.println(name + ": stopped: " + e);
      failed.countDown();
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println(name + ": closing");
      boolean clean = streams.close(Duration.ofSeconds(30));
      System.err.println(name + ": closed (" + (clean ? "clean" : "timed out") + ")");
      Runtime.getRuntime().halt(clean && failed.getCount() > 0 ? 0 : 1);
    }));
    streams.start();
    System.err.println(name + ": running as '" + props.get(StreamsConfig.APPLICATION_ID_CONFIG)
                       + "'; SIGINT or SIGTERM stops it");
    failed.await();
    System.exit(1);  // the shutdown hook closes
  }
}
