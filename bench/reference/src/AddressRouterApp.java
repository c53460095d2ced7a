// The address router of the comparison in Kafka Streams; twin of examples/address_router (the
// routing rules are those of tests/conformance/reference/src/Reference.java, "address-router").
//
//   addresses --split--> addresses.shipping   type SHIPPING, all required fields present
//                    |-> addresses.billing    type BILLING, all required fields present
//                    '-> addresses.invalid    any other type, or a required field missing
//   undecodable bytes -> addresses.dlq        with __streams.errors.* headers (dead letter)
//
// Kafka Streams 3.9 has no dead-letter queue (KIP-1034 is later) and a deserialization
// exception handler cannot produce through the task's producer, so the value is read as bytes and
// decoded by the first processor, which sends what does not decode to the DLQ branch. Written
// this way the dead letters go through the task's producer, under exactly_once_v2 in the same
// transaction as the routed records, as kstreams' DLQ does.
//
//   java -cp $(bench/reference/build) AddressRouterApp --bootstrap-servers H --application-id ID
//        --state-dir DIR [--processing-guarantee at_least_once|exactly_once_v2] [--property k=v]...
import address_router.AddressOuterClass.Address;
import address_router.AddressOuterClass.AddressType;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

public final class AddressRouterApp {
  /** A value that did not decode: its bytes, for the DLQ. */
  record DeadLetter(byte[] bytes) {}

  static boolean hasRequiredFields(Address a) {
    return !a.getAddressId().isEmpty() && !a.getCustomerId().isEmpty()
        && !a.getStreet().isEmpty() && !a.getCity().isEmpty() && !a.getPostalCode().isEmpty();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** bytes -> Address, or a DeadLetter with the error headers (as kstreams' dead_letter()). */
  static final class Decode implements FixedKeyProcessor<String, byte[], Object> {
    private FixedKeyProcessorContext<String, Object> ctx;

    @Override
    public void init(FixedKeyProcessorContext<String, Object> context) {
      ctx = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> r) {
      byte[] data = r.value();
      Exception error;
      try {
        // The kstreams protobuf serde rejects a Kafka null for a non-optional message.
        if (data != null) {
          ctx.forward(r.withValue(Address.parseFrom(data)));
          return;
        }
        error = new IllegalArgumentException("null value for Address");
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        error = e;
      }
      Headers h = new RecordHeaders(r.headers().toArray());
      h.add("__streams.errors.exception", utf8(error.getClass().getName()));
      h.add("__streams.errors.message", utf8(String.valueOf(error.getMessage())));
      RecordMetadata m = ctx.recordMetadata().orElseThrow();
      h.add("__streams.errors.topic", utf8(m.topic()));
      h.add("__streams.errors.partition", utf8(String.valueOf(m.partition())));
      h.add("__streams.errors.offset", utf8(String.valueOf(m.offset())));
      ctx.forward(r.withValue((Object) new DeadLetter(data)).withHeaders(h));
    }
  }

  public static void main(String[] args) throws InterruptedException {
    Properties props = new Properties();
    AppMain.parse("address-router", args, props);
    Serde<Object> addresses =
        Serdes.serdeFrom((Serializer<Object>) (t, a) -> a == null ? null : ((Address) a).toByteArray(),
                         (t, d) -> { throw new UnsupportedOperationException("write only"); });
    Serde<Object> deadLetters =
        Serdes.serdeFrom((Serializer<Object>) (t, d) -> d == null ? null : ((DeadLetter) d).bytes(),
                         (t, d) -> { throw new UnsupportedOperationException("write only"); });
    Produced<String, Object> toAddresses = Produced.with(Serdes.String(), addresses);
    StreamsBuilder b = new StreamsBuilder();
    b.stream("addresses", Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .processValues(Decode::new, Named.as("decode"))
        .split(Named.as("route-"))
        .branch((k, v) -> v instanceof DeadLetter,
                Branched.withConsumer(s -> s.to("addresses.dlq", Produced.with(Serdes.String(), deadLetters)),
                                      "dlq"))
        .branch((k, v) -> v instanceof Address a && a.getType() == AddressType.SHIPPING
                              && hasRequiredFields(a),
                Branched.withConsumer(s -> s.to("addresses.shipping", toAddresses), "shipping"))
        .branch((k, v) -> v instanceof Address a && a.getType() == AddressType.BILLING
                              && hasRequiredFields(a),
                Branched.withConsumer(s -> s.to("addresses.billing", toAddresses), "billing"))
        .defaultBranch(Branched.withConsumer(s -> s.to("addresses.invalid", toAddresses), "invalid"));
    AppMain.run("address-router", b.build(), props);
  }
}
