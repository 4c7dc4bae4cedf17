import { createSite } from '@md/core';
import { fromNodeRequest, handleRequest } from '@md/core/http';
import { hostResolver } from '@md/resolvers';
const N = 100;
const hostOf = (i) => `store-${i}.example`;
const site = await createSite({ resolvers: [hostResolver()], domains: Array.from({ length: N }, (_, i) => ({ name: `store-${i}`, hosts: [hostOf(i)] })) });
const reqs = Array.from({ length: N }, (_, i) => ({ url: '/hello', method: 'GET', headers: { host: hostOf(i) }, rawHeaders: ['Host', hostOf(i)], socket: { remoteAddress: '127.0.0.1' } }));
const nreqs = reqs.map((r) => fromNodeRequest(r, 'koa'));
let sink = 0;
const which = process.argv[2];
const t = performance.now();
for (let i = 0; i < 1e7; i++) {
  if (which === 'locate') sink += site.locate(nreqs[i % N]).host.length;
  else if (which === 'hr') sink += handleRequest(site, reqs[i % N], {}, 'koa').resolved.host.length;
  else sink += fromNodeRequest(reqs[i % N], 'koa').path.length;
}
console.log(which, ((performance.now() - t) * 1e6 / 1e7).toFixed(1), 'ns');
