// Offline check of deploy/k8s: every object against the Kubernetes OpenAPI
// schema (schema_check.cjs), then the promises the manifests make to each
// other and to ganserve (selectors, ports, probes, shutdown timing, security).
//   node validate.cjs FILE.yaml...                  exit 0 when all hold
//   node validate.cjs --self-test FILE.yaml...      exit 0 when every planted mistake is caught
'use strict';
const fs = require('fs');
const YAML = require('yaml');
const {checkObject} = require('./schema_check.cjs');

const GRPC_PORT = 50051;  // ganserve's default --address port, and the image's EXPOSE
// Gauges ganserve exports (server/metrics.cc) that an autoscaler can use.
const METRICS = ['ganserve_queue_depth', 'ganserve_in_flight_calls'];

function load(file) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
  const objects = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const obj = doc.toJS();
    if (obj !== null) objects.push({file, obj});
  }
  return objects;
}

const matches = (selector, labels) =>
  !!selector && Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels[k] === v);

function flagValue(args, name) {
  const arg = (args || []).find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? undefined : arg.slice(name.length + 3);
}

// Cross-object rules; returns error strings.
function checkSet(objects) {
  const errors = [];
  const of = (kind) => objects.filter((o) => o.obj.kind === kind).map((o) => o.obj);
  const deployments = of('Deployment');
  if (deployments.length !== 1) return [`expected one Deployment, found ${deployments.length}`];
  const dep = deployments[0];
  const pod = dep.spec.template.spec;
  const labels = dep.spec.template.metadata.labels || {};
  const server = (pod.containers || []).find((c) => c.name === 'ganserve');
  if (!server) return ['the Deployment has no container named ganserve'];
  const need = (cond, message) => cond || errors.push(message);

  need(matches(dep.spec.selector.matchLabels, labels), 'Deployment selector does not match its pod labels');
  need(pod.securityContext && pod.securityContext.runAsNonRoot === true, 'pod must set runAsNonRoot: true');
  for (const c of [...(pod.initContainers || []), ...pod.containers]) {
    const sc = c.securityContext || {};
    need(sc.readOnlyRootFilesystem === true, `${c.name}: readOnlyRootFilesystem must be true`);
    need(sc.allowPrivilegeEscalation === false, `${c.name}: allowPrivilegeEscalation must be false`);
    need(c.resources && c.resources.requests && c.resources.requests.cpu, `${c.name}: needs a CPU request`);
  }
  const address = flagValue(server.args, 'address') || `0.0.0.0:${GRPC_PORT}`;
  const port = Number(address.split(':').pop());
  const ports = new Map((server.ports || []).map((p) => [p.name, p.containerPort]));
  need(ports.get('grpc') === port, `container port grpc must be ${port} (--address ${address})`);
  const metrics = Number(flagValue(server.args, 'metrics_port') || 9090);
  need(ports.get('metrics') === metrics, `container port metrics must be ${metrics}`);
  for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
    const p = server[probe];
    need(p && p.grpc && p.grpc.port === port, `${probe} must be a gRPC health probe on port ${port}`);
  }
  const drain = Number(flagValue(server.args, 'drain_timeout_s') || 30);
  const preStop = server.lifecycle && server.lifecycle.preStop && server.lifecycle.preStop.exec;
  const sleep = preStop && preStop.command[0] === 'sleep' ? Number(preStop.command[1]) : NaN;
  need(Number.isFinite(sleep), 'ganserve needs a preStop ["sleep", N] so endpoints drop the pod first');
  const grace = pod.terminationGracePeriodSeconds;
  need(grace >= sleep + drain && grace <= sleep + drain + 15,
       `terminationGracePeriodSeconds ${grace} must cover preStop ${sleep} s + --drain_timeout_s ${drain} s (within 15 s)`);
  const repo = flagValue(server.args, 'model_repository');
  if (repo !== undefined) {
    const mount = (server.volumeMounts || []).find((m) => m.mountPath === repo);
    need(mount && (pod.volumes || []).some((v) => v.name === mount.name),
         `--model_repository ${repo} is not a mounted volume`);
  }

  const services = of('Service');
  need(services.some((s) => s.spec.clusterIP === 'None'), 'needs a headless Service (clusterIP: None)');
  need(services.some((s) => s.spec.clusterIP !== 'None'), 'needs a ClusterIP Service');
  for (const s of services) {
    need(matches(s.spec.selector, labels), `Service ${s.metadata.name} selects no ganserve pod`);
    for (const p of s.spec.ports) {
      const target = p.targetPort === undefined ? p.port : p.targetPort;
      need(typeof target === 'string' ? ports.has(target) : [...ports.values()].includes(target),
           `Service ${s.metadata.name} port ${p.port} targets ${target}, which the pod does not expose`);
    }
    need(s.spec.ports.some((p) => p.port === GRPC_PORT && p.name === 'grpc'),
         `Service ${s.metadata.name} must serve grpc on ${GRPC_PORT}`);
  }
  // Metric names the Prometheus adapter rules in ConfigMaps serve ("as" of each rule).
  const served = new Set();
  for (const cm of of('ConfigMap')) {
    for (const text of Object.values(cm.data || {})) {
      const config = YAML.parse(text) || {};
      for (const rule of config.rules || []) {
        need(rule.seriesQuery && rule.metricsQuery && rule.name && rule.name.as,
             `ConfigMap ${cm.metadata.name}: an adapter rule needs seriesQuery, name.as and metricsQuery`);
        if (rule.name && rule.name.as) served.add(rule.name.as);
        const series = ((rule.seriesQuery || '').match(/^([a-z_:][a-z0-9_:]*)/) || [])[1];
        need(series && METRICS.includes(series),
             `ConfigMap ${cm.metadata.name}: ${series} is not a metric ganserve exports`);
      }
    }
  }
  for (const hpa of of('HorizontalPodAutoscaler')) {
    const ref = hpa.spec.scaleTargetRef;
    need(ref.kind === 'Deployment' && ref.name === dep.metadata.name, 'the HPA must scale the Deployment');
    need(hpa.spec.metrics.some((m) => m.resource && m.resource.name === 'cpu'), 'the HPA must scale on CPU');
    for (const m of hpa.spec.metrics.filter((m) => m.type === 'Pods')) {
      need(served.has(m.pods.metric.name),
           `the HPA scales on ${m.pods.metric.name}, which no Prometheus adapter rule serves`);
    }
  }
  need(of('HorizontalPodAutoscaler').length === 1, 'expected one HorizontalPodAutoscaler');
  const pdbs = of('PodDisruptionBudget');
  need(pdbs.length === 1, 'expected one PodDisruptionBudget');
  for (const pdb of pdbs) need(matches(pdb.spec.selector.matchLabels, labels), 'the PDB selects no ganserve pod');
  return errors;
}

