import fastifySwagger from '@fastify/swagger';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ResponseCheck } from './response-check.ts';

/** an app whose one route answers `answer` under a schema that declares only `a` (an integer) */
async function appAnswering(answer: object, serializer?: (payload: unknown) => string) {
  const app = Fastify();
  await app.register(fastifySwagger, { openapi: { openapi: '3.1.0', info: { title: 't', version: '1' } } });
  app.get(
    '/x/:id',
    { schema: { response: { 200: { type: 'object', required: ['a'], properties: { a: { type: 'integer' } } } } } },
    async (_req, reply) => {
      if (serializer) reply.type('application/json').serializer(serializer);
      return answer;
    },
  );
  const check = new ResponseCheck(app);
  await app.ready();
  return { app, check };
}

describe('ResponseCheck', () => {
  it('passes an answer that matches the document and went out whole', async () => {
    const { app, check } = await appAnswering({ a: 1 });
    expect((await app.inject({ url: '/x/1' })).json()).toEqual({ a: 1 });
    expect(check.take()).toEqual([]);
    await app.close();
  });

  it('catches a field the serializer dropped because the schema does not declare it', async () => {
    const { app, check } = await appAnswering({ a: 1, b: 'lost' });
    expect((await app.inject({ url: '/x/1' })).json()).toEqual({ a: 1 });
    expect(check.take()).toEqual([expect.stringMatching(/^GET \/x\/1 → 200: the serializer dropped or changed/)]);
    await app.close();
  });

  it('catches a value the serializer changed to fit the schema (a fraction in an integer)', async () => {
    const { app, check } = await appAnswering({ a: 1.5 });
    await app.inject({ url: '/x/1' });
    expect(check.take().join('\n')).toMatch(/dropped or changed/);
    await app.close();
  });

  it('catches an answer that breaks the documented schema (here one a handler serialized itself)', async () => {
    const { app, check } = await appAnswering({}, (p) => JSON.stringify(p));
    await app.inject({ url: '/x/1' });
    expect(check.take().join('\n')).toMatch(/does not match the document at \/: must have required property 'a'/);
    await app.close();
  });
});
