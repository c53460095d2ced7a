// The count-by-key app of the comparison in Kafka Streams; twin of bench/compare/count_app.cc.
//
//   --input (String key, String value) -> groupByKey -> count(Materialized.as("counts"))
//     -> toStream -> --output (value: Long, Kafka's LongSerializer: 8 bytes big-endian)
//
//   java -cp $(bench/reference/build) CountApp --bootstrap-servers H --application-id ID
//        --state-dir DIR [--processing-guarantee at_least_once|exactly_once_v2]
//        [--input counts.in] [--output counts.out] [--property k=v]...
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

public final class CountApp {
  public static void main(String[] args) throws InterruptedException {
    Properties props = new Properties();
    Map<String, String> opts = AppMain.parse("count-app", args, props);
    StreamsBuilder b = new StreamsBuilder();
    b.stream(opts.getOrDefault("input", "counts.in"), Consumed.with(Serdes.String(), Serdes.String()))
        .groupByKey()
        .count(Materialized.as("counts"))
        .toStream()
        .to(opts.getOrDefault("output", "counts.out"), Produced.with(Serdes.String(), Serdes.Long()));
    AppMain.run("count-app", b.build(), props);
  }
}
