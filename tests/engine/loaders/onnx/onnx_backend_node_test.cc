// The official ONNX backend node tests (Debian's libonnx-testdata) for the
// ops the loader supports: one ctest case per test directory. Each loads
// model.onnx, feeds test_data_set_*/input_*.pb and compares both executors
// with output_*.pb. Graph inputs that the op needs as constant weights (a
// Conv's W and B, a Reshape's shape...) are turned into initializers from
// their input pb, as an exporter would have stored them. Cases the engine
// cannot run must be refused with an error (never a crash or a wrong
// answer); the list of them, with the reason, is in engine/loaders/ONNX.md.
#include <fnmatch.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/loaders/onnx_loader.h"
#include "gtest/gtest.h"
#include "onnx/onnx_pb.h"
#include "tests/engine/loaders/onnx/onnx_test_util.h"
#include "tests/testing/npy_test_util.h"

namespace ganserve {
namespace {

namespace fs = std::filesystem;

constexpr char kNodeTestDir[] = "/usr/share/libonnx-testdata/data/node";

// Test directories (fnmatch patterns) that exercise the supported ops. Resize
// is limited to integer upsampling (what UpSampling2D does): no downsampling,
// no cubic, no crop-and-resize.
constexpr const char* kSelected[] = {
    "test_conv_*",         "test_basic_conv_with*",
    "test_convtranspose*", "test_resize_upsample_*",
    "test_upsample_*",     "test_gemm_*",
    "test_matmul_2d",      "test_batchnorm_*",
    "test_relu",           "test_leakyrelu*",
    "test_elu*",           "test_selu*",
    "test_sigmoid*",       "test_tanh*",
    "test_softplus*",      "test_concat_*",
    "test_reshape_*",      "test_gather_0",
    "test_flatten*",       "test_unsqueeze*",
    "test_squeeze*",       "test_identity",
    "test_dropout_*",      "test_add",
    "test_add_bcast",      "test_sub",
    "test_sub_bcast",      "test_mul",
    "test_mul_bcast",      "test_div",
    "test_div_bcast",      "test_instancenorm_*",
    "test_constant_pad",   "test_layer_normalization_*",
    "test_greater*",       "test_less*",
    "test_equal*",         "test_not_*",
    "test_where_*",
};

// Cases the engine refuses, by fnmatch pattern,
// with the reason. The test checks that each is refused with an error
// status; everything else must match the expected output.
constexpr std::pair<const char*, const char*> kRefused[] = {
    {"test_concat_*_axis_0", "concatenates along axis 0, the batch axis the engine keeps free"},
    {"test_concat_1d_axis_negative_1", "axis -1 of a 1-D tensor is the batch axis"},
    {"test_concat_2d_axis_negative_2", "axis -2 of a 2-D tensor is the batch axis"},
    {"test_concat_3d_axis_negative_3", "axis -3 of a 3-D tensor is the batch axis"},
    {"test_flatten_axis0", "Flatten with axis != 1 merges the batch axis"},
    {"test_flatten_axis2", "Flatten with axis != 1 merges the batch axis"},
    {"test_flatten_axis3", "Flatten with axis != 1 merges the batch axis"},
    {"test_flatten_negative_axis[124]", "Flatten with axis != 1 merges the batch axis"},
    {"test_reshape_allowzero_reordered", "the target's first entry 3 is not the batch 0"},
    {"test_reshape_negative_extended_dims", "-1 first merges the batch of 2 into a sample"},
    {"test_reshape_one_dim", "the target [24] has no batch axis"},
    {"test_reshape_reordered_all_dims", "the target's first entry 4 is not the batch 2"},
    {"test_squeeze", "squeezes axis 0, the batch axis"},
    {"test_unsqueeze_axis_0", "inserts an axis before the batch axis"},
    {"test_gemm_transposeA", "transA=1 transposes the batch into the features"},
    {"test_gemm_all_attributes", "transA=1 transposes the batch into the features"},
    {"test_gemm_default_matrix_bias", "C varies along the batch axis"},
    {"test_gather_0", "a Gather on a 4-D table is not an embedding lookup"},
    {"test_div", "Div of two run-time values (no generator divides by a batched tensor)"},
    {"test_convtranspose_1d", "1-D transposed convolution (only 2-D images)"},
    {"test_convtranspose_3d", "3-D transposed convolution (only 2-D images)"},
    {"test_batchnorm_*_training_mode", "training_mode=1: only inference BatchNormalization"},
    {"test_dropout_default_mask*", "Dropout's mask output is used (inference has none)"},
    {"test_resize_upsample_sizes_nearest", "scale 3.5 is not an integer factor"},
    {"test_resize_upsample_sizes_nearest_*",
     "nearest_mode/coordinate mode is not pixel repetition"},
    {"test_layer_normalization_*axis0*", "axis 0 normalizes across the batch"},
    {"test_not_*", "a bool graph input (a generator's inputs are latents and labels)"},
    {"test_where_*", "a bool graph input (a generator's inputs are latents and labels)"},
    {"test_layer_normalization_2d_axis_negative_2", "axis -2 of a 2-D input is the batch axis"},
    {"test_layer_normalization_3d_axis_negative_3*", "axis -3 of a 3-D input is the batch axis"},
    {"test_layer_normalization_4d_axis_negative_4*", "axis -4 of a 4-D input is the batch axis"},
};

bool Matches(const std::string& name, const char* pattern) {
  return fnmatch(pattern, name.c_str(), 0) == 0;
}

const char* RefusalReason(const std::string& name) {
  for (const auto& [pattern, reason] : kRefused) {
    if (Matches(name, pattern)) return reason;
  }
  return nullptr;
}

bool Selected(const std::string& name) {
  for (const char* pattern : kSelected) {
    // The _expanded variants spell LayerNormalization as ReduceMean/Pow/Sqrt arithmetic.
    if (Matches(name, pattern)) {
      return name.find("cubic") == std::string::npos && name.find("_expanded") == std::string::npos;
    }
  }
  return false;
}

std::vector<std::string> NodeTests() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kNodeTestDir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && Selected(name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) names.push_back("missing_libonnx_testdata");
  return names;
}

// Which inputs of an op are weights that an exporter stores as
// initializers; the rest are fed at run time.
bool IsWeightInput(const onnx::NodeProto& node, int i, const onnx::GraphProto& graph) {
  const std::string& op = node.op_type();
  if (op == "Conv" || op == "ConvTranspose" || op == "Gemm" || op == "MatMul" ||
      op == "BatchNormalization" || op == "Reshape" || op == "Resize" || op == "Upsample" ||
      op == "Squeeze" || op == "Unsqueeze" || op == "InstanceNormalization" || op == "Pad" ||
      op == "LayerNormalization") {
    return i >= 1;
  }
  if (op == "Gather") return i == 0;   // the embedding table
  if (op == "Dropout") return i >= 1;  // ratio, training_mode
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Greater" || op == "Less" ||
      op == "GreaterOrEqual" || op == "LessOrEqual" || op == "Equal") {
    // A broadcast operand is a constant bias, scale or threshold.
    auto rank = [&](const std::string& name) {
      for (const auto& in : graph.input())
        if (in.name() == name) return in.type().tensor_type().shape().dim_size();
      return -1;
    };
    return i == 1 && rank(node.input(0)) != rank(node.input(1));
  }
  return false;
}

