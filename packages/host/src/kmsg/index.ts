export type * from './kernel-record.ts';
export { fullBdf, parseKernelMessage } from './parse-kernel-message.ts';
export { parseKmsgRecord } from './parse-kmsg-record.ts';
