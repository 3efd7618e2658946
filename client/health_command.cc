// ganctl health: the standard grpc.health.v1 Check, for scripts and probes.
#include <iostream>

#include "client/commands.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace ganserve::client {

int HealthCommand(const Args& args) {
  ConnectionOptions connection_options;
  std::string service;
  absl::Duration timeout = absl::Seconds(5);
  FlagSet flags("ganctl health [--target host:port] [--service NAME]",
                "Asks grpc.health.v1.Health/Check; exits 0 if SERVING, 1 otherwise.");
  AddConnectionFlags(flags, connection_options);
  flags.String("service", &service,
               "service to check ('' = the whole server; a model name for one model)");
  flags.Duration("timeout", &timeout, "how long to wait for the answer");
  if (int code = ParseOrExit(flags, args); code >= 0) return code;

  auto connection = Connection::Open(connection_options);
  if (!connection.ok()) return Fail("health", connection.status());
  auto stub =
      grpc::health::v1::Health::NewStub((*connection)->NewChannel(0, /*check_health=*/false));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
  (*connection)->Prepare(context);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    std::cout << "UNHEALTHY: " << status.error_message() << " (code " << status.error_code()
              << ")\n";
    return kExitRuntimeError;
  }
  std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status()) << "\n";
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING ? kExitOk
                                                                             : kExitRuntimeError;
}

}  // namespace ganserve::client