// What `kubectl apply` of the files in order leaves: a later object of the
// same kind and name replaces an earlier one (the queue-depth HPA the CPU one).
function Applied(objects) {
  const byName = new Map();
  for (const o of objects) byName.set(`${o.obj.kind}/${(o.obj.metadata || {}).name}`, o);
  return [...byName.values()];
}

function validate(files) {
  const errors = [];
  let objects = [];
  for (const file of files) {
    try {
      const loaded = load(file);
      for (const {obj} of loaded) {
        const name = `${file}: ${obj.kind} ${(obj.metadata || {}).name}`;
        for (const e of checkObject(obj)) errors.push(`${name}: ${e}`);
      }
      objects = objects.concat(loaded);
    } catch (e) {
      errors.push(e.message);
    }
  }
  if (errors.length === 0) errors.push(...checkSet(Applied(objects)));
  return {errors, count: objects.length};
}

// Mistakes the check must catch, each applied to a copy of the real manifests:
// proves the rules above can fail, with the message they fail with.
const MISTAKES = [
  ['misspelt field', (d) => { d.spec.template.spec.containers[0].readinesProbe = {}; }, 'unknown field'],
  ['wrong type', (d) => { d.spec.replicas = 'two'; }, '/spec/replicas: type'],
  ['short grace period', (d) => { d.spec.template.spec.terminationGracePeriodSeconds = 10; }, 'terminationGracePeriodSeconds'],
  ['probe on metrics port', (d) => { d.spec.template.spec.containers[0].readinessProbe.grpc.port = 9090; }, 'readinessProbe'],
  ['root filesystem writable', (d) => { d.spec.template.spec.containers[0].securityContext = {}; }, 'readOnlyRootFilesystem'],
  ['pod labels renamed', (d) => { d.spec.template.metadata.labels = {app: 'other'}; }, 'selector'],
];
// Planted in the queue-depth HPA and its adapter rule, when those files are given.
const SCALING_MISTAKES = [
  ['HPA metric no rule serves', 'HorizontalPodAutoscaler',
   (h) => { h.spec.metrics.find((m) => m.type === 'Pods').pods.metric.name = 'ganserve_queue'; },
   'no Prometheus adapter rule serves'],
  ['adapter rule on a metric ganserve lacks', 'ConfigMap',
   (c) => { c.data['config.yaml'] = c.data['config.yaml'].replace(/seriesQuery: 'ganserve_queue_depth/, "seriesQuery: 'ganserve_queue_length"); },
   'is not a metric ganserve exports'],
];

function selfTest(files) {
  let failed = 0;
  const scaling = files.flatMap(load).some((o) => o.obj.kind === 'ConfigMap') ? SCALING_MISTAKES : [];
  const planted = [...MISTAKES.map(([what, mutate, expected]) => [what, 'Deployment', mutate, expected]),
                   ...scaling];
  for (const [what, kind, mutate, expected] of planted) {
    const objects = files.flatMap(load).map(({file, obj}) => ({file, obj: structuredClone(obj)}));
    mutate(objects.filter((o) => o.obj.kind === kind).pop().obj);
    const errors = [];
    for (const {file, obj} of objects) errors.push(...checkObject(obj).map((e) => `${file}: ${e}`));
    if (errors.length === 0) errors.push(...checkSet(Applied(objects)));
    const hit = errors.find((e) => e.includes(expected));
    if (hit) {
      console.log(`self-test: ${what}: rejected (${hit})`);
    } else {
      console.error(`self-test: ${what}: expected an error with "${expected}", got ${JSON.stringify(errors)}`);
      failed++;
    }
  }
  return failed;
}

const args = process.argv.slice(2);
if (args[0] === '--self-test') process.exit(selfTest(args.slice(1)) ? 1 : 0);
const {errors, count} = validate(args);
for (const e of errors) console.error(e);
if (errors.length) process.exit(1);
console.log(`validate: ${count} objects in ${args.length} files conform to the Kubernetes schemas and to each other`);
