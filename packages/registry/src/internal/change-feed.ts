import { MdError } from '@md/core';
import type pg from 'pg';
import { NOTIFY_CHANNEL } from './schema.js';
import { loadPg } from './sql-client.js';

/** What the change feed needs from its registry. */
export interface ChangeFeedOptions {
  dialect: 'sqlite' | 'postgres';
  url: string;
  /** The registry's name, for errors. */
  name: string;
  /** Notifications this instance sent itself are not replayed. */
  instanceId: string;
  /** SQLite: how often the change counter is polled (ms). */
  pollIntervalMs: number;
  /** The change counter as stored now. */
  version(): Promise<number>;
  /** The newest version this instance has seen (its own writes included). */
  seen(): number;
  /** Another instance changed something; `version` when known. */
  changed(version: number | undefined): void;
}

/**
 * Follows other instances' registry changes: LISTEN on PostgreSQL (with a
 * reconnect that counts as a change, since notifications may have been
 * missed), or a poll of the change counter on SQLite.
 */
export class ChangeFeed {
  readonly #options: ChangeFeedOptions;
  #timer: NodeJS.Timeout | undefined;
  #listener: pg.Client | undefined;
  #closed = false;

  constructor(options: ChangeFeedOptions) {
    this.#options = options;
  }

  /** Starts following; resolves once LISTEN is in place (PostgreSQL) or the poll is scheduled. */
  start(): Promise<void> {
    if (this.#options.dialect === 'postgres') return this.#listen();
    this.#poll();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#listener?.end().catch(() => undefined);
  }

  #poll(): void {
    this.#timer = setInterval(() => {
      this.#options.version().then(
        (version) => {
          if (version !== this.#options.seen()) this.#options.changed(version);
        },
        () => undefined,
      );
    }, this.#options.pollIntervalMs);
    this.#timer.unref();
  }

  async #listen(): Promise<void> {
    if (this.#closed) return;
    const { Client } = loadPg();
    const client = new Client({ connectionString: this.#options.url });
    this.#listener = client;
    let reconnecting = false;
    const reconnect = () => {
      if (this.#closed || reconnecting) return;
      reconnecting = true;
      client.removeAllListeners();
      client.end().catch(() => undefined);
      setTimeout(() => {
        // Changes may have been missed while disconnected: treat the reconnect as one.
        this.#listen().then(
          () => this.#options.changed(undefined),
          () => reconnect(),
        );
      }, 250).unref();
    };
    client.on('error', reconnect);
    client.on('end', reconnect);
    client.on('notification', (message) => {
      if (message.channel !== NOTIFY_CHANNEL) return;
      let payload: { v?: number; by?: string } = {};
      try {
        payload = JSON.parse(message.payload ?? '{}');
      } catch {
        // An unknown payload still means "something changed".
      }
      if (payload.by === this.#options.instanceId) return;
      this.#options.changed(typeof payload.v === 'number' ? payload.v : undefined);
    });
    try {
      await client.connect();
      await client.query(`listen ${NOTIFY_CHANNEL}`);
    } catch (cause) {
      reconnect();
      throw MdError.storeUnavailable(this.#options.name, cause);
    }
  }
}
