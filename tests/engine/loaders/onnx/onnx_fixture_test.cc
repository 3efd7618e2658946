// Loads the tiny PyTorch exports written by tests/fixtures/make_onnx_fixtures.py
// (opsets 9, 11, 13, 17) and the small onnx.helper graphs of
// make_onnx_node_fixtures.py, and compares the output of both executors with
// what PyTorch / onnxruntime computed, at batches 3, 2 and 1 although each
// file fixes batch 1.
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/file_contents.h"
#include "engine/loaders/onnx_loader.h"
#include "engine/ops/dense.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "onnx/onnx_pb.h"
#include "tests/engine/loaders/onnx/onnx_test_util.h"
#include "tests/testing/npy_test_util.h"
#include "tests/testing/source_dir.h"

namespace ganserve {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

std::string FixtureDir() { return SourceDir() + "/tests/fixtures/onnx/"; }

class OnnxFixture : public ::testing::TestWithParam<std::tuple<std::string, ExecutorKind>> {};

TEST_P(OnnxFixture, MatchesPyTorchAtAnyBatch) {
  const auto& [name, executor] = GetParam();
  const std::string base = FixtureDir() + name;
  auto model = LoadOnnxModel(base + ".onnx");
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->format, "onnx");
  std::vector<Tensor> inputs;
  for (int i = 0; i < static_cast<int>(model->graph->inputs().size()); ++i) {
    auto t = ReadNpy(base + ".in" + std::to_string(i) + ".npy");
    ASSERT_TRUE(t.ok()) << t.status();
    inputs.push_back(*t);
  }
  auto expected = ReadNpy(base + ".out.npy");
  ASSERT_TRUE(expected.ok()) << expected.status();
  auto out = RunLoaded(*model, inputs, executor);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->shape, expected->shape);
  EXPECT_LT(RelativeError(*out, *expected), 1e-4) << model->graph->Summary();

  for (int64_t batch : {1, 2}) {
    std::vector<Tensor> some;
    for (const Tensor& t : inputs) some.push_back(FirstSamples(t, batch));
    auto part = RunLoaded(*model, some, executor);
    ASSERT_TRUE(part.ok()) << part.status();
    EXPECT_LT(RelativeError(*part, FirstSamples(*expected, batch)), 1e-4) << "batch " << batch;
  }
}

std::vector<std::string> Fixtures() {
  std::vector<std::string> names;
  // PyTorch exports (make_onnx_fixtures.py), expected outputs from PyTorch.
  for (const char* model :
       {"dcgan", "linear_view", "conditional", "upsample_conv", "mlp", "deconv_options"}) {
    for (int opset : {9, 11, 13, 17})
      names.push_back(std::string(model) + "_op" + std::to_string(opset));
  }
  // onnx.helper graphs (make_onnx_node_fixtures.py), expected outputs from onnxruntime.
  for (const char* model :
       {"ct_same_upper_k4s2", "ct_same_upper_k3s2", "ct_same_lower_k3s2", "ct_same_lower_k5s3x2",
        "ct_output_shape", "ct_pads_asym_outpad_dil", "ct_k1s2", "resize_nearest_asym_floor",
        "resize_nearest_half_pixel", "resize_linear_half_pixel", "resize_linear_pytorch_half_pixel",
        "resize_linear_asymmetric", "upsample9_nearest", "upsample9_linear",
        "reshape_zero_copies_dims", "reshape_declared_batch", "matmul_add",
        "matmul_add_bias_first_2d", "matmul_add_shared"}) {
    names.push_back(model);
  }
  // PyTorch export, expected outputs from onnxruntime: a flat [N, 12288] MLP.
  names.push_back("flat_mlp_op13");
  // PyTorch exports of the patterns around plain layers
  // (make_onnx_pattern_fixtures.py), expected outputs from onnxruntime.
  for (const char* model :
       {"zero_stuffing", "constants_beside_batch", "pad_norms", "mirror_pads", "fills_and_masks",
        "tiled_values", "batched_masks", "computed_resize"}) {
    for (const char* batch : {"", "_dyn"}) {
      for (int opset : {11, 13, 17}) {
        names.push_back(absl::StrCat("pattern_", model, batch, "_op", opset));
      }
    }
  }
  // LayerNormalization exists from opset 17 on.
  for (const char* batch : {"", "_dyn"}) {
    names.push_back(absl::StrCat("pattern_layer_norms", batch, "_op17"));
  }
  return names;
}

INSTANTIATE_TEST_SUITE_P(Torch, OnnxFixture,
                         ::testing::Combine(::testing::ValuesIn(Fixtures()),
                                            ::testing::Values(ExecutorKind::kReference,
                                                              ExecutorKind::kOneDnn)),
                         [](const auto& info) {
                           return std::get<0>(info.param) +
                                  (std::get<1>(info.param) == ExecutorKind::kOneDnn ? "_onednn"
                                                                                    : "_reference");
                         });

