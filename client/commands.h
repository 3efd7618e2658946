// The ganctl subcommands, each in its own file, and what they share:
// exit codes scripts rely on and the connection flags.
#ifndef GANSERVE_CLIENT_COMMANDS_H_
#define GANSERVE_CLIENT_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "client/connection.h"
#include "client/flag_set.h"

namespace ganserve::client {

enum ExitCode : int {
  kExitOk = 0,
  kExitRuntimeError = 1,  // the server said no, or could not be reached
  kExitUsage = 2,         // bad flags or arguments
  kExitThreshold = 3,     // bench: --max-p99 or --max-error-rate breached
};

using Args = std::vector<std::string>;

int InfoCommand(const Args& args);
int HealthCommand(const Args& args);
int GenerateCommand(const Args& args);
int BenchCommand(const Args& args);
int OfflineBenchCommand(const Args& args);  // ganctl bench FILE (offline_bench_command.cc)
int InspectCommand(const Args& args);
int RenderCommand(const Args& args);

// --target, --tls_ca, --tls_cert, --tls_key, --token-file.
void AddConnectionFlags(FlagSet& flags, ConnectionOptions& options);
// Parses; prints help (→ kExitOk) or the usage error (→ kExitUsage).
// Returns -1 when the command should go on.
int ParseOrExit(FlagSet& flags, const Args& args);
// Prints "ganctl <command>: <status>" and returns the exit code for it.
int Fail(const std::string& command, const absl::Status& status);

}  // namespace ganserve::client

#endif  // GANSERVE_CLIENT_COMMANDS_H_
