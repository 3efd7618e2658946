// Checks deploy/docker-compose.yml: it parses, the bench service reaches the
// ganserve service on its published gRPC port, and the mounted model folder is
// the one ganserve is told to serve.
'use strict';
const fs = require('fs');
const YAML = require('yaml');

const file = process.argv[2];
const compose = YAML.parse(fs.readFileSync(file, 'utf8'));
const errors = [];
const need = (cond, message) => cond || errors.push(`${file}: ${message}`);
const server = compose.services && compose.services.ganserve;
const bench = compose.services && compose.services.bench;
need(server && bench, 'needs services ganserve and bench');
if (server && bench) {
  const flag = (name) => (server.command || []).find((a) => a.startsWith(`--${name}=`));
  const repo = (flag('model_repository') || '').split('=')[1];
  need(repo && (server.volumes || []).some((v) => v.split(':')[1] === repo),
       `--model_repository ${repo} is not a mounted volume`);
  need((server.ports || []).includes('50051:50051'), 'ganserve must publish 50051');
  const args = bench.command || [];
  need(bench.entrypoint && bench.entrypoint[0] === 'ganctl' && args[0] === 'bench', 'bench must run ganctl bench');
  need(args[args.indexOf('--target') + 1] === 'ganserve:50051', 'bench must target ganserve:50051');
  need(bench.depends_on && bench.depends_on.ganserve &&
       bench.depends_on.ganserve.condition === 'service_healthy', 'bench must wait for a healthy ganserve');
}
for (const e of errors) console.error(e);
if (errors.length) process.exit(1);
console.log(`check_compose: ${file} is consistent`);