TEST(OnnxLoader, DcganOutputIsChannelsFirstWithKerasParamCount) {
  auto model = LoadOnnxModel(FixtureDir() + "dcgan_op13.onnx");
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->output_layout, SampleLayout::kChannelsFirst);
  EXPECT_EQ(model->graph->input_dims(0), (Dims{8, 1, 1}));
  EXPECT_EQ(model->graph->output_dims(), (Dims{2, 16, 16}));
  // torch: 8*16*16 + 16*8*16 + 8*2*16 + 2 weights, BN 2*(16+8) trainable + 2*(16+8) statistics.
  EXPECT_EQ(model->graph->Params().trainable, 8 * 16 * 16 + 16 * 8 * 16 + 8 * 2 * 16 + 2 + 48);
  EXPECT_EQ(model->graph->Params().non_trainable, 48);
}

// The graph's ops other than its inputs, as (class, whether a Dense has a bias).
std::vector<std::pair<std::string, bool>> OpsAfterInputs(const Graph& graph) {
  std::vector<std::pair<std::string, bool>> ops;
  for (const Node& n : graph.nodes()) {
    if (n.inputs.empty()) continue;
    const auto* dense = dynamic_cast<const DenseOp*>(n.op.get());
    ops.emplace_back(n.class_name, dense != nullptr && dense->bias().has_value());
  }
  return ops;
}

TEST(OnnxLoader, MatMulThenAddOfAConstantIsOneDenseWithBias) {
  for (const char* name : {"matmul_add", "matmul_add_bias_first_2d"}) {
    SCOPED_TRACE(name);
    auto model = LoadOnnxModel(FixtureDir() + name + ".onnx");
    ASSERT_TRUE(model.ok()) << model.status();
    EXPECT_THAT(OpsAfterInputs(*model->graph), ElementsAre(Pair("MatMul", true)));
    EXPECT_EQ(model->graph->Params().total(), 6 * 5 + 5);
  }
}

TEST(OnnxLoader, MatMulOutputUsedTwiceKeepsTheAddSeparate) {
  auto model = LoadOnnxModel(FixtureDir() + "matmul_add_shared.onnx");
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_THAT(OpsAfterInputs(*model->graph),
              ElementsAre(Pair("MatMul", false), Pair("Add", false), Pair("Mul", false)));
}

TEST(OnnxLoader, MissingFileIsNotFound) {
  auto model = LoadOnnxModel(FixtureDir() + "no_such_model.onnx");
  EXPECT_EQ(model.status().code(), absl::StatusCode::kNotFound);
}

TEST(OnnxLoader, GarbageBytesAreRefused) {
  auto model = LoadOnnxModelFromBytes("this is not a protobuf \xff\xff\xff");
  EXPECT_FALSE(model.ok());
}

TEST(OnnxLoader, TruncatedFileIsRefused) {
  const std::string bytes = ReadFileContents(FixtureDir() + "dcgan_op13.onnx").value_or("");
  ASSERT_GT(bytes.size(), 100u);
  auto model = LoadOnnxModelFromBytes(bytes.substr(0, bytes.size() / 2));
  EXPECT_FALSE(model.ok());
}

// X [batch, 3, 4] -> Reshape(X, [first, -1]).
std::string ReshapeModel(int64_t batch, int64_t first) {
  onnx::ModelProto model;
  model.set_ir_version(7);
  model.add_opset_import()->set_version(13);
  onnx::GraphProto& graph = *model.mutable_graph();
  graph.set_name("reshape");
  onnx::ValueInfoProto& x = *graph.add_input();
  x.set_name("x");
  x.mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {batch, int64_t{3}, int64_t{4}}) {
    x.mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  }
  onnx::TensorProto& shape = *graph.add_initializer();
  shape.set_name("shape");
  shape.set_data_type(onnx::TensorProto::INT64);
  shape.add_dims(2);
  shape.add_int64_data(first);
  shape.add_int64_data(-1);
  onnx::NodeProto& node = *graph.add_node();
  node.set_op_type("Reshape");
  node.add_input("x");
  node.add_input("shape");
  node.add_output("y");
  onnx::ValueInfoProto& y = *graph.add_output();
  y.set_name("y");
  y.mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  return model.SerializeAsString();
}

TEST(OnnxLoader, ReshapeToTheDeclaredBatchKeepsSamplesWhole) {
  for (int64_t batch : {1, 2}) {
    auto model = LoadOnnxModelFromBytes(ReshapeModel(batch, batch));
    ASSERT_TRUE(model.ok()) << model.status();
    EXPECT_EQ(model->graph->output_dims(), (Dims{12}));
  }
}

TEST(OnnxLoader, ReshapeToOneWhileTheInputsDeclareMoreWouldMergeSamplesAndIsRefused) {
  // In ONNX, [2,3,4] -> [1,-1] is one row of 24: not a per-sample reshape.
  auto model = LoadOnnxModelFromBytes(ReshapeModel(2, 1));
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(std::string(model.status().message()), ::testing::HasSubstr("inputs declare 2"));
}

}  // namespace
}  // namespace ganserve
