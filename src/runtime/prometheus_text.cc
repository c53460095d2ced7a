#include "src/runtime/prometheus_text.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <system_error>

namespace kstreams::internal {
namespace {

// The processing counters, kept at every level (client, thread, task).
struct ProcessingFamily {
  std::string_view suffix;
  std::string_view help;
  std::uint64_t ProcessingMetrics::*counter;
};

constexpr std::array<ProcessingFamily, 5> kProcessingFamilies = {{
    {"records_processed_total", "Input records handed to a source node.",
     &ProcessingMetrics::records_processed},
    {"records_produced_total", "Records sent to sinks, dead letters included.",
     &ProcessingMetrics::records_produced},
    {"records_skipped_total", "Records dropped by an error handler that answered continue.",
     &ProcessingMetrics::records_skipped},
    {"records_dead_lettered_total", "Records sent to the dead-letter topic.",
     &ProcessingMetrics::records_dead_lettered},
    {"punctuations_total", "Punctuator calls.", &ProcessingMetrics::punctuations},
}};

// What a thread or a task has besides them. `value` returns false for "no sample" (a lag that
// is not known yet).
template <class Metrics>
struct Family {
  std::string_view name;
  std::string_view type;
  std::string_view help;
  bool (*value)(const Metrics&, double&);
};

bool known(std::int64_t lag, double& out) {
  out = static_cast<double>(lag);
  return lag >= 0;
}

constexpr std::array<Family<ThreadMetrics>, 11> kThreadFamilies = {{
    {"kstreams_thread_records_consumed_total", "counter",
     "Records polled from the thread's input partitions.",
     [](const ThreadMetrics& t, double& v) {
       return (v = static_cast<double>(t.records_consumed), true);
     }},
    {"kstreams_thread_commits_total", "counter",
     "Offset commits (transactions under exactly_once_v2).",
     [](const ThreadMetrics& t, double& v) { return (v = static_cast<double>(t.commits), true); }},
    {"kstreams_thread_aborts_total", "counter",
     "Transactions aborted under exactly_once_v2, their input processed again.",
     [](const ThreadMetrics& t, double& v) { return (v = static_cast<double>(t.aborts), true); }},
    {"kstreams_thread_rebalances_total", "counter",
     "Revocations and assignments the thread went through.",
     [](const ThreadMetrics& t, double& v) {
       return (v = static_cast<double>(t.rebalances), true);
     }},
    {"kstreams_thread_active_tasks", "gauge", "Active tasks the thread owns.",
     [](const ThreadMetrics& t, double& v) {
       return (v = static_cast<double>(t.active_tasks), true);
     }},
    {"kstreams_thread_assigned_partitions", "gauge", "Input partitions assigned to the thread.",
     [](const ThreadMetrics& t, double& v) {
       return (v = static_cast<double>(t.assigned_partitions), true);
     }},
    {"kstreams_thread_consumer_lag", "gauge",
     "Records between the thread's input positions and their high watermarks.",
     [](const ThreadMetrics& t, double& v) { return known(t.consumer_lag, v); }},
    {"kstreams_thread_commit_latency_avg_seconds", "gauge", "Mean time spent in a commit.",
     [](const ThreadMetrics& t, double& v) { return (v = t.commit_latency_avg_ms / 1000, true); }},
    {"kstreams_thread_commit_latency_max_seconds", "gauge", "Longest time spent in a commit.",
     [](const ThreadMetrics& t, double& v) { return (v = t.commit_latency_max_ms / 1000, true); }},
    {"kstreams_thread_end_to_end_latency_avg_seconds", "gauge",
     "Mean wall-clock time minus record timestamp, at processing.",
     [](const ThreadMetrics& t, double& v) {
       return (v = t.end_to_end_latency_avg_ms / 1000, true);
     }},
    {"kstreams_thread_end_to_end_latency_max_seconds", "gauge",
     "Longest wall-clock time minus record timestamp, at processing.",
     [](const ThreadMetrics& t, double& v) {
       return (v = t.end_to_end_latency_max_ms / 1000, true);
     }},
}};

constexpr std::array<Family<TaskMetrics>, 4> kTaskFamilies = {{
    {"kstreams_task_records_consumed_total", "counter",
     "Records polled for the task since it was created.",
     [](const TaskMetrics& t, double& v) {
       return (v = static_cast<double>(t.records_consumed), true);
     }},
    {"kstreams_task_buffered_records", "gauge", "Records consumed and not yet processed.",
     [](const TaskMetrics& t, double& v) {
       return (v = static_cast<double>(t.buffered_records), true);
     }},
    {"kstreams_task_consumer_lag", "gauge",
     "Records between the task's input positions and their high watermarks.",
     [](const TaskMetrics& t, double& v) { return known(t.consumer_lag, v); }},
    {"kstreams_task_enforced_processing_total", "counter",
     "Records processed while another input was empty, once max.task.idle.ms ran out.",
     [](const TaskMetrics& t, double& v) {
       return (v = static_cast<double>(t.enforced_processing), true);
     }},
}};

constexpr std::array<StreamsState, 7> kStates = {
    StreamsState::kCreated,         StreamsState::kRebalancing, StreamsState::kRunning,
    StreamsState::kPendingShutdown, StreamsState::kNotRunning,  StreamsState::kPendingError,
    StreamsState::kError,
};

struct Label {
  std::string_view name;
  std::string_view value;
};

class Page {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    text_.append("# HELP ").append(name).append(" ").append(help).append("\n");
    text_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  }

