// Checks one Kubernetes object against the API server's OpenAPI schema
// (compiled into the kubernetes-models package), and also rejects fields the
// schema does not know: the schemas allow extra properties, but a misspelt
// field (readinesProbe) is silently dropped by a cluster, so it is an error here.
'use strict';
const fs = require('fs');
const path = require('path');

// The package exports only its model classes; the compiled schemas sit beside them.
const schemaDir = path.join(path.dirname(require.resolve('kubernetes-models')), '_schemas');

function schemaName(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  const camel = (s) => s.split('.')[0].replace(/^./, (c) => c.toUpperCase());
  return `IoK8sApi${camel(group)}${camel(version)}${kind}`;
}

// Wraps value so that every property the validator reads is recorded.
// Objects the validator enumerates (label maps and the like) accept any key.
function track(value, path, seen) {
  if (value === null || typeof value !== 'object') return value;
  return new Proxy(value, {
    get(target, key) {
      if (typeof key === 'string') seen.add(`${path}/${key}`);
      return track(target[key], `${path}/${key}`, seen);
    },
    ownKeys(target) {
      seen.add(`${path}/*`);
      return Reflect.ownKeys(target);
    },
  });
}

function unknownFields(value, path, seen, out) {
  if (value === null || typeof value !== 'object' || seen.has(`${path}/*`)) return;
  for (const key of Object.keys(value)) {
    const child = `${path}/${key}`;
    if (!Array.isArray(value) && !seen.has(child)) out.push(`${child || '/'}: unknown field`);
    else unknownFields(value[key], child, seen, out);
  }
}

// Returns a list of error strings; empty when obj is valid.
function checkObject(obj) {
  if (!obj || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
    return ['object has no apiVersion/kind'];
  }
  const file = path.join(schemaDir, `${schemaName(obj.apiVersion, obj.kind)}.js`);
  if (!fs.existsSync(file)) return [`${obj.apiVersion} ${obj.kind} is not a Kubernetes API type`];
  const {validate} = require(file);
  const seen = new Set(['/apiVersion', '/kind']);
  const errors = [];
  if (!validate(track(obj, '', seen))) {
    for (const e of validate.errors) {
      errors.push(`${e.instancePath || '/'}: ${e.keyword} ${JSON.stringify(e.params)}`);
    }
  }
  unknownFields(obj, '', seen, errors);
  return errors;
}

module.exports = {checkObject};
