// The page `metrics.port` serves: Prometheus' text format, one family per metric, samples
// labelled by application, thread and task.
#include "src/runtime/prometheus_text.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kstreams::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

MetricsSnapshot one_thread_one_task() {
  TaskMetrics task{
      .id = TaskId{.subtopology = 0, .partition = 3},
      .processing = {.records_processed = 40,
                     .records_produced = 38,
                     .records_skipped = 1,
                     .records_dead_lettered = 2,
                     .punctuations = 0},
      .records_consumed = 45,
      .buffered_records = 5,
      .consumer_lag = 7,
      .enforced_processing = 0,
  };
  ThreadMetrics thread{
      .name = "router-StreamThread-1",
      .processing = {.records_processed = 1040,
                     .records_produced = 1038,
                     .records_skipped = 1,
                     .records_dead_lettered = 2,
                     .punctuations = 4},
      .records_consumed = 1045,
      .commits = 12,
      .aborts = 0,
      .rebalances = 2,
      .active_tasks = 1,
      .assigned_partitions = 1,
      .consumer_lag = 7,
      .commit_latency_avg_ms = 1.5,
      .commit_latency_max_ms = 20,
      .end_to_end_latency_avg_ms = 0.25,
      .end_to_end_latency_max_ms = 3000,
      .tasks = {task},
  };
  return MetricsSnapshot{
      .application_id = "router",
      .state = StreamsState::kRunning,
      .client = {.records_processed = 2000,
                 .records_produced = 1990,
                 .records_skipped = 3,
                 .records_dead_lettered = 7,
                 .punctuations = 4},
      .threads = {thread},
  };
}

TEST(PrometheusTextTest, EachFamilyHasHelpAndTypeBeforeItsSamples) {
  const std::string page = prometheus_text(one_thread_one_task());
  EXPECT_THAT(page, HasSubstr("# HELP kstreams_task_records_processed_total Input records handed "
                              "to a source node.\n"
                              "# TYPE kstreams_task_records_processed_total counter\n"
                              "kstreams_task_records_processed_total{application_id=\"router\","
                              "thread=\"router-StreamThread-1\",task=\"0_3\"} 40\n"));
  EXPECT_THAT(page, HasSubstr("# TYPE kstreams_thread_consumer_lag gauge\n"
                              "kstreams_thread_consumer_lag{application_id=\"router\","
                              "thread=\"router-StreamThread-1\"} 7\n"));
  EXPECT_EQ(page.back(), '\n');
}

TEST(PrometheusTextTest, ClientThreadAndTaskCountsAreSeparateFamilies) {
  const std::string page = prometheus_text(one_thread_one_task());
  EXPECT_THAT(page, HasSubstr("\nkstreams_client_records_processed_total{application_id=\"router\"}"
                              " 2000\n"));
  EXPECT_THAT(page, HasSubstr("\nkstreams_thread_records_processed_total{application_id=\"router\","
                              "thread=\"router-StreamThread-1\"} 1040\n"));
  EXPECT_THAT(page, HasSubstr("\nkstreams_client_records_dead_lettered_total{application_id="
                              "\"router\"} 7\n"));
  EXPECT_THAT(page, HasSubstr("\nkstreams_thread_records_consumed_total{application_id=\"router\","
                              "thread=\"router-StreamThread-1\"} 1045\n"));
  EXPECT_THAT(page, HasSubstr("\nkstreams_task_buffered_records{application_id=\"router\","
                              "thread=\"router-StreamThread-1\",task=\"0_3\"} 5\n"));
  EXPECT_THAT(page, HasSubstr("\nkstreams_thread_commits_total{application_id=\"router\","
                              "thread=\"router-StreamThread-1\"} 12\n"));
}

TEST(PrometheusTextTest, TheCurrentStateIsOneAndTheOthersZero) {
  MetricsSnapshot snapshot = one_thread_one_task();
  snapshot.state = StreamsState::kRebalancing;
  const std::string page = prometheus_text(snapshot);
  EXPECT_THAT(page, HasSubstr("kstreams_client_state{application_id=\"router\","
                              "state=\"REBALANCING\"} 1\n"));
  for (const char* other :
       {"CREATED", "RUNNING", "PENDING_SHUTDOWN", "NOT_RUNNING", "PENDING_ERROR", "ERROR"}) {
    EXPECT_THAT(page, HasSubstr("kstreams_client_state{application_id=\"router\",state=\"" +
                                std::string(other) + "\"} 0\n"));
  }
}

TEST(PrometheusTextTest, LatenciesAreInSeconds) {
  const std::string page = prometheus_text(one_thread_one_task());
  EXPECT_THAT(page, HasSubstr("kstreams_thread_commit_latency_avg_seconds{application_id="
                              "\"router\",thread=\"router-StreamThread-1\"} 0.0015\n"));
  EXPECT_THAT(page, HasSubstr("kstreams_thread_commit_latency_max_seconds{application_id="
                              "\"router\",thread=\"router-StreamThread-1\"} 0.02\n"));
  EXPECT_THAT(page, HasSubstr("kstreams_thread_end_to_end_latency_max_seconds{application_id="
                              "\"router\",thread=\"router-StreamThread-1\"} 3\n"));
}

TEST(PrometheusTextTest, AnUnknownLagHasNoSample) {
  MetricsSnapshot snapshot = one_thread_one_task();
  snapshot.threads[0].consumer_lag = -1;
  snapshot.threads[0].tasks[0].consumer_lag = -1;
  const std::string page = prometheus_text(snapshot);
  EXPECT_THAT(page, HasSubstr("# TYPE kstreams_thread_consumer_lag gauge\n"));
  EXPECT_THAT(page, Not(HasSubstr("kstreams_thread_consumer_lag{")));
  EXPECT_THAT(page, Not(HasSubstr("kstreams_task_consumer_lag{")));
  EXPECT_THAT(page, Not(HasSubstr("} -1")));
}

TEST(PrometheusTextTest, NoThreadsLeavesTheFamiliesWithoutSamples) {
  MetricsSnapshot snapshot = one_thread_one_task();
  snapshot.threads.clear();
  const std::string page = prometheus_text(snapshot);
  EXPECT_THAT(page, HasSubstr("# TYPE kstreams_thread_records_processed_total counter\n# HELP"));
  EXPECT_THAT(page, Not(HasSubstr("thread=")));
  EXPECT_THAT(page, HasSubstr("kstreams_client_records_processed_total{application_id=\"router\"}"
                              " 2000\n"));
}

TEST(PrometheusTextTest, LabelValuesAreEscaped) {
  EXPECT_EQ(prometheus_label_value("plain-id_1.2"), "plain-id_1.2");
  EXPECT_EQ(prometheus_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  MetricsSnapshot snapshot = one_thread_one_task();
  snapshot.application_id = "say \"hi\"";
  EXPECT_THAT(prometheus_text(snapshot),
              HasSubstr("kstreams_client_records_produced_total{application_id=\"say \\\"hi\\\"\"}"
                        " 1990\n"));
}

// Whole numbers below 1e15 print as integers (larger ones, which no counter here reaches, print
// in the shortest form that reads back, e.g. 1.2e+16).
TEST(PrometheusTextTest, LargeCountersStayIntegers) {
  MetricsSnapshot snapshot = one_thread_one_task();
  snapshot.client.records_processed = 123'456'789'012;
  EXPECT_THAT(prometheus_text(snapshot),
              HasSubstr("kstreams_client_records_processed_total{application_id=\"router\"} "
                        "123456789012\n"));
}

}  // namespace
}  // namespace kstreams::internal
