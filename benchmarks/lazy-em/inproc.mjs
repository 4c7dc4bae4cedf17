// One pipeline variant in one process, for counting instructions under
// callgrind (driven by ../http/callgrind.mjs `countInstructions`, the
// protocol of ../lib/counted-passes.mjs):
//   node --predictable inproc.mjs lazy-em <variant> <warmup> <settle> <requests> <passes> <ready-file>
import { countedPasses } from '../lib/counted-passes.mjs';
import { createPipelines } from './requests.mjs';

const startedAt = performance.now();
const [, variant, warmup, settle, requests, passes, readyFile] = process.argv.slice(2);
const { pipelines } = await createPipelines();
const pipeline = pipelines[variant];
if (pipeline === undefined) throw new Error(`lazy-em inproc: unknown variant ${variant}`);
let sent = 0;
const run = async (count) => {
  for (let i = 0; i < count; i++) await pipeline(sent++);
};
await countedPasses({
  run,
  warmup: Number(warmup),
  settle: Number(settle),
  requests: Number(requests),
  passes: Number(passes),
  readyFile,
  startedAt,
});
