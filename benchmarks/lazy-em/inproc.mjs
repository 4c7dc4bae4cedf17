// Instruction counting under callgrind (see ../http/inproc.mjs for the phase
// marks): `node --predictable inproc.mjs <requests> <warmup>`; phases
// none, lazy, eager, none, lazy, eager.
import os from 'node:os';
import { createPipelines, VARIANTS } from './requests.mjs';

const [requestsArg, warmupArg] = process.argv.slice(2);
const { pipelines } = await createPipelines();
const run = async (variant, count) => {
  for (let i = 0; i < count; i++) await pipelines[variant](i);
};
for (const v of VARIANTS) await run(v, Number(warmupArg));
for (const variant of [...VARIANTS, ...VARIANTS]) {
  os.loadavg();
  await run(variant, Number(requestsArg));
}
os.loadavg();
process.exit(0);
