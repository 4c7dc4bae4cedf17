import { createServer } from 'node:http';
import { describeAdapterConformance, listenOnLoopback } from '@md/testing/adapter';
import express from 'express';
import { mdExpress, requireFeature } from '../src/index.js';

describeAdapterConformance({
  name: 'express',
  async start(site, routes, options) {
    const app = express();
    app.use(mdExpress(site, options));
    for (const route of routes) {
      const guards = route.feature === undefined ? [] : [requireFeature(route.feature)];
      app.get(route.path, ...guards, async (req, res) => {
        const reply = await route.handle({ domain: req.domain, url: req.url });
        for (const { name, value, options } of reply.cookies) res.cookie(name, value, options);
        res.status(reply.status).json(reply.body);
      });
    }
    return listenOnLoopback(createServer(app));
  },
});
