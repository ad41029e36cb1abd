import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import {
  ClientMessage,
  ErrorBody,
  httpStatusFor,
  isProblemCode,
  MapBody,
  parseTopic,
  ServerMessage,
  Topic,
  UnmapBody,
  U64Input,
  parseClientMessage,
  parseServerMessage,
} from './index.ts';

describe('problem codes', () => {
  it('map kernel errnos and our own codes to fixed HTTP statuses', () => {
    expect(httpStatusFor('EINVAL')).toBe(400);
    expect(httpStatusFor('EEXIST')).toBe(409);
    expect(httpStatusFor('EBUSY')).toBe(409);
    expect(httpStatusFor('ENOSPC')).toBe(507);
    expect(httpStatusFor('ENOMEM')).toBe(507);
    expect(httpStatusFor('EPERM')).toBe(403);
    expect(httpStatusFor('ENODEV')).toBe(404);
    expect(httpStatusFor('EAUTH')).toBe(401);
    expect(httpStatusFor('EFORBIDDEN')).toBe(403);
    expect(httpStatusFor('ERRNO_200')).toBe(500);
    expect(isProblemCode('ERRNO_200')).toBe(true);
    expect(isProblemCode('EWHATEVER')).toBe(false);
  });

  it('validates the error body', () => {
    expect(Value.Check(ErrorBody, { error: { errno: 'EEXIST', message: 'iova overlaps', field: 'iova' } })).toBe(true);
    expect(Value.Check(ErrorBody, { error: { errno: 'EBOGUS', message: 'x' } })).toBe(false);
  });
});

describe('request schemas', () => {
  it('accept hex or decimal 64-bit strings only', () => {
    expect(Value.Check(U64Input, '0x1000')).toBe(true);
    expect(Value.Check(U64Input, '4096')).toBe(true);
    expect(Value.Check(U64Input, 4096)).toBe(false);
    expect(Value.Check(U64Input, '4k')).toBe(false);
  });

  it('map body needs iova, size and at least one flag', () => {
    expect(Value.Check(MapBody, { iova: '0x0', size: '0x1000', flags: ['read'] })).toBe(true);
    expect(Value.Check(MapBody, { iova: '0x0', size: '0x1000', flags: [] })).toBe(false);
    expect(Value.Check(MapBody, { iova: '0x0', size: '0x1000', flags: ['exec'] })).toBe(false);
    expect(Value.Check(MapBody, { iova: '0x0', size: '0x1000', flags: ['read'], vaddr: '0x1' })).toBe(false);
  });

  it('unmap body is a range or all', () => {
    expect(Value.Check(UnmapBody, { iova: '0x0', size: '0x1000' })).toBe(true);
    expect(Value.Check(UnmapBody, { all: true })).toBe(true);
    expect(Value.Check(UnmapBody, { all: false })).toBe(false);
  });
});

describe('stream', () => {
  it('parses topics', () => {
    expect(parseTopic('irq-rates')).toEqual({ kind: 'irq-rates' });
    expect(parseTopic('device:0000:01:00.0')).toEqual({ kind: 'device', bdf: '0000:01:00.0' });
    expect(parseTopic('mappings:3')).toEqual({ kind: 'mappings', container: 3 });
    expect(parseTopic('device:nope')).toBeNull();
    expect(parseTopic('everything')).toBeNull();
    expect(Value.Check(Topic, 'device:0000:AF:1f.7')).toBe(true);
  });

  it('client messages are discriminated on type and strict', () => {
    expect(Value.Check(ClientMessage, { type: 'subscribe', topics: ['topology', 'alerts'] })).toBe(true);
    expect(Value.Check(ClientMessage, { type: 'subscribe', topics: [] })).toBe(false);
    expect(Value.Check(ClientMessage, { type: 'ping', id: 3 })).toBe(true);
    expect(Value.Check(ClientMessage, { type: 'shout' })).toBe(false);
  });

  it('a refused message names the field at fault within the variant its type claims', () => {
    expect(parseClientMessage('{"type":"subscribe","topics":[{"topic":"irq-rates"}]}')).toMatchObject({ ok: false, field: 'topics.0' });
    expect(parseClientMessage('{"type":"subscribe","topics":["bogus"]}')).toMatchObject({ ok: false, field: 'topics.0' });
    expect(parseClientMessage('{"type":"ping","id":"x"}')).toMatchObject({ ok: false, field: 'id' });
    expect(parseClientMessage('{"type":"shout"}')).toMatchObject({ ok: false });
    expect(parseClientMessage('not json')).toEqual({ ok: false, message: 'message is not JSON' });
    const badSnap = { type: 'snapshot', kind: 'alerts', topic: 'alerts', seq: -1, data: { alerts: [] } };
    expect(parseServerMessage(JSON.stringify(badSnap))).toMatchObject({ ok: false, field: 'seq' });
  });

  it('server messages carry kind, topic and seq', () => {
    const snap = { type: 'snapshot', kind: 'alerts', topic: 'alerts', seq: 0, data: { alerts: [] } };
    const delta = {
      type: 'delta',
      kind: 'events',
      topic: 'events',
      seq: 4,
      data: { events: [{ seq: 1, ts: 1, kind: 'info', message: 'x' }] },
    };
    expect(Value.Check(ServerMessage, snap)).toBe(true);
    expect(Value.Check(ServerMessage, delta)).toBe(true);
    expect(Value.Check(ServerMessage, { ...snap, data: { rates: [] } })).toBe(false);
  });
});
