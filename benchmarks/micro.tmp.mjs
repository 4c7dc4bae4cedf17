import { AsyncLocalStorage } from 'node:async_hooks';
import { createSite } from '@md/core';
import { handleRequest, fromNodeRequest } from '@md/core/http';
import { hostResolver } from '@md/resolvers';
const N = 100;
const hostOf = (i) => `store-${i}.example`;
const site = await createSite({ resolvers: [hostResolver()], domains: Array.from({ length: N }, (_, i) => ({ name: `store-${i}`, hosts: [hostOf(i)] })) });
const reqs = Array.from({ length: N }, (_, i) => ({ url: '/hello', method: 'GET', headers: { host: hostOf(i) }, rawHeaders: ['Host', hostOf(i)], socket: { remoteAddress: '127.0.0.1' } }));
const res = {};
const floorMap = new Map(Array.from({ length: N }, (_, i) => [hostOf(i), { name: `store-${i}` }]));
const als = new AsyncLocalStorage();
let sink = 0;
const fnMd = () => { sink += site.currentDomain.length; };
const fnFloor = () => { sink += als.getStore().name.length; };
function md(i) {
  const o = handleRequest(site, reqs[i % N], res, 'koa');
  site.runResolved(o.resolved, fnMd);
}
function floor(i) {
  const d = floorMap.get(reqs[i % N].headers.host);
  als.run(d, fnFloor);
}
const parts = {
  md, floor,
  fromNode: (i) => { sink += handleRequest.length; },
};
function hr(i) { sink += handleRequest(site, reqs[i % N], res, 'koa').resolved.host.length; }
function map(i) { sink += floorMap.get(reqs[i % N].headers.host).name.length; }
const resolved = handleRequest(site, reqs[0], res, 'koa').resolved;
function run(i) { site.runResolved(resolved, fnMd); }
function arun(i) { als.run(floorMap.get('store-1.example'), fnFloor); }
const nreqs = reqs.map((r) => fromNodeRequest(r, 'koa'));
function fnr(i) { sink += fromNodeRequest(reqs[i % N], 'koa').path.length; }
function locate(i) { sink += site.locate(nreqs[i % N]).host.length; }
function resolve(i) { sink += site.resolve(nreqs[i % N]).host.length; }
for (let round = 0; round < 5; round++) {
  for (const [name, f] of [['fromNode', fnr], ['locate', locate], ['resolve', resolve], ['handleRequest', hr], ['map', map], ['runResolved', run], ['als.run', arun]]) {
    const t = performance.now();
    for (let i = 0; i < 2e6; i++) f(i);
    const ns = ((performance.now() - t) * 1e6) / 2e6;
    if (round >= 2) console.log(name, ns.toFixed(1), 'ns');
  }
}
