#include "operators/dead_letter.h"

#include <cstdlib>
#include <memory>
#include <typeinfo>

#include <cxxabi.h>

namespace kstreams::internal {
namespace {

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> name(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), &std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}

}  // namespace

Headers dead_letter_headers(const Headers& original, const ErrorContext& error,
                            std::string_view exception_class, std::int64_t handled_at_ms) {
  Headers headers;
  headers.reserve(original.size() + 7);  // the seven added below: one allocation
  for (const Header& header : original) headers.add(header.key, header.value);
  headers.add(std::string(kDlqHeaderException), Bytes(exception_class));
  headers.add(std::string(kDlqHeaderMessage),
              error.error != nullptr ? error.error->to_string() : std::string("unknown error"));
  headers.add(std::string(kDlqHeaderTopic), Bytes(error.topic));
  headers.add(std::string(kDlqHeaderPartition), std::to_string(error.partition));
  headers.add(std::string(kDlqHeaderOffset), std::to_string(error.offset));
  headers.add(std::string(kDlqHeaderNode), Bytes(error.node));
  headers.add(std::string(kDlqHeaderTime), std::to_string(handled_at_ms));
  return headers;
}

ExceptionDescription describe_exception(std::exception_ptr error) {
  try {
    std::rethrow_exception(std::move(error));
  } catch (const StreamsException& e) {
    return {demangle(typeid(e).name()), e.status()};
  } catch (const std::exception& e) {
    return {demangle(typeid(e).name()),
            Status(StatusCode::kProcessing, demangle(typeid(e).name()) + ": " + e.what())};
  } catch (...) {
    const std::type_info* type = abi::__cxa_current_exception_type();
    std::string name = type != nullptr ? demangle(type->name()) : std::string("unknown");
    return {name, Status(StatusCode::kProcessing, "exception of type " + name)};
  }
}

bool is_dead_letter_handler(const ErrorHandler& handler) {
  return handler.target<DeadLetterHandler>() != nullptr;
}

}  // namespace kstreams::internal
