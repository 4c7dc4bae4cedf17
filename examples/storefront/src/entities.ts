import { EntitySchema } from '@mikro-orm/core';

export interface User {
  id: string;
  username: string;
  passwordHash: string;
  createdAt: Date;
}

export interface Session {
  id: string;
  user: User;
  /** The domain the session was created on: the cross-domain guard compares it with the request's. */
  domain: string;
  expiresAt: Date;
}

export interface Product {
  id: string;
  name: string;
  priceCents: number;
}

export interface Order {
  id: string;
  product: Product;
  user: User;
  qty: number;
  createdAt: Date;
}

/** Every entity of the storefront; all are domain-scoped (each domain has its own users, sessions, data). */
export interface StorefrontEntities {
  User: EntitySchema<User>;
  Session: EntitySchema<Session>;
  Product: EntitySchema<Product>;
  Order: EntitySchema<Order>;
}

/**
 * Fresh entity definitions (a strategy may adapt them, e.g. the row-level
 * strategy adds its tenant column, so each site gets its own).
 */
export function createEntities(): StorefrontEntities {
  const User = new EntitySchema<User>({
    name: 'User',
    tableName: 'users',
    properties: {
      id: { type: 'string', primary: true, length: 36 },
      username: { type: 'string', length: 64, index: true },
      passwordHash: { type: 'string' },
      createdAt: { type: 'Date' },
    },
  });
  const Session = new EntitySchema<Session>({
    name: 'Session',
    tableName: 'sessions',
    properties: {
      id: { type: 'string', primary: true, length: 64 },
      user: { kind: 'm:1', entity: () => User },
      domain: { type: 'string', length: 50 },
      expiresAt: { type: 'Date' },
    },
  });
  const Product = new EntitySchema<Product>({
    name: 'Product',
    tableName: 'products',
    properties: {
      id: { type: 'string', primary: true, length: 36 },
      name: { type: 'string' },
      priceCents: { type: 'integer' },
    },
  });
  const Order = new EntitySchema<Order>({
    name: 'Order',
    tableName: 'orders',
    properties: {
      id: { type: 'string', primary: true, length: 36 },
      product: { kind: 'm:1', entity: () => Product },
      user: { kind: 'm:1', entity: () => User },
      qty: { type: 'integer' },
      createdAt: { type: 'Date' },
    },
  });
  return { User, Session, Product, Order };
}
