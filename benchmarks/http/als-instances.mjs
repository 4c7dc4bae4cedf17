// What each enabled AsyncLocalStorage costs an awaited async call, on the
// Node that runs this: `node benchmarks/http/als-instances.mjs <instances>`.
// One instance holds a store (as md's domain context does in a request); the
// others were run once and hold nothing now, as MikroORM's TransactionContext
// and flush context are after its first transaction and flush. On Node 22
// (async_hooks) every enabled instance is propagated to every async resource
// made; on Node 24 (AsyncContextFrame) an instance holding nothing costs
// next to nothing. Prints ns per awaited async call, after one warm-up pass.
import { AsyncLocalStorage } from 'node:async_hooks';

const instances = Number(process.argv[2] ?? 1);
if (!Number.isInteger(instances) || instances < 1)
  throw new TypeError('usage: als-instances.mjs <instances ≥ 1>');
const CALLS = 200_000;
const all = Array.from({ length: instances }, () => new AsyncLocalStorage());
for (const idle of all.slice(1)) idle.run(true, () => {});
const step = async () => {
  await null;
};
const work = async () => {
  for (let i = 0; i < CALLS; i++) await step();
};
await all[0].run({ domain: 'acme' }, work);
const started = performance.now();
await all[0].run({ domain: 'acme' }, work);
const ns = ((performance.now() - started) * 1e6) / CALLS;
console.log(`${process.version}, ${instances} enabled: ${ns.toFixed(0)} ns per awaited async call`);