absl::StatusOr<onnx::TensorProto> ReadTensorPb(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  onnx::TensorProto t;
  if (!in || !t.ParseFromIstream(&in)) return absl::NotFoundError("cannot read " + path);
  return t;
}

// Element i of a tensor stored either in raw_data or in its typed field.
template <typename T, typename Field>
float Element(const std::string& raw, const Field& typed, int64_t i) {
  T v;
  if (raw.empty()) {
    v = typed.Get(i);
  } else {
    std::memcpy(&v, raw.data() + sizeof(T) * i, sizeof(T));
  }
  return static_cast<float>(v);
}

// A float, integer or bool TensorProto as a float Tensor (a bool as 0/1),
// decoded here rather than by the loader so the expected values do not go
// through the code under test.
absl::StatusOr<Tensor> ToTensor(const onnx::TensorProto& t) {
  Tensor out(Dims(t.dims().begin(), t.dims().end()));
  const int type = t.data_type();
  const int64_t width = type == onnx::TensorProto::FLOAT   ? 4
                        : type == onnx::TensorProto::INT64 ? 8
                        : type == onnx::TensorProto::INT32 ? 4
                        : type == onnx::TensorProto::BOOL  ? 1
                                                           : 0;
  if (width == 0) return absl::UnimplementedError("element type " + std::to_string(type));
  const int64_t typed = type == onnx::TensorProto::FLOAT   ? t.float_data_size()
                        : type == onnx::TensorProto::INT64 ? t.int64_data_size()
                                                           : t.int32_data_size();
  const int64_t stored =
      t.raw_data().empty() ? typed : static_cast<int64_t>(t.raw_data().size()) / width;
  if (stored != out.size()) return absl::InvalidArgumentError("tensor data does not fit its dims");
  for (int64_t i = 0; i < out.size(); ++i) {
    switch (type) {
      case onnx::TensorProto::FLOAT:
        out.data[i] = Element<float>(t.raw_data(), t.float_data(), i);
        break;
      case onnx::TensorProto::INT64:
        out.data[i] = Element<int64_t>(t.raw_data(), t.int64_data(), i);
        break;
      case onnx::TensorProto::INT32:
        out.data[i] = Element<int32_t>(t.raw_data(), t.int32_data(), i);
        break;
      default:  // BOOL: one byte each in raw_data, else int32_data
        out.data[i] = Element<uint8_t>(t.raw_data(), t.int32_data(), i) != 0 ? 1.0f : 0.0f;
    }
  }
  return out;
}

