#include "src/kafka/error.h"

#include <array>
#include <charconv>
#include <string>

namespace kstreams::kafka {
namespace {

bool is_migration(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__FENCED:
    case RD_KAFKA_RESP_ERR_PRODUCER_FENCED:
    case RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH:
    case RD_KAFKA_RESP_ERR_TRANSACTION_COORDINATOR_FENCED:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED:
      return true;
    default:
      return false;
  }
}

bool is_fatal_code(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID:  // Two instances share a group.instance.id.
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
      return true;
    default:
      return false;
  }
}

bool is_transient(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR__RETRY:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__IN_PROGRESS:
    case RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR__NODE_UPDATE:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_FETCH_SESSION_ID_NOT_FOUND:
    case RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT:
    case RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED:
    case RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH:
      return true;
    default:
      return false;
  }
}

bool is_timeout(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT ||
         err == RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE || err == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT;
}

StatusCode code_after_flags(rd_kafka_resp_err_t err) {
  if (is_timeout(err)) return StatusCode::kTimeout;
  if (err == RD_KAFKA_RESP_ERR__INVALID_ARG) return StatusCode::kInvalidArgument;
  if (err == RD_KAFKA_RESP_ERR__STATE) return StatusCode::kIllegalState;
  return StatusCode::kIo;
}

std::string format_message(std::string_view context, std::string_view text, std::string_view name,
                           std::string_view flags) {
  std::string message;
  if (!context.empty()) {
    message.append(context);
    message.append(": ");
  }
  message.append(text);
  message.append(" (");
  message.append(name);
  message.append(flags);
  message.append(")");
  return message;
}

}  // namespace

StatusCode status_code_for(rd_kafka_resp_err_t err) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return StatusCode::kOk;
  if (is_migration(err)) return StatusCode::kTaskMigrated;
  if (is_fatal_code(err)) return StatusCode::kFatal;
  if (is_transient(err)) return StatusCode::kRetriable;
  return code_after_flags(err);
}

Status to_status(rd_kafka_resp_err_t err, std::string_view context) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status();
  return Status(status_code_for(err),
                format_message(context, rd_kafka_err2str(err), rd_kafka_err2name(err), ""));
}

Status to_status(ErrorPtr owned, std::string_view context) {
  const rd_kafka_error_t* error = owned.get();
  if (error == nullptr) return Status();
  const rd_kafka_resp_err_t err = rd_kafka_error_code(error);
  const bool fatal = rd_kafka_error_is_fatal(error) != 0;
  const bool abortable = rd_kafka_error_txn_requires_abort(error) != 0;
  const bool retriable = rd_kafka_error_is_retriable(error) != 0;

  StatusCode code;
  if (is_migration(err)) {
    code = StatusCode::kTaskMigrated;
  } else if (fatal || is_fatal_code(err)) {
    code = StatusCode::kFatal;
  } else if (abortable) {
    code = StatusCode::kTransactionAbortable;
  } else if (retriable || is_transient(err)) {
    code = StatusCode::kRetriable;
  } else {
    code = code_after_flags(err);
  }
  std::string flags;
  if (fatal) flags += ", fatal";
  if (abortable) flags += ", txn_requires_abort";
  if (retriable) flags += ", retriable";
  const char* text = rd_kafka_error_string(error);
  return Status(code, format_message(context, text != nullptr ? text : rd_kafka_err2str(err),
                                     rd_kafka_error_name(error), flags));
}

Status fatal_error_status(rd_kafka_t* rk) {
  std::array<char, 512> text{};
  const rd_kafka_resp_err_t err = rd_kafka_fatal_error(rk, text.data(), text.size());
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status();
  const StatusCode code = is_migration(err) ? StatusCode::kTaskMigrated : StatusCode::kFatal;
  return Status(
      code, format_message("fatal client error", text.data(), rd_kafka_err2name(err), ", fatal"));
}

Result<rd_kafka_resp_err_t> parse_error_code(std::string_view text) {
  constexpr std::string_view kPrefix = "RD_KAFKA_RESP_ERR_";
  if (text.starts_with(kPrefix)) text.remove_prefix(kPrefix.size());
  if (text.empty()) return invalid_argument("empty error code");

  int number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  const bool numeric = ec == std::errc() && end == text.data() + text.size();

  const rd_kafka_err_desc* descs = nullptr;
  size_t count = 0;
  rd_kafka_get_err_descs(&descs, &count);
  for (size_t i = 0; i < count; ++i) {
    if (descs[i].name == nullptr) continue;  // The table has holes.
    if (numeric ? descs[i].code == number : text == descs[i].name) return descs[i].code;
  }
  return invalid_argument("unknown librdkafka error code '" + std::string(text) + "'");
}

}  // namespace kstreams::kafka
