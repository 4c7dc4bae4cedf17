// Where the instructions of a request go, function by function, and what one
// variant spends beyond another: callgrind's count of the last pass (the same
// protocol as the HTTP benchmark's instruction count, callgrind.mjs) with each
// instruction's address kept (`--dump-instr=yes`), JIT-compiled JavaScript
// named through V8's perf map (`--perf-basic-prof`: /tmp/perf-<pid>.map),
// native code by its symbol. Self instructions per request; a function V8
// inlined counts in its caller's line. A diagnostic, not part of `pnpm bench`.
//
//   bash scripts/with-node.sh node benchmarks/http/attribute.mjs <framework> [variant] [baseline] [--top 30] [--callers <name>]
//
// e.g. `… attribute.mjs fastify md floor`: two processes of ~35 s each under
// callgrind; prints both totals and the functions where md spends beyond
// the floor (tier markers `*` TurboFan, `+` Maglev, `^` Sparkplug, `~`
// interpreter dropped, so a function counts once whatever its tier).
// `--callers Builtins_KeyedLoadIC`: who calls that function instead, with the
// inclusive instructions of those calls per request.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { table } from '../lib/common.mjs';
import { FRAMEWORKS, VARIANTS } from './apps.mjs';
import { countInstructions, NODE_FLAGS } from './callgrind.mjs';

/** The JavaScript functions of a perf map, sorted by start; a later entry for the same code wins. */
function readPerfMap(file) {
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line, order) => {
      const [start, size, ...name] = line.split(' ');
      const from = Number.parseInt(start, 16);
      return { from, to: from + Number.parseInt(size, 16), name: name.join(' '), order };
    });
  entries.sort((a, b) => a.from - b.from || a.order - b.order);
  return (address) => {
    let lo = 0;
    let hi = entries.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (entries[mid].from <= address) {
        last = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let found;
    for (let k = last; k >= 0 && k > last - 64; k--) {
      const e = entries[k];
      if (e.from <= address && address < e.to && (found === undefined || e.order > found.order)) found = e;
    }
    return found === undefined ? '(JIT code not in the perf map)' : found.name.replace(/^JS:[*+^~]?'?/, '');
  };
}

/** A position of callgrind's compressed format: absolute, `+n`/`-n` from the last, or `*` (the same). */
function position(token, last) {
  if (token === '*') return last;
  const sign = token[0] === '+' ? 1 : token[0] === '-' ? -1 : 0;
  const digits = sign === 0 ? token : token.slice(1);
  const value = Number.parseInt(digits, digits.startsWith('0x') ? 16 : 10);
  return sign === 0 ? value : last + sign * value;
}

/**
 * Self instructions per function in one callgrind dump (`positions: instr
 * line`, `events: Ir`); with `callee`, instead, the inclusive instructions of
 * the calls to the functions whose name contains it, per calling function.
 */
function selfCosts(dumpFile, jsName, callee) {
  const names = new Map();
  const costs = new Map();
  let fn = '';
  let cfn = '';
  let address = 0;
  let callCost = false;
  const nameOf = (line, prefix) => {
    const m = new RegExp(`^${prefix}=\\((\\d+)\\)(?: (.*))?$`).exec(line);
    if (m === null) return line.slice(prefix.length + 1);
    if (m[2] !== undefined) names.set(m[1], m[2]);
    return names.get(m[1]) ?? '';
  };
  for (const line of readFileSync(dumpFile, 'utf8').split('\n')) {
    if (line.startsWith('fn=')) fn = nameOf(line, 'fn');
    else if (line.startsWith('cfn=')) cfn = nameOf(line, 'cfn');
    else if (line.startsWith('calls=')) callCost = true;
    else if (/^[0-9+\-*]/.test(line)) {
      const parts = line.split(' ');
      address = position(parts[0], address);
      const key = fn === '???' || fn.startsWith('0x') ? jsName(address) : fn;
      // The line after calls= is the call's inclusive cost, counted in the callee.
      if (callCost) {
        callCost = false;
        if (callee !== undefined && cfn.includes(callee)) {
          costs.set(key, (costs.get(key) ?? 0) + Number(parts.at(-1)));
        }
        continue;
      }
      if (callee === undefined) costs.set(key, (costs.get(key) ?? 0) + Number(parts.at(-1)));
    }
  }
  return costs;
}

async function attribute(framework, variant, callee) {
  const log = join(mkdtempSync(join(tmpdir(), 'md-attribute-')), 'v8.log');
  const counted = await countInstructions(framework, variant, {
    warmup: 20_000,
    settle: 1_500,
    requests: 1_500,
    passes: 6,
    valgrindArgs: ['--dump-instr=yes'],
    // --perf-basic-prof also turns V8's log on: kept out of the working folder.
    nodeFlags: [...NODE_FLAGS, '--perf-basic-prof', '--no-logfile-per-isolate', `--logfile=${log}`],
    keep: true,
  });
  const map = `/tmp/perf-${counted.pid}.map`;
  try {
    const costs = selfCosts(counted.lastDump, readPerfMap(map), callee);
    for (const [key, value] of costs) costs.set(key, value / counted.requests);
    return { counted, costs };
  } finally {
    rmSync(counted.dir, { recursive: true, force: true });
    rmSync(map, { force: true });
    rmSync(dirname(log), { recursive: true, force: true });
  }
}

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, callers: { type: 'string' } },
});
const [framework, variant = 'md', baseline = 'floor'] = positionals;
if (!FRAMEWORKS.includes(framework) || !VARIANTS.includes(variant) || !VARIANTS.includes(baseline)) {
  throw new Error(
    `usage: attribute.mjs <${FRAMEWORKS.join('|')}> [variant] [baseline] (variants: ${VARIANTS.join(', ')})`,
  );
}
const a = await attribute(framework, variant, args.callers);
const b = await attribute(framework, baseline, args.callers);
const total = (costs) => [...costs.values()].reduce((sum, v) => sum + v, 0);
const int = (v) => Math.round(v).toLocaleString('en-US');
console.log(
  `${framework}: ${variant} ${int(total(a.costs))}, ${baseline} ${int(total(b.costs))} instructions per request (last pass; passes agreed within ${(a.counted.agreement * 100).toFixed(2)}% and ${(b.counted.agreement * 100).toFixed(2)}%)\n`,
);
const keys = new Set([...a.costs.keys(), ...b.costs.keys()]);
const rows = [...keys]
  .map((key) => [key, a.costs.get(key) ?? 0, b.costs.get(key) ?? 0])
  .sort((x, y) => y[1] - y[2] - (x[1] - x[2]))
  .slice(0, Number(args.top))
  .map(([key, x, y]) => [key.length > 110 ? `${key.slice(0, 107)}…` : key, int(x), int(y), int(x - y)]);
const heading = args.callers === undefined ? 'function (self)' : `caller of ${args.callers} (inclusive)`;
console.log(table([heading, variant, baseline, 'Δ'], rows).join('\n'));
