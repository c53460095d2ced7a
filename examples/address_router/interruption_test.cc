// Interruption: a SIGINT/SIGTERM received while the demo or --generate polls, its exit status,
// and a late signal that must not end the process after its report.
#include "examples/address_router/interruption.h"

#include <gtest/gtest.h>

#include <kstreams/shutdown_signal.h>

#include <signal.h>

namespace address_router {
namespace {

// raise() sends to the calling thread, where the ShutdownSignal blocks it: it stays pending
// until an Interruption takes it.
void restore_default_dispositions() {
  struct sigaction fallback = {};
  fallback.sa_handler = SIG_DFL;
  sigemptyset(&fallback.sa_mask);
  sigaction(SIGINT, &fallback, nullptr);
  sigaction(SIGTERM, &fallback, nullptr);
}

TEST(InterruptionTest, WithoutASignalNothingIsRequested) {
  kstreams::ShutdownSignal signals;
  Interruption interruption(signals);
  EXPECT_FALSE(interruption.requested());
  EXPECT_FALSE(interruption.wait_for(std::chrono::milliseconds(20)));
  EXPECT_EQ(interruption.signal(), std::nullopt);
  EXPECT_EQ(interruption.exit_code(), 0);
}

TEST(InterruptionTest, SigintIsRememberedAndMeansExitStatus130) {
  kstreams::ShutdownSignal signals;
  Interruption interruption(signals);
  ASSERT_EQ(::raise(SIGINT), 0);
  EXPECT_TRUE(interruption.requested());
  EXPECT_TRUE(interruption.requested()) << "a signal, once received, stays requested";
  EXPECT_EQ(interruption.signal(), SIGINT);
  EXPECT_EQ(interruption.exit_code(), 130);
}

TEST(InterruptionTest, SigtermMeansExitStatus143) {
  kstreams::ShutdownSignal signals;
  Interruption interruption(signals);
  ASSERT_EQ(::raise(SIGTERM), 0);
  EXPECT_TRUE(interruption.wait_for(std::chrono::seconds(1)));
  EXPECT_EQ(interruption.signal(), SIGTERM);
  EXPECT_EQ(interruption.exit_code(), 143);
}

TEST(DiscardLateShutdownSignalsTest, APendingSignalDoesNotEndTheProcessWhenUnblocked) {
  {
    kstreams::ShutdownSignal signals;
    ASSERT_EQ(::raise(SIGTERM), 0);
    discard_late_shutdown_signals();
  }  // The mask is restored here: without the discard, the pending SIGTERM ends this binary.
  restore_default_dispositions();
  kstreams::ShutdownSignal signals;
  EXPECT_EQ(Interruption(signals).requested(), false) << "the late signal was discarded";
}

}  // namespace
}  // namespace address_router
