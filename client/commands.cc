#include "client/commands.h"

#include <iostream>

namespace ganserve::client {

void AddConnectionFlags(FlagSet& flags, ConnectionOptions& options) {
  flags.String(
      "target", &options.target,
      "server address host:port; a,b,c balances round-robin; dns:///name:port passes through");
  flags.String("tls_ca", &options.tls_ca, "PEM CA bundle: connect with TLS and verify the server");
  flags.String("tls_cert", &options.tls_cert, "PEM client certificate (mTLS, with --tls_key)");
  flags.String("tls_key", &options.tls_key, "PEM client private key (mTLS)");
  flags.String("token-file", &options.token_file,
               "file holding a bearer token sent as 'authorization'");
}

int ParseOrExit(FlagSet& flags, const Args& args) {
  const absl::Status status = flags.Parse(args);
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return kExitOk;
  }
  if (!status.ok()) {
    std::cerr << status.message() << "\n";
    return kExitUsage;
  }
  return -1;
}

int Fail(const std::string& command, const absl::Status& status) {
  std::cerr << "ganctl " << command << ": " << status.message() << "\n";
  return status.code() == absl::StatusCode::kInvalidArgument ? kExitUsage : kExitRuntimeError;
}

}  // namespace ganserve::client
