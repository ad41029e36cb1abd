export * from './errors.ts';
export type * from './observe.ts';
export type * from './drive.ts';
export type * from './host.ts';

export * from './dma-mapping-table.ts';
export { guestName } from './observe/guest-name.ts';
export * from './rules/index.ts';
export * from './kmsg/index.ts';
