#include "server/http_api.h"

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "server/cached_generation.h"
#include "server/http_call.h"
#include "server/http_images.h"
#include "server/inference_json.h"
#include "server/inference_metadata.h"
#include "server/inference_outputs.h"
#include "server/playground_page.h"

namespace ganserve {
namespace {

using Json = nlohmann::json;

HttpResponse JsonBody(const Json& body, int status = 200) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

HttpResponse MethodNotAllowed(const std::string& allow) {
  HttpResponse response = JsonError(405, "this path takes " + allow);
  response.headers.push_back({"Allow", allow});
  return response;
}

bool IsRead(const HttpRequest& request) {
  return request.method == "GET" || request.method == "HEAD";
}

// The protocol's health answers: 200 true, 4xx false.
HttpResponse Verdict(const char* field, bool yes) {
  return JsonBody({{field, yes}}, yes ? 200 : 400);
}

constexpr char kImmutable[] = "public, max-age=31536000, immutable";

HttpResponse Png(std::string bytes, const std::string& etag) {
  HttpResponse response;
  response.content_type = "image/png";
  response.body = std::move(bytes);
  response.headers = {{"ETag", etag}, {"Cache-Control", kImmutable}};
  return response;
}

}  // namespace

void HttpApi::Handle(HttpRequest request, HttpReply reply) {
  std::vector<std::string> parts = absl::StrSplit(request.path, '/', absl::SkipEmpty());
  if (parts.size() >= 2 && parts[0] == "v2" &&
      (parts[1] == "health" ||
       (parts.size() >= 4 && parts[1] == "models" && parts.back() == "ready"))) {
    if (!IsRead(request)) return reply(MethodNotAllowed("GET, HEAD"));
    return Health(request, parts, reply);
  }
  if (parts.empty()) {
    if (!IsRead(request)) return reply(MethodNotAllowed("GET, HEAD"));
    HttpResponse page;
    page.content_type = "text/html; charset=utf-8";
    page.body = PlaygroundPage();
    return reply(std::move(page));  // static, like health: open without a token
  }
  if (parts.size() == 2 && parts[0] == "v1" && parts[1] == "models") {
    if (!IsRead(request)) return reply(MethodNotAllowed("GET, HEAD"));
    std::shared_ptr<HttpCall> call = HttpCall::Open(deps_.gate, request, std::move(reply));
    if (!call->Admitted()) return;
    Json models = Json::array();
    const std::string default_model = deps_.registry.default_model();
    for (const auto& servable : deps_.registry.List()) {
      const LoadedGenerator& g = *servable->generator;
      models.push_back({{"name", servable->name},
                        {"version", servable->version},
                        {"default", servable->name == default_model},
                        {"label_count", g.label_count()},
                        {"label_names", g.label_names()},
                        {"shape", {g.height(), g.width(), g.channels()}}});
    }
    return call->Finish("", JsonBody({{"models", models}}));
  }
  if (!parts.empty() && parts[0] == "v2") {
    const bool infer = parts.size() >= 3 && parts.back() == "infer";
    if (infer && request.method != "POST") return reply(MethodNotAllowed("POST"));
    if (!infer && !IsRead(request)) return reply(MethodNotAllowed("GET, HEAD"));
    return Inference(request, parts, std::move(reply));
  }
  if (parts.size() >= 4 && parts[0] == "v1" && parts[1] == "models") {
    if (!IsRead(request)) return reply(MethodNotAllowed("GET, HEAD"));
    return Images(request, parts, std::move(reply));
  }
  reply(JsonError(404, "no such path: " + request.path));
}

void HttpApi::Health(const HttpRequest& request, const std::vector<std::string>& parts,
                     HttpReply& reply) {
  // Like grpc.health.v1, health is open to callers without a token.
  if (parts[1] == "health" && parts.size() == 3 && parts[2] == "live") {
    return reply(Verdict("live", true));
  }
  if (parts[1] == "health" && parts.size() == 3 && parts[2] == "ready") {
    return reply(Verdict("ready", !deps_.gate.draining() && !deps_.registry.List().empty()));
  }
  // v2/models/{m}[/versions/{v}]/ready: open only where everything is, since
  // its answers (and the unknown-model error) tell which models are served.
  if (parts[1] == "models" &&
      (parts.size() == 4 || (parts.size() == 6 && parts[3] == "versions"))) {
    if (!deps_.gate.Authorized(request.Header("authorization"))) {
      return reply(ErrorFor(absl::UnauthenticatedError(kTokenExpected)));
    }
    absl::StatusOr<std::shared_ptr<Servable>> servable = deps_.registry.Get(parts[2]);
    if (!servable.ok() || parts[2].empty()) return reply(ErrorFor(servable.status()));
    if (parts.size() == 6 && parts[4] != (*servable)->version) {
      return reply(JsonError(404, "model " + parts[2] + " serves version " + (*servable)->version +
                                      ", not " + parts[4]));
    }
    return reply(Verdict("ready", !deps_.gate.draining()));
  }
  reply(JsonError(404, "no such health path"));
}

}  // namespace ganserve

