# ganserve image: ganserve + ganctl on debian:bookworm-slim, serving the bundled
# models/ (default: models/fashion-cgan) on gRPC :50051, HTTP :8080, metrics :9090.
#   docker build -t ganserve .
#   docker run -p 50051:50051 -p 8080:8080 -p 9090:9090 ganserve [ganserve flags...]
# deploy/container-test.sh builds and runs this file unchanged with podman.

# --- build: the -dev packages, then a Release build of the two binaries only.
FROM debian:bookworm-slim AS build
COPY deploy/install-deps.sh /tmp/install-deps.sh
RUN bash /tmp/install-deps.sh --compile && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY proto proto
COPY engine engine
COPY server server
COPY client client
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DGANSERVE_BUILD_TESTS=OFF \
 && cmake --build /build -j"$(nproc)" --target ganserve ganctl ganserve-load \
 && strip /build/server/ganserve /build/client/ganctl /build/engine/loader_child/ganserve-load

# --- runtime: shared libraries only, a non-root user, binaries and models.
FROM debian:bookworm-slim
COPY deploy/install-deps.sh /tmp/install-deps.sh
RUN bash /tmp/install-deps.sh --runtime && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh \
 && groupadd --system --gid 10001 ganserve \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin ganserve
COPY --from=build /build/server/ganserve /build/client/ganctl /build/engine/loader_child/ganserve-load /usr/local/bin/
# ganserve looks for its default model under <prefix>/share/ganserve/models/.
COPY models/ /usr/local/share/ganserve/models/
USER 10001:10001
# The port HEALTHCHECK probes; set it when --address moves gRPC elsewhere.
ENV GANSERVE_GRPC_PORT=50051
EXPOSE 50051 8080 9090
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ganctl health --target "127.0.0.1:${GANSERVE_GRPC_PORT}" --timeout 4s >/dev/null || exit 1
ENTRYPOINT ["ganserve"]
CMD []
