// Runs one ONNX model on onnxruntime's CPU build (the corpus test's independent oracle).
// Usage: node ort_run.js JOB.json. The job names the model, each input as raw little-endian
// bytes in a file with its dims and dtype, and an output folder; each output is written
// there as NAME.bin (raw) plus outputs.json with dims and dtypes.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const arrays = {
  float32: Float32Array, float64: Float64Array, int64: BigInt64Array, int32: Int32Array,
  int8: Int8Array, uint8: Uint8Array, bool: Uint8Array,
};

async function main() {
  const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const session = await ort.InferenceSession.create(job.model, { graphOptimizationLevel: 'disabled' });
  const feeds = {};
  for (const [name, input] of Object.entries(job.inputs)) {
    const bytes = fs.readFileSync(input.file);
    const Array = arrays[input.dtype];
    const data = new Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    feeds[name] = new ort.Tensor(input.dtype, data, input.dims);
  }
  const results = await session.run(feeds);
  fs.mkdirSync(job.output_dir, { recursive: true });
  const meta = {};
  let i = 0;
  for (const [name, tensor] of Object.entries(results)) {
    const file = path.join(job.output_dir, `output_${i++}.bin`);
    const data = tensor.data;
    fs.writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    meta[name] = { file, dims: tensor.dims, dtype: tensor.type };
  }
  fs.writeFileSync(path.join(job.output_dir, 'outputs.json'), JSON.stringify(meta));
}

main().catch((e) => {
  console.error(`ort_run: ${e.stack || e}`);
  process.exit(1);
});
