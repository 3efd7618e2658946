// Server reflection (grpc.reflection.v1alpha, what grpcurl and grpc_cli ask)
// lists ganserve's services and describes the API. gRPC ships no reflection
// proto to compile against here, so the test speaks the wire format with
// reflection.proto's field numbers through a generic stub.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "tests/server/test_server.h"

namespace ganserve::testing {
namespace {

using ::google::protobuf::UnknownField;
using ::google::protobuf::UnknownFieldSet;
using ::testing::IsSupersetOf;

constexpr char kMethod[] = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
// ServerReflectionRequest
constexpr int kFileContainingSymbol = 4;
constexpr int kListServices = 7;
// ServerReflectionResponse
constexpr int kFileDescriptorResponse = 4;
constexpr int kListServicesResponse = 6;
// FileDescriptorResponse.file_descriptor_proto, ListServiceResponse.service, ServiceResponse.name
constexpr int kFirstField = 1;

// The length-delimited values of field `number` in the serialized message.
std::vector<std::string> Values(const std::string& message, int number) {
  UnknownFieldSet fields;
  EXPECT_TRUE(fields.ParseFromString(message));
  std::vector<std::string> values;
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& field = fields.field(i);
    if (field.number() == number && field.type() == UnknownField::TYPE_LENGTH_DELIMITED) {
      values.push_back(field.length_delimited());
    }
  }
  return values;
}

// Sends each request on one ServerReflectionInfo stream; returns one response per request.
std::vector<std::string> Reflect(int port, const std::vector<std::string>& requests) {
  grpc::GenericStub stub(Connect(port));
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto call = stub.PrepareCall(&context, kMethod, &cq);
  intptr_t next_tag = 1;
  auto step = [&](auto&& start) {
    void* tag = reinterpret_cast<void*>(next_tag++);
    start(tag);
    void* got = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&got, &ok));
    EXPECT_EQ(got, tag);
    return ok;
  };
  std::vector<std::string> responses;
  if (!step([&](void* tag) { call->StartCall(tag); })) return responses;
  for (const std::string& request : requests) {
    grpc::Slice slice(request);
    grpc::ByteBuffer buffer(&slice, 1);
    if (!step([&](void* tag) { call->Write(buffer, tag); })) return responses;
    grpc::ByteBuffer reply;
    if (!step([&](void* tag) { call->Read(&reply, tag); })) return responses;
    std::vector<grpc::Slice> slices;
    EXPECT_TRUE(reply.Dump(&slices).ok());
    std::string bytes;
    for (const grpc::Slice& s : slices) bytes.append(s.begin(), s.end());
    responses.push_back(std::move(bytes));
  }
  step([&](void* tag) { call->WritesDone(tag); });
  grpc::Status status;
  step([&](void* tag) { call->Finish(&status, tag); });
  EXPECT_TRUE(status.ok()) << status.error_message();
  cq.Shutdown();
  return responses;
}

std::string Request(int field, const std::string& value) {
  UnknownFieldSet request;
  request.AddLengthDelimited(field, value);
  std::string bytes;
  EXPECT_TRUE(request.SerializeToString(&bytes));
  return bytes;
}

TEST(Reflection, ListsTheServicesAndDescribesTheGeneratorApi) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  const std::vector<std::string> responses = Reflect(
      server->port(),
      {Request(kListServices, ""), Request(kFileContainingSymbol, "ganserve.v1.Generator")});
  ASSERT_EQ(responses.size(), 2u);

  std::vector<std::string> services;
  for (const std::string& list : Values(responses[0], kListServicesResponse)) {
    for (const std::string& service : Values(list, kFirstField)) {
      for (const std::string& name : Values(service, kFirstField)) services.push_back(name);
    }
  }
  EXPECT_THAT(services, IsSupersetOf({"ganserve.v1.Generator", "grpc.health.v1.Health"}));

  const std::vector<std::string> files = Values(responses[1], kFileDescriptorResponse);
  ASSERT_EQ(files.size(), 1u) << "expected a file_descriptor_response";
  std::vector<std::string> methods;
  bool found = false;
  for (const std::string& bytes : Values(files[0], kFirstField)) {
    google::protobuf::FileDescriptorProto file;
    ASSERT_TRUE(file.ParseFromString(bytes));
    if (file.name() != "ganserve/v1/generator.proto") continue;
    found = true;
    EXPECT_EQ(file.package(), "ganserve.v1");
    for (const auto& service : file.service()) {
      if (service.name() != "Generator") continue;
      for (const auto& method : service.method()) methods.push_back(method.name());
    }
  }
  EXPECT_TRUE(found) << "ganserve/v1/generator.proto was not among the descriptors";
  EXPECT_THAT(methods, IsSupersetOf({"Generate", "GenerateStream", "ListModels", "GetModel"}));
}

}  // namespace
}  // namespace ganserve::testing