struct Case {
  absl::StatusOr<LoadedModel> model;
  std::vector<Tensor> inputs;
  Tensor expected;
};

// Loads the test's model with its weight inputs made initializers.
absl::StatusOr<Case> LoadCase(const std::string& dir) {
  onnx::ModelProto proto;
  {
    std::ifstream in(dir + "/model.onnx", std::ios::binary);
    if (!in || !proto.ParseFromIstream(&in)) return absl::NotFoundError("cannot read model.onnx");
  }
  onnx::GraphProto& graph = *proto.mutable_graph();
  std::set<std::string> weights;
  for (const auto& node : graph.node()) {
    for (int i = 0; i < node.input_size(); ++i) {
      if (IsWeightInput(node, i, graph)) weights.insert(node.input(i));
    }
  }
  // An inference export declares only Y; the tests also declare
  // LayerNormalization's training outputs Mean and InvStdDev, which are not compared.
  const bool layer_norm = graph.node_size() == 1 && graph.node(0).op_type() == "LayerNormalization";
  while (layer_norm && graph.output_size() > 1) graph.mutable_output()->RemoveLast();
  const std::string data = dir + "/test_data_set_0/";
  Case c;
  for (int i = 0; i < graph.input_size(); ++i) {
    auto t = ReadTensorPb(data + "input_" + std::to_string(i) + ".pb");
    if (!t.ok()) return t.status();
    if (weights.count(graph.input(i).name())) {
      t->set_name(graph.input(i).name());
      *graph.add_initializer() = *t;
    } else {
      auto tensor = ToTensor(*t);
      if (!tensor.ok()) return tensor.status();
      c.inputs.push_back(*std::move(tensor));
    }
  }
  auto out = ReadTensorPb(data + "output_0.pb");
  if (!out.ok()) return out.status();
  auto expected = ToTensor(*out);
  if (!expected.ok()) return expected.status();
  c.expected = *std::move(expected);
  c.model = LoadOnnxModelFromBytes(proto.SerializeAsString());
  return c;
}

class OnnxBackendNode : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxBackendNode, MatchesExpectedOutputOrIsRefused) {
  const std::string dir = std::string(kNodeTestDir) + "/" + GetParam();
  if (!fs::exists(dir)) GTEST_SKIP() << kNodeTestDir << " is absent (libonnx-testdata)";
  auto c = LoadCase(dir);
  ASSERT_TRUE(c.ok()) << c.status();
  const char* refused = RefusalReason(GetParam());
  std::vector<absl::Status> failures;
  for (ExecutorKind kind : {ExecutorKind::kReference, ExecutorKind::kOneDnn}) {
    SCOPED_TRACE(kind == ExecutorKind::kOneDnn ? "onednn" : "reference");
    absl::StatusOr<Tensor> out =
        c->model.ok() ? RunLoaded(*c->model, c->inputs, kind) : c->model.status();
    if (refused != nullptr) {
      EXPECT_FALSE(out.ok()) << "listed as refused (" << refused << ") but ran";
      continue;
    }
    ASSERT_TRUE(out.ok()) << out.status();
    // The IR holds a scalar per sample as (1,).
    if (c->expected.shape.size() == 1) out->shape = c->expected.shape;
    EXPECT_EQ(out->shape, c->expected.shape);
    EXPECT_LT(RelativeError(*out, c->expected), 1e-4);
  }
}

INSTANTIATE_TEST_SUITE_P(Onnx, OnnxBackendNode, ::testing::ValuesIn(NodeTests()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ganserve
