export * from './latency.js';
export * from './namespace.js';
export * from './prefix-caching.js';
export * from './registry.js';
export * from './serving.js';
export * from './throughput.js';
export type * from './types.js';
