// The HTTP side of `metrics.port`: what Prometheus (or curl) gets, and what a broken or slow
// client cannot do to it. Everything on 127.0.0.1, port 0 (a free port).
#include "src/runtime/metrics_http_server.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "kstreams/http_request.h"
#include "kstreams/test_matchers.h"

#include <unistd.h>

namespace kstreams::internal {
namespace {

using ::kstreams::testing::connect_to_loopback;
using ::kstreams::testing::http_get;
using ::kstreams::testing::http_request;
using ::kstreams::testing::HttpReply;
using ::kstreams::testing::read_reply;
using ::kstreams::testing::send_all;
using ::kstreams::testing::StatusIs;
using ::testing::HasSubstr;

std::unique_ptr<MetricsHttpServer> serve(std::atomic<int>& renders) {
  auto server = MetricsHttpServer::start("127.0.0.1", 0, [&renders] {
    return "kstreams_scrapes " + std::to_string(++renders) + "\n";
  });
  EXPECT_TRUE(server.ok()) << server.status().to_string();
  return server.ok() ? std::move(server).value() : nullptr;
}

TEST(MetricsHttpServerTest, GetMetricsReturnsThePageInPrometheusTextFormat) {
  std::atomic<int> renders = 0;
  auto server = serve(renders);
  ASSERT_NE(server, nullptr);
  ASSERT_GT(server->port(), 0);

  const HttpReply first = http_get(server->port(), "/metrics");
  EXPECT_EQ(first.status_line, "HTTP/1.1 200 OK");
  EXPECT_THAT(first.headers,
              HasSubstr("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  EXPECT_THAT(first.headers, HasSubstr("Content-Length: 19\r\n"));
  EXPECT_EQ(first.body, "kstreams_scrapes 1\n");
  // Rendered anew for every scrape; a query string is ignored.
  EXPECT_EQ(http_get(server->port(), "/metrics?name[]=x").body, "kstreams_scrapes 2\n");
}

TEST(MetricsHttpServerTest, HeadAnswersWithTheHeadersAlone) {
  std::atomic<int> renders = 0;
  auto server = serve(renders);
  ASSERT_NE(server, nullptr);
  const HttpReply reply = http_request(server->port(), "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(reply.status_line, "HTTP/1.1 200 OK");
  EXPECT_THAT(reply.headers, HasSubstr("Content-Length: 19\r\n"));
  EXPECT_EQ(reply.body, "");
}

TEST(MetricsHttpServerTest, OtherPathsMethodsAndGarbageGetTheirErrors) {
  std::atomic<int> renders = 0;
  auto server = serve(renders);
  ASSERT_NE(server, nullptr);
  const int port = server->port();

  const HttpReply root = http_get(port, "/");
  EXPECT_EQ(root.status_line, "HTTP/1.1 404 Not Found");
  EXPECT_EQ(root.body, "metrics are at /metrics\n");
  EXPECT_EQ(http_get(port, "/metricsx").status_line, "HTTP/1.1 404 Not Found");

  const HttpReply post =
      http_request(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(post.status_line, "HTTP/1.1 405 Method Not Allowed");
  EXPECT_THAT(post.headers, HasSubstr("Allow: GET, HEAD\r\n"));

  EXPECT_EQ(http_request(port, "hello\r\n\r\n").status_line, "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(http_request(port, "GET /metrics SMTP/1.0\r\n\r\n").status_line,
            "HTTP/1.1 400 Bad Request");
  const HttpReply huge =
      http_request(port, "GET /metrics HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n");
  EXPECT_EQ(huge.status_line, "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(huge.body, "request too large\n");

  EXPECT_EQ(renders, 0) << "only GET or HEAD of /metrics renders the page";
  EXPECT_EQ(http_get(port, "/metrics").body, "kstreams_scrapes 1\n") << "still serving";
}

TEST(MetricsHttpServerTest, ARequestInPiecesOrWithBareNewlinesIsServed) {
  std::atomic<int> renders = 0;
  auto server = serve(renders);
  ASSERT_NE(server, nullptr);
  const int fd = connect_to_loopback(server->port());
  ASSERT_GE(fd, 0);
  for (const char* piece : {"GE", "T /metr", "ics HTTP/1.1\r\nHost: x\r\n", "\r\n"}) {
    ASSERT_TRUE(send_all(fd, piece));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  EXPECT_EQ(read_reply(fd).body, "kstreams_scrapes 1\n");
  // Empty lines before the request line are skipped (RFC 9112, 2.2); LF alone ends lines.
  EXPECT_EQ(http_request(server->port(), "\r\nGET /metrics HTTP/1.0\n\n").body,
            "kstreams_scrapes 2\n");
}

TEST(MetricsHttpServerTest, AClientThatDoesNotReadItsReplyIsDroppedAfterTwoSeconds) {
  // A page larger than what the kernel buffers for a connection.
  const std::string big(16 << 20, '#');
  auto server = MetricsHttpServer::start("127.0.0.1", 0, [&big] { return big; });
  ASSERT_TRUE(server.ok()) << server.status();
  const int stalled = connect_to_loopback((*server)->port());
  ASSERT_GE(stalled, 0);
  ASSERT_TRUE(send_all(stalled, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the server is writing to it

  const auto started = std::chrono::steady_clock::now();
  const HttpReply reply = http_get((*server)->port(), "/metrics");
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(reply.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(reply.body.size(), big.size());
  EXPECT_GE(waited, std::chrono::milliseconds(1500));
  EXPECT_LT(waited, std::chrono::milliseconds(4500));
  close(stalled);
}

TEST(MetricsHttpServerTest, AClientThatSendsNothingIsDroppedAfterTwoSeconds) {
  std::atomic<int> renders = 0;
  auto server = serve(renders);
  ASSERT_NE(server, nullptr);
  // A client connects and stays silent; the next scrape is served once the server gives up on this
  // one.
  const int silent = connect_to_loopback(server->port());
  ASSERT_GE(silent, 0);

  const auto started = std::chrono::steady_clock::now();
  const HttpReply reply = http_get(server->port(), "/metrics");
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(reply.body, "kstreams_scrapes 1\n");
  EXPECT_GE(waited, std::chrono::milliseconds(1500));
  EXPECT_LT(waited, std::chrono::milliseconds(4500));
  close(silent);
}

TEST(MetricsHttpServerTest, StoppingDoesNotWaitForASilentClient) {
  std::atomic<int> renders = 0;
  auto server = serve(renders);
  ASSERT_NE(server, nullptr);
  const int silent = connect_to_loopback(server->port());
  ASSERT_GE(silent, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the server is reading it now

  const int port = server->port();
  const auto started = std::chrono::steady_clock::now();
  server.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1000));
  EXPECT_FALSE(http_get(port, "/metrics").connected) << "the port is closed";
  close(silent);
}

TEST(MetricsHttpServerTest, APortInUseIsAnIoErrorNamingIt) {
  std::atomic<int> renders = 0;
  auto first = serve(renders);
  ASSERT_NE(first, nullptr);
  auto second = MetricsHttpServer::start("127.0.0.1", first->port(), [] { return std::string(); });
  EXPECT_THAT(second.status(),
              StatusIs(StatusCode::kIo, HasSubstr("metrics.port " + std::to_string(first->port()) +
                                                  ": cannot listen on 127.0.0.1: Address "
                                                  "already in use")));
}

TEST(MetricsHttpServerTest, AHostThatIsNotAnAddressIsAnInvalidArgument) {
  auto server = MetricsHttpServer::start("metrics.example", 0, [] { return std::string(); });
  EXPECT_THAT(server.status(),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("metrics.host 'metrics.example' is not an IP address")));
}

}  // namespace
}  // namespace kstreams::internal
