// Messages to and from the raw bytes the callback services exchange.
#include "server/proto_convert.h"

#include "gtest/gtest.h"

namespace ganserve {
namespace {

TEST(ProtoConvert, SerializedBytesParseBackToTheSameMessage) {
  v1::GenerateResponse answer;
  answer.set_model("cgan");
  answer.add_images()->set_data(std::string(1000, 'x'));
  grpc::ByteBuffer bytes;
  ASSERT_TRUE(Serialize(answer, bytes).ok());
  EXPECT_EQ(bytes.Length(), answer.ByteSizeLong());
  v1::GenerateResponse parsed;
  ASSERT_TRUE(ParseMessage(bytes, parsed).ok());
  EXPECT_EQ(parsed.SerializeAsString(), answer.SerializeAsString());
}

// protobuf cannot encode a message over 2 GiB; the limit is lowered here so
// the test need not build one, the path is the same.
TEST(ProtoConvert, AnAnswerOverTheLimitIsAnErrorNotAnEmptyBody) {
  v1::GenerateResponse answer;
  answer.add_images()->set_data(std::string(1000, 'x'));
  grpc::ByteBuffer bytes;
  const absl::Status status = Serialize(answer, bytes, 999);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(status.message().find(std::to_string(answer.ByteSizeLong()) + " bytes"),
            std::string::npos)
      << status;
  EXPECT_NE(status.message().find("fewer images"), std::string::npos) << status;
}

}  // namespace
}  // namespace ganserve
