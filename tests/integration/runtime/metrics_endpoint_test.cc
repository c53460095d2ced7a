// `metrics.port`: a running KafkaStreams serves its counters to Prometheus, on the embedded
// cluster (the mock is enough: nothing here depends on broker semantics). The endpoint listens on
// 127.0.0.1 only.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <kstreams/kafka_streams.h>
#include <kstreams/kstreams.h>

#include "kstreams/http_request.h"
#include "tests/integration/runtime/runtime_test_util.h"

#include <unistd.h>

namespace kstreams::runtime_testing {
namespace {

using kstreams::testing::http_get;
using kstreams::testing::HttpReply;
using kstreams::testing::StatusIs;
using ::testing::HasSubstr;

Topology upper_case(const std::string& in, const std::string& out) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>(in)
      .map_values(
          [](const std::string& v) {
            std::string upper = v;
            for (char& c : upper)
              c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            return upper;
          },
          "upper")
      .to(out);
  auto topology = builder.build();
  EXPECT_TRUE(topology.ok()) << topology.status();
  return std::move(topology).value();
}

/// The sum of the samples of `family` on `page` (0 when it has none).
std::uint64_t sum_of(const std::string& page, const std::string& family) {
  std::istringstream lines(page);
  std::uint64_t sum = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(family + "{", 0) == 0) sum += std::stoull(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

class MetricsEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = TestCluster::start(1);
    ASSERT_NE(cluster_, nullptr);
  }
  void TearDown() override { cluster_.reset(); }

  StreamsConfig config(const std::string& application_id, int metrics_port) {
    StreamsConfig cfg = fast_config(application_id, cluster_->bootstrap(), dir_.path());
    cfg.metrics_port = metrics_port;
    cfg.metrics_host = "127.0.0.1";
    return cfg;
  }

  TempDir dir_;
  std::unique_ptr<TestCluster> cluster_;
};

TEST_F(MetricsEndpointTest, PrometheusScrapesTheCountersOfARunningClient) {
  ASSERT_OK(cluster_->create_topic("scrape-in", 2));
  ASSERT_OK(cluster_->create_topic("scrape-out", 2));
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(cluster_->produce("scrape-in", "k" + std::to_string(i), "v" + std::to_string(i)));
  }
  ASSERT_OK(cluster_->flush());

  KafkaStreams app(upper_case("scrape-in", "scrape-out"), config("it-scrape", 0));
  EXPECT_EQ(app.metrics_port(), -1) << "no endpoint before start()";
  ASSERT_OK(app.start());
  const int port = app.metrics_port();
  ASSERT_GT(port, 0);
  ASSERT_TRUE(wait_until([&] { return app.metrics().records_processed == 20; }, 30s))
      << "processed " << app.metrics().records_processed;
  ASSERT_TRUE(app.wait_for_state(StreamsState::kRunning, 20s));

  const HttpReply reply = http_get(port, "/metrics");
  ASSERT_EQ(reply.status_line, "HTTP/1.1 200 OK");
  const std::string& page = reply.body;
  EXPECT_THAT(page, HasSubstr("kstreams_client_state{application_id=\"it-scrape\","
                              "state=\"RUNNING\"} 1\n"));
  EXPECT_THAT(page, HasSubstr("kstreams_client_records_processed_total{application_id="
                              "\"it-scrape\"} 20\n"));
  EXPECT_EQ(sum_of(page, "kstreams_thread_records_processed_total"), 20U);
  EXPECT_EQ(sum_of(page, "kstreams_task_records_processed_total"), 20U);
  EXPECT_EQ(sum_of(page, "kstreams_task_records_produced_total"), 20U);
  EXPECT_EQ(sum_of(page, "kstreams_thread_active_tasks"), 2U);
  EXPECT_THAT(page, HasSubstr(",task=\"0_0\"}"));
  EXPECT_THAT(page, HasSubstr(",task=\"0_1\"}"));
  // And Prometheus' own parser takes it.
  const std::filesystem::path page_file = dir_.path() / "metrics.txt";
  std::ofstream(page_file) << page;
  const std::string check = std::string("'") + KSTREAMS_SYSTEM_PYTHON3 + "' '" +
                            PROMETHEUS_PAGE_CHECK + "' '" + page_file.string() + "'";
  EXPECT_EQ(std::system(check.c_str()), 0) << check;

  ASSERT_OK(app.close(10s));
  EXPECT_EQ(app.metrics_port(), -1);
  EXPECT_FALSE(http_get(port, "/metrics").connected) << "close() stops the endpoint";
}

TEST_F(MetricsEndpointTest, AClientThatFailedToStartStillShowsItsErrorState) {
  ASSERT_OK(cluster_->create_topic("failed-out", 1));
  KafkaStreams app(upper_case("no-such-input", "failed-out"), config("it-failed", 0));
  EXPECT_THAT(app.start(), StatusIs(StatusCode::kNotFound, HasSubstr("no-such-input")));
  ASSERT_GT(app.metrics_port(), 0) << "the endpoint serves until close()";
  const HttpReply reply = http_get(app.metrics_port(), "/metrics");
  EXPECT_THAT(reply.body, HasSubstr("kstreams_client_state{application_id=\"it-failed\","
                                    "state=\"ERROR\"} 1\n"));
  EXPECT_OK(app.close(5s));
  EXPECT_EQ(app.metrics_port(), -1);
}

TEST_F(MetricsEndpointTest, APortInUseFailsStartWithAnIoErrorNamingIt) {
  ASSERT_OK(cluster_->create_topic("taken-in", 1));
  ASSERT_OK(cluster_->create_topic("taken-out", 1));
  // Somebody else listens on the port.
  const int other = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(other, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(other, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(other, 1), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(other, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int taken = ntohs(address.sin_port);

  KafkaStreams app(upper_case("taken-in", "taken-out"), config("it-taken", taken));
  EXPECT_THAT(app.start(),
              StatusIs(StatusCode::kIo, HasSubstr("metrics.port " + std::to_string(taken))));
  EXPECT_EQ(app.state(), StreamsState::kError);
  EXPECT_EQ(app.metrics_port(), -1);
  EXPECT_OK(app.close(5s));
  close(other);
}

TEST_F(MetricsEndpointTest, ABadPortOrHostIsRefusedWhenTheClientIsMade) {
  ASSERT_OK(cluster_->create_topic("bad-in", 1));
  ASSERT_OK(cluster_->create_topic("bad-out", 1));
  KafkaStreams high(upper_case("bad-in", "bad-out"), config("it-bad", 65536));
  EXPECT_THAT(high.error(), StatusIs(StatusCode::kInvalidArgument, HasSubstr("metrics.port")));

  StreamsConfig named = config("it-bad", 0);
  named.metrics_host = "localhost";
  KafkaStreams by_name(upper_case("bad-in", "bad-out"), named);
  EXPECT_THAT(by_name.start(),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("metrics.host must be an IPv4 or IPv6 address, not 'localhost'")));

  EXPECT_THAT(StreamsConfig::from_properties({{"metrics.port", "nine"}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("metrics.port")));
  auto parsed = StreamsConfig::from_properties(
      {{"application.id", "x"}, {"metrics.port", "9404"}, {"metrics.host", "::1"}});
  ASSERT_OK(parsed.status());
  EXPECT_EQ(parsed->metrics_port, 9404);
  EXPECT_EQ(parsed->metrics_host, "::1");
  EXPECT_OK(parsed->validate());
}

}  // namespace
}  // namespace kstreams::runtime_testing