namespace ganserve {

void HttpApi::Inference(const HttpRequest& request, const std::vector<std::string>& parts,
                        HttpReply reply) {
  std::shared_ptr<HttpCall> call = HttpCall::Open(deps_.gate, request, std::move(reply));
  if (!call->Admitted()) return;
  if (parts.size() == 1) {
    HttpResponse metadata;
    metadata.body = ServerMetadataToJson(DescribeServer());
    return call->Finish("", std::move(metadata));
  }
  // v2/models/{m}[/versions/{v}][/infer]
  const bool infer = parts.back() == "infer";
  const size_t length = parts.size() - (infer ? 1 : 0);
  if (parts[1] != "models" || !(length == 3 || (length == 5 && parts[3] == "versions"))) {
    return call->Fail("", absl::NotFoundError("no such path: " + request.path));
  }
  absl::StatusOr<std::shared_ptr<Servable>> found = deps_.registry.Get(parts[2]);
  if (!found.ok()) return call->Fail("", found.status());
  std::shared_ptr<Servable> servable = *std::move(found);
  const std::string version = length == 5 ? parts[4] : "";
  if (absl::Status status = CheckModelVersion(*servable, version); !status.ok()) {
    return call->Fail(servable->name, status);
  }
  if (!infer) {
    HttpResponse metadata;
    metadata.body = ModelMetadataToJson(DescribeModel(*servable));
    return call->Finish(servable->name, std::move(metadata));
  }
  absl::StatusOr<InferRequest> parsed = InferRequestFromJson(request.body, servable->name, version);
  absl::StatusOr<InferPlan> plan =
      parsed.ok() ? PlanInference(*servable->generator, *parsed, deps_.limits) : parsed.status();
  if (!plan.ok()) return call->Fail(servable->name, plan.status());
  auto outputs = std::make_shared<InferOutputs>(*servable->generator, *plan);
  auto collected = std::make_shared<absl::Status>();
  GenerationSink sink;
  sink.on_image = [outputs, collected](EncodedImage image) {
    if (collected->ok()) *collected = outputs->Add(image);
  };
  sink.on_done = [this, call, servable, outputs, collected, id = parsed->id,
                  count = plan->work.count](absl::Status status) {
    if (status.ok()) status = *collected;
    if (!status.ok()) return call->Fail(servable->name, status);
    deps_.metrics.AddImages(servable->name, count);
    HttpResponse answer;
    answer.body = InferResponseToJson(servable->name, servable->version, id, outputs->Take());
    call->Finish(servable->name, std::move(answer), count);
  };
  GenerationRunOptions run;
  run.encoding = plan->encoding;
  std::optional<SeededKey> cache_key;
  if (plan->seeded) cache_key = SeededCacheKey(*servable, *plan->seeded);
  call->Track(StartCachedGeneration(deps_.cache, deps_.metrics, cache_key, servable,
                                    std::move(plan->work), run, deps_.pool, std::move(sink)));
}

void HttpApi::Images(const HttpRequest& request, const std::vector<std::string>& parts,
                     HttpReply reply) {
  std::shared_ptr<HttpCall> call = HttpCall::Open(deps_.gate, request, std::move(reply));
  if (!call->Admitted()) return;
  absl::StatusOr<std::shared_ptr<Servable>> found = deps_.registry.Get(parts[2]);
  if (!found.ok() || parts[2].empty()) return call->Fail("", found.status());
  std::shared_ptr<Servable> servable = *std::move(found);
  const std::string& model = servable->name;
  absl::StatusOr<ImagePlan> plan = absl::NotFoundError("no such path: " + request.path);
  if (parts.size() == 5 && parts[3] == "images" && absl::EndsWith(parts[4], ".png")) {
    plan = PlanSingleImage(*servable, parts[4].substr(0, parts[4].size() - 4), request.query);
  } else if (parts.size() == 4 && parts[3] == "grid.png") {
    plan = PlanGrid(*servable, request.query);
  } else if (parts.size() == 4 && parts[3] == "interpolate.png") {
    plan = PlanStrip(*servable, request.query);
  }
  if (!plan.ok()) return call->Fail(model, plan.status());
  const std::string etag = ImageETag(*servable, *plan);
  if (auto if_none_match = request.Header("if-none-match");
      if_none_match && MatchesETag(*if_none_match, etag)) {
    HttpResponse not_modified = Png("", etag);
    not_modified.status = 304;
    not_modified.content_type.clear();
    return call->Finish(model, std::move(not_modified));
  }
  absl::StatusOr<PreparedGeneration> work =
      PrepareGeneration(*servable->generator, plan->request, deps_.limits);
  if (!work.ok()) return call->Fail(model, work.status());
  const int64_t count = work->count;
  auto images = std::make_shared<std::vector<std::string>>();
  GenerationSink sink;
  sink.on_image = [images](EncodedImage image) { images->push_back(std::move(image.data)); };
  sink.on_done = [this, call, servable, plan = *plan, images, etag, count](absl::Status status) {
    if (!status.ok()) return call->Fail(servable->name, status);
    deps_.metrics.AddImages(servable->name, count);
    if (plan.layout == ImageLayout::kSingle) {
      return call->Finish(servable->name, Png(std::move(images->front()), etag), count);
    }
    absl::StatusOr<std::string> sheet = ComposeSheet(*servable->generator, plan, *images);
    if (!sheet.ok()) return call->Fail(servable->name, sheet.status());
    call->Finish(servable->name, Png(*std::move(sheet), etag), count);
  };
  GenerationRunOptions run;
  run.encoding = plan->request.encoding;
  call->Track(StartCachedGeneration(deps_.cache, deps_.metrics,
                                    SeededCacheKey(*servable, plan->request), servable,
                                    *std::move(work), run, deps_.pool, std::move(sink)));
}

}  // namespace ganserve
