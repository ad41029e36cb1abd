/**
 * Pure rules of the kernel's VFIO and iommufd uAPIs that more than one layer
 * applies (the server, the web form, the session, the backends): no I/O, no
 * Node APIs, so the browser bundle can take them through @vfioscope/protocol.
 */
export * from './dma-request.ts';
export * from './teardown.ts';
export * from './pin-charge.ts';
export * from './cpu-list.ts';
