// File: src/kafka/error.h (private)
//
// The one place where librdkafka errors become kstreams `Status`es. Every other file in
// src/kafka/ calls these functions; none classifies error codes itself.
//
// Classification, first match wins:
//  1. "you no longer own this work" codes → kTaskMigrated: _FENCED, PRODUCER_FENCED,
//     INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED, UNKNOWN_MEMBER_ID,
//     ILLEGAL_GENERATION, _MAX_POLL_EXCEEDED. This wins over the fatal and abortable flags, as in
//     Kafka Streams (ProducerFencedException → TaskMigratedException): the runtime aborts any
//     open transaction, closes its tasks dirty, recreates a fenced producer and rejoins.
//  2. the error object is fatal, or the code is _FATAL or an authorization/authentication
//     failure → kFatal.
//  3. the error object says txn_requires_abort → kTransactionAbortable.
//  4. the error object is retriable, or the code is known to be transient (leader moves,
//     coordinator moves, transport, queue full, rebalance in progress, ...) → kRetriable.
//  5. timeouts (_TIMED_OUT, _MSG_TIMED_OUT, _TIMED_OUT_QUEUE, REQUEST_TIMED_OUT) → kTimeout.
//  6. _INVALID_ARG → kInvalidArgument; _STATE → kIllegalState; everything else → kIo.
//
// Messages read "<context>: <librdkafka text> (<ERROR_NAME>)", e.g.
// "commit: Local: Timed out (_TIMED_OUT)".
#pragma once

#include <string_view>

#include <librdkafka/rdkafka.h>

#include <kstreams/status.h>

#include "src/kafka/handles.h"

namespace kstreams::kafka {

/// The StatusCode that `err` maps to when nothing but the code is known (rules 1, 2, 4-6).
StatusCode status_code_for(rd_kafka_resp_err_t err);

/// OK for RD_KAFKA_RESP_ERR_NO_ERROR, otherwise the classified error.
Status to_status(rd_kafka_resp_err_t err, std::string_view context = {});

/// OK for nullptr, otherwise the classified error, using the object's own flags and text
/// (which is often more precise than the code's generic text), and destroys the error object.
/// Only this owning form exists: every librdkafka call that returns an rd_kafka_error_t* hands
/// it over, and a borrowing overload once let a failed seek's error leak.
Status to_status(ErrorPtr error, std::string_view context = {});

/// The client's fatal error (rd_kafka_fatal_error) as a Status: OK when there is none,
/// kTaskMigrated when the underlying cause is fencing, kFatal otherwise.
Status fatal_error_status(rd_kafka_t* rk);

/// Parses an error code given as its librdkafka name with or without the RD_KAFKA_RESP_ERR_
/// prefix ("NOT_LEADER_FOR_PARTITION", "_TRANSPORT") or as a number ("6", "-195").
Result<rd_kafka_resp_err_t> parse_error_code(std::string_view text);

}  // namespace kstreams::kafka