  void sample(std::string_view name, std::initializer_list<Label> labels, double value) {
    text_.append(name);
    char separator = '{';
    for (const Label& label : labels) {
      text_.push_back(separator);
      text_.append(label.name).append("=\"").append(prometheus_label_value(label.value));
      text_.push_back('"');
      separator = ',';
    }
    if (labels.size() > 0) text_.push_back('}');
    text_.push_back(' ');
    append_value(value);
    text_.push_back('\n');
  }

  std::string take() && { return std::move(text_); }

 private:
  // Whole numbers (every counter) as integers; the rest in the shortest form that reads back.
  void append_value(double value) {
    char buffer[32];
    std::to_chars_result written{};
    if (std::isfinite(value) && std::trunc(value) == value && std::fabs(value) < 1e15) {
      written = std::to_chars(buffer, buffer + sizeof buffer, static_cast<std::int64_t>(value));
    } else {
      written = std::to_chars(buffer, buffer + sizeof buffer, value);
    }
    text_.append(buffer, written.ptr);
  }

  std::string text_;
};

std::string full_name(std::string_view level, std::string_view suffix) {
  std::string name = "kstreams_";
  name.append(level).append("_").append(suffix);
  return name;
}

}  // namespace

std::string prometheus_label_value(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string prometheus_text(const MetricsSnapshot& snapshot) {
  Page page;
  const std::string_view app = snapshot.application_id;

  page.family("kstreams_client_state", "gauge",
              "1 for the state the client is in (Kafka Streams' states), 0 for the others.");
  for (const StreamsState state : kStates) {
    page.sample("kstreams_client_state", {{"application_id", app}, {"state", to_string(state)}},
                state == snapshot.state ? 1 : 0);
  }
  for (const ProcessingFamily& f : kProcessingFamilies) {
    const std::string name = full_name("client", f.suffix);
    page.family(name, "counter", f.help);
    page.sample(name, {{"application_id", app}}, static_cast<double>(snapshot.client.*f.counter));
  }

  for (const ProcessingFamily& f : kProcessingFamilies) {
    const std::string name = full_name("thread", f.suffix);
    page.family(name, "counter", f.help);
    for (const ThreadMetrics& thread : snapshot.threads) {
      page.sample(name, {{"application_id", app}, {"thread", thread.name}},
                  static_cast<double>(thread.processing.*f.counter));
    }
  }
  for (const Family<ThreadMetrics>& f : kThreadFamilies) {
    page.family(f.name, f.type, f.help);
    for (const ThreadMetrics& thread : snapshot.threads) {
      double value = 0;
      if (f.value(thread, value)) {
        page.sample(f.name, {{"application_id", app}, {"thread", thread.name}}, value);
      }
    }
  }

  for (const ProcessingFamily& f : kProcessingFamilies) {
    const std::string name = full_name("task", f.suffix);
    page.family(name, "counter", f.help);
    for (const ThreadMetrics& thread : snapshot.threads) {
      for (const TaskMetrics& task : thread.tasks) {
        page.sample(
            name, {{"application_id", app}, {"thread", thread.name}, {"task", task.id.to_string()}},
            static_cast<double>(task.processing.*f.counter));
      }
    }
  }
  for (const Family<TaskMetrics>& f : kTaskFamilies) {
    page.family(f.name, f.type, f.help);
    for (const ThreadMetrics& thread : snapshot.threads) {
      for (const TaskMetrics& task : thread.tasks) {
        double value = 0;
        if (f.value(task, value)) {
          page.sample(
              f.name,
              {{"application_id", app}, {"thread", thread.name}, {"task", task.id.to_string()}},
              value);
        }
      }
    }
  }
  return std::move(page).take();
}

}  // namespace kstreams::internal
