// File: src/kafka/handles.h (private)
//
// RAII owners for librdkafka C objects: `std::unique_ptr`s with deleters, so that no librdkafka
// object is released by hand anywhere else.
//
// Destruction order matters in two places, and owners must declare members accordingly (members
// are destroyed in reverse declaration order):
//  * every `MessagePtr`, `QueuePtr` and `TopicPtr` of a client must be destroyed before that
//    client's `KafkaPtr` (rd_kafka_destroy waits for them);
//  * a consumer must be closed (rd_kafka_consumer_close) before its `KafkaPtr` is destroyed, so
//    that it leaves its group and commits are finished while the owner is still intact. That is
//    the owner's job (kafka::Consumer does it); the deleter below only destroys.
#pragma once

#include <memory>

#include <librdkafka/rdkafka.h>

namespace kstreams::kafka {

/// Deleters for the librdkafka C types. Stateless; usable from any thread.
struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
struct TopicDeleter {
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
};
struct TopicPartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
};
struct HeadersDeleter {
  void operator()(rd_kafka_headers_t* headers) const { rd_kafka_headers_destroy(headers); }
};
struct ErrorDeleter {
  void operator()(rd_kafka_error_t* error) const { rd_kafka_error_destroy(error); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* metadata) const {
    rd_kafka_metadata_destroy(metadata);
  }
};
struct GroupMetadataDeleter {
  void operator()(rd_kafka_consumer_group_metadata_t* metadata) const {
    rd_kafka_consumer_group_metadata_destroy(metadata);
  }
};

/// A client (producer or consumer). See the file comment for what must go before it.
using KafkaPtr = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
/// A configuration not yet handed to rd_kafka_new (which takes ownership only on success).
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;
using TopicPartitionListPtr =
    std::unique_ptr<rd_kafka_topic_partition_list_t, TopicPartitionListDeleter>;
/// A consumed message; holds a reference into its client, so destroy it before the client.
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
using HeadersPtr = std::unique_ptr<rd_kafka_headers_t, HeadersDeleter>;
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, ErrorDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;
/// A consumer's group metadata, for rd_kafka_send_offsets_to_transaction.
using GroupMetadataPtr = std::unique_ptr<rd_kafka_consumer_group_metadata_t, GroupMetadataDeleter>;

}  // namespace kstreams::kafka
