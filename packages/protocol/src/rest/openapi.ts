/**
 * GET /api/v1/openapi.json: the route table as an OpenAPI 3.1 document,
 * built by the server from the same schemas it validates and serializes
 * with. Only its outline is fixed here; the paths are whatever the table
 * holds.
 */
import { Type, type Static } from '@sinclair/typebox';

export const OpenApiDocument = Type.Object(
  {
    openapi: Type.String({ pattern: '^3\\.1\\.' }),
    info: Type.Object({ title: Type.String(), version: Type.String() }, { additionalProperties: true }),
    /** the dialect the schemas are written in (TypeBox emits draft-07: tuples as `items: [...]`) */
    jsonSchemaDialect: Type.Optional(Type.String()),
    /** "/api/v1/devices/{bdf}" → method → operation */
    paths: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: true },
);
export type OpenApiDocument = Static<typeof OpenApiDocument>;
