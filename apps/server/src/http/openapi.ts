/**
 * GET /api/v1/openapi.json: the protocol's route table as an OpenAPI 3.1
 * document, collected by @fastify/swagger from the routes as they are
 * registered — so it shows the schemas the server really validates and
 * serializes with, not a copy of them. Each operation is named after its
 * table entry (operationId), says who may call it (x-role, and the
 * security it needs) and, for an action, what the audit log calls it
 * (x-action). Routes that are not in the table (the UI's files) are left
 * out. Register it before any route: the plugin collects routes as they
 * are added.
 */
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { PROTOCOL_VERSION, type RouteName, type RouteSpec, routeEntries, routes, TOKEN_COOKIE } from '@vfioscope/protocol';
import { registerRoute } from './route-registry.ts';

/** TypeBox writes draft-07 (a tuple is `items: [...]`), which the document declares instead of 3.1's default 2020-12. */
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

const TABLE = new Map(routeEntries().map((entry) => [`${entry[1].method} ${entry[1].path}`, entry]));

/** The table entry a registered route stands for, or undefined for one that is not in the table. */
export function tableEntry(method: string, url: string): [RouteName, RouteSpec] | undefined {
  return TABLE.get(`${method} ${url}`);
}

function describe(schema: FastifySchema | undefined, method: string, url: string): FastifySchema & Record<string, unknown> {
  const entry = tableEntry(method, url);
  if (!entry) return { ...schema, hide: true };
  const [name, spec] = entry;
  return {
    ...schema,
    // @fastify/websocket hides its routes; the stream is in the table like any other
    hide: false,
    operationId: name,
    summary: spec.summary,
    security: spec.role === 'public' ? [] : [{ bearer: [] }, { cookie: [] }],
    'x-role': spec.role,
    ...(spec.action !== undefined ? { 'x-action': spec.action } : {}),
    // a body of bytes is not validated by Fastify (routeSchema), but the document still says what it is
    ...(spec.consumes !== undefined ? { consumes: [spec.consumes], body: spec.body } : {}),
    ...(spec.websocket
      ? { description: 'A WebSocket upgrade: the messages are ServerMessage and ClientMessage (packages/protocol).' }
      : {}),
  };
}

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'vfioscope',
        version: String(PROTOCOL_VERSION),
        description: 'VFIO groups, devices, DMA mappings, interrupts and telemetry of one host. Errors carry the kernel errno name.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'a viewer or operator token' },
          cookie: { type: 'apiKey', in: 'cookie', name: TOKEN_COOKIE, description: 'the token, as the login URL sets it' },
        },
      },
    },
    // 3.1 has `const`; keep the schemas as the server validates with them
    convertConstToEnum: false,
    // the plugin keeps only the fields it knows of the base document
    transformObject: (doc) => ('openapiObject' in doc ? { ...doc.openapiObject, jsonSchemaDialect: DRAFT_07 } : doc.swaggerObject),
    transform: ({ schema, url, route }) => {
      const method = Array.isArray(route.method) ? String(route.method[0]) : String(route.method);
      return { schema: describe(schema, method, url), url };
    },
  });
  registerRoute(app, routes.openapi, async () => {
    const doc = app.swagger();
    if (!('openapi' in doc)) throw new Error('@fastify/swagger built a Swagger 2 document, not OpenAPI 3');
    return { ...doc, paths: doc.paths ?? {} };
  });
}
