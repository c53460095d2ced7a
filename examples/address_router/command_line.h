// The address-router's command line: its flags, where each setting comes from, and which mode
// runs. Settings, lowest to highest precedence:
//
//   the router's defaults (application.id=address-router, metrics.log.interval.ms=10000)
//   < --config FILE < --property k=v (in order) < the explicit flags (--bootstrap-servers, ...)
//
// then address_router::configure() adds the router's own choices for the properties the user did
// not set. The mode follows the final config: --generate N produces sample input; otherwise an
// empty or "embedded" bootstrap.servers runs the demo on an embedded cluster, any other runs the
// router as a service.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <kstreams/status.h>
#include <kstreams/streams_config.h>

namespace address_router {

/// What the command line asks for.
struct Options {
  std::string config_file;              ///< --config: a properties file; "" for none.
  std::vector<std::string> properties;  ///< --property key=value, in the order given.
  /// The properties of the explicit flags given (--bootstrap-servers is bootstrap.servers, ...);
  /// a flag not given sets nothing.
  std::map<std::string, std::string> flag_properties;
  std::int64_t records = 100'000;  ///< Demo: generated records.
  std::int64_t generate = 0;       ///< --generate N: records to produce; 0 when not generating.
  double invalid_share = 0.1;
  std::uint64_t seed = 42;
  int timeout_s = 120;
  bool describe = false;
  bool leave_group_on_close = false;
};

/// The options, or the exit status when parsing ended the run (--help printed: 0; a usage error
/// printed on stderr: CLI11's code).
struct ParsedCommandLine {
  Options options;
  std::optional<int> exit_status;
};

/// Parses `argv` (argv[0] is the program's name).
ParsedCommandLine parse_command_line(int argc, const char* const* argv);

/// The --help text.
std::string help_text();

/// The properties the user set: the --config file's, overridden by the --property assignments,
/// overridden by the explicit flags. kIo when the file cannot be read; kInvalidArgument for a
/// malformed line or assignment.
kstreams::Result<std::map<std::string, std::string>> user_properties(const Options& options);

/// The application's config: the router's defaults overridden by user_properties(), then
/// address_router::configure() for the properties the user did not set. kInvalidArgument naming
/// a bad property.
kstreams::Result<kstreams::StreamsConfig> make_config(const Options& options);

enum class RunMode { kDemo, kService, kGenerate };

/// --generate: kGenerate (kInvalidArgument when `config` names no cluster to produce to);
/// otherwise kDemo when `config` uses the embedded cluster, else kService.
kstreams::Result<RunMode> run_mode(const Options& options, const kstreams::StreamsConfig& config);

}  // namespace address_router
