// ONNX Runtime (onnxruntime-node, CPU EP) on a real ONNX file, feeding every
// input the file declares: float inputs get normal samples, integer inputs
// (class labels) values in [0, --classes). Symbolic dimensions take the batch;
// a file whose batch dimension is fixed runs only that batch.
// compare_peers.sh runs it for --files, since a conditional generator has a
// label input besides its latent.
//
//   NODE_PATH=<oracle>/node_modules node ort_file_bench.js FILE.onnx
//       [--batches 1,8,64] [--threads 2] [--runs 20] [--warmup 3] [--classes 10]
//       [--json out.json]
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function parseArgs(argv) {
  const args = {batches: [1, 8, 64], threads: 2, runs: 20, warmup: 3, classes: 10};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${key} needs a value`);
      return argv[++i];
    };
    if (key === '--batches') args.batches = value().split(',').map(Number);
    else if (key === '--threads') args.threads = Number(value());
    else if (key === '--runs') args.runs = Number(value());
    else if (key === '--warmup') args.warmup = Number(value());
    else if (key === '--classes') args.classes = Number(value());
    else if (key === '--json') args.json = value();
    else if (key.startsWith('--')) throw new Error(`unknown flag ${key}`);
    else args.file = key;
  }
  if (!args.file) throw new Error('usage: ort_file_bench.js FILE.onnx [flags]');
  return args;
}

// A small seeded generator, so every run feeds the same inputs.
function makeRandom(seed) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return {uniform, normal};
}

function makeFeeds(session, batch, classes, random) {
  const feeds = {};
  for (const input of session.inputMetadata) {
    const fixed = input.shape[0];
    if (typeof fixed === 'number' && fixed > 0 && fixed !== batch) {
      throw new Error(`input ${input.name} has a fixed batch of ${fixed}, not ${batch}`);
    }
    const dims = input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : batch));
    const count = dims.reduce((a, b) => a * b, 1);
    if (input.type === 'float32') {
      feeds[input.name] = new ort.Tensor('float32', Float32Array.from({length: count}, random.normal), dims);
    } else if (input.type === 'int64') {
      const values = BigInt64Array.from({length: count}, () => BigInt(Math.floor(random.uniform() * classes)));
      feeds[input.name] = new ort.Tensor('int64', values, dims);
    } else if (input.type === 'int32') {
      const values = Int32Array.from({length: count}, () => Math.floor(random.uniform() * classes));
      feeds[input.name] = new ort.Tensor('int32', values, dims);
    } else {
      throw new Error(`input ${input.name}: type ${input.type} is not fed by this bench`);
    }
  }
  return feeds;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const session = await ort.InferenceSession.create(args.file, {
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionProviders: ['cpu'],
  });
  const random = makeRandom(1);
  const results = [];
  for (const batch of args.batches) {
    const feeds = makeFeeds(session, batch, args.classes, random);
    for (let i = 0; i < args.warmup; i++) await session.run(feeds);
    const times = [];
    for (let i = 0; i < args.runs; i++) {
      const start = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    results.push({batch, threads: args.threads, runs: args.runs, median_ms: median,
                  images_per_s: (batch * 1000) / median});
    console.log(`ORT threads=${args.threads} batch=${batch} median ${median.toFixed(2)} ms`);
  }
  if (args.json) fs.writeFileSync(args.json, JSON.stringify(results, null, 1));
}

main().catch((error) => {
  console.error(`ort_file_bench: ${error.message}`);
  process.exit(1);
});
