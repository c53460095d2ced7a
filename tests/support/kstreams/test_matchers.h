// File: kstreams/test_matchers.h (tests only; target kstreams_test_support)
//
// gMock matchers and assertion macros for `kstreams::Status` and `kstreams::Result<T>`:
//
//   EXPECT_THAT(serde.deserialize(bytes), IsOkAndHolds(42));
//   EXPECT_THAT(serde.deserialize(bad), StatusIs(kstreams::StatusCode::kSerialization));
//   EXPECT_THAT(status, StatusIs(kstreams::StatusCode::kTopology, HasSubstr("orders")));
//   ASSERT_OK(app.start());
//   ASSERT_OK_AND_ASSIGN(kstreams::Bytes bytes, serde.to_bytes(value));
//
// The matchers live in `kstreams::testing`; bring them in with
// `using kstreams::testing::IsOk;` etc. Every name used inside the macros is fully qualified, so
// they also work where `testing` would be ambiguous.
#pragma once

#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/status.h>

namespace kstreams {

/// Prints a Result in gtest messages: its value, or its error.
template <class T>
void PrintTo(const Result<T>& result, std::ostream* os) {
  if (result.ok()) {
    *os << "value " << ::testing::PrintToString(result.value());
  } else {
    *os << result.status();
  }
}

}  // namespace kstreams

namespace kstreams::testing {
namespace internal_matchers {

inline Status status_of(const Status& status) { return status; }
template <class T>
Status status_of(const Result<T>& result) {
  return result.status();
}

}  // namespace internal_matchers

/// Matches an OK `Status`, or a `Result` that holds a value.
MATCHER(IsOk, negation ? "is an error" : "is OK") {
  const ::kstreams::Status status = ::kstreams::testing::internal_matchers::status_of(arg);
  if (!status.ok()) *result_listener << "which is " << status;
  return status.ok();
}

/// Matches a `Status` or `Result` whose error code is `code` (kOk matches OK values).
MATCHER_P(StatusIs, code,
          std::string(negation ? "does not have" : "has") + " status code " +
              std::string(::kstreams::to_string(code))) {
  const ::kstreams::Status status = ::kstreams::testing::internal_matchers::status_of(arg);
  *result_listener << "which is " << status;
  return status.code() == code;
}

/// Matches a `Status` or `Result` whose code is `code` and whose message matches `message`
/// (a string or a matcher such as `HasSubstr("...")`).
MATCHER_P2(StatusIs, code, message,
           std::string(negation ? "does not have" : "has") + " status code " +
               std::string(::kstreams::to_string(code)) + " and a message that " +
               ::testing::DescribeMatcher<std::string>(message)) {
  const ::kstreams::Status status = ::kstreams::testing::internal_matchers::status_of(arg);
  *result_listener << "which is " << status;
  return status.code() == code &&
         ::testing::ExplainMatchResult(message, status.message(), result_listener);
}

/// Implementation of `IsOkAndHolds`; converts to a matcher of any `Result<T>`.
template <class InnerMatcher>
class IsOkAndHoldsMatcher {
 public:
  explicit IsOkAndHoldsMatcher(InnerMatcher inner) : inner_(std::move(inner)) {}

  template <class ResultType>
  operator ::testing::Matcher<ResultType>() const {  // NOLINT(google-explicit-constructor)
    return ::testing::Matcher<ResultType>(new Impl<const ResultType&>(inner_));
  }

 private:
  template <class ResultRef>
  class Impl : public ::testing::MatcherInterface<ResultRef> {
   public:
    using Value = std::remove_cvref_t<decltype(*std::declval<ResultRef>())>;

    explicit Impl(const InnerMatcher& inner)
        : inner_(::testing::SafeMatcherCast<const Value&>(inner)) {}

    bool MatchAndExplain(ResultRef result,
                         ::testing::MatchResultListener* listener) const override {
      if (!result.ok()) {
        *listener << "which is " << result.status();
        return false;
      }
      ::testing::StringMatchResultListener inner_listener;
      const bool matches = inner_.MatchAndExplain(*result, &inner_listener);
      if (!inner_listener.str().empty())
        *listener << "which holds a value " << inner_listener.str();
      return matches;
    }
    void DescribeTo(std::ostream* os) const override {
      *os << "is OK and holds a value that ";
      inner_.DescribeTo(os);
    }
    void DescribeNegationTo(std::ostream* os) const override {
      *os << "is an error or holds a value that ";
      inner_.DescribeNegationTo(os);
    }

   private:
    ::testing::Matcher<const Value&> inner_;
  };

  InnerMatcher inner_;
};

/// Matches a `Result` that holds a value matching `matcher` (a value or a matcher).
template <class InnerMatcher>
IsOkAndHoldsMatcher<std::decay_t<InnerMatcher>> IsOkAndHolds(InnerMatcher&& matcher) {
  return IsOkAndHoldsMatcher<std::decay_t<InnerMatcher>>(std::forward<InnerMatcher>(matcher));
}

}  // namespace kstreams::testing

/// Asserts that a `Status` or `Result` is OK; prints the error otherwise.
#define ASSERT_OK(expr) ASSERT_THAT((expr), ::kstreams::testing::IsOk())
/// Like ASSERT_OK, but the test goes on.
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::kstreams::testing::IsOk())

#define KSTREAMS_ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr)                        \
  auto tmp = (expr);                                                               \
  ASSERT_TRUE(tmp.ok()) << "`" #expr "` failed: "                                  \
                        << ::kstreams::testing::internal_matchers::status_of(tmp); \
  lhs = std::move(tmp).value()

/// `ASSERT_OK_AND_ASSIGN(auto value, f());` binds the value of an OK `Result` or fails the test
/// with the error. Usable only where ASSERT_* is (functions returning void).
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  KSTREAMS_ASSERT_OK_AND_ASSIGN_IMPL_(KSTREAMS_CONCAT_(kstreams_test_result_, __LINE__), lhs, expr)
