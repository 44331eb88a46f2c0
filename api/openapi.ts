import { z } from 'zod';
import { createConnectorBody } from './connectors-routes';

const error = { $ref: '#/components/schemas/Error' };
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
const responses = (ok: Record<string, string>, errors: number[]) => ({
  ...Object.fromEntries(Object.entries(ok).map(([code, description]) => [code, { description }])),
  ...Object.fromEntries(errors.map((code) => [String(code), { description: 'error', ...json(error) }])),
});

/** The OpenAPI 3.1 document of the API (served at GET /openapi.json). */
export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'connect-box API',
      version: '0.1.0',
      description: 'Connect Box enterprises, follow their scan, receive Box webhooks.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API_TOKEN' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'message'],
          properties: { error: { type: 'string' }, message: { type: 'string' } },
        },
        CreateConnector: z.toJSONSchema(createConnectorBody),
      },
    },
    paths: {
      '/api/connectors': {
        post: {
          summary: 'Create a connector; returns the URL a Box admin opens to authorize',
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/CreateConnector' }) },
          responses: responses(
            { 201: 'created: {id, status, authorizeUrl, authorizeUrlExpiresAt}' },
            [400, 401, 409, 503],
          ),
        },
        get: { summary: 'List connectors', responses: responses({ 200: '{items}' }, [401]) },
      },
      '/api/connectors/{id}': {
        get: {
          summary: 'A connector with its live status (API test, backfill, scan)',
          parameters: idParam,
          responses: responses({ 200: 'connector' }, [400, 401, 404]),
        },
        delete: {
          summary: 'Disconnect: cancel the workflows, revoke the token',
          parameters: idParam,
          responses: responses({ 200: 'already disconnected', 202: 'disconnecting' }, [400, 401, 404]),
        },
      },
      '/api/connectors/{id}/authorize': {
        post: {
          summary: 'A fresh authorize URL (re-authorization)',
          parameters: idParam,
          responses: responses({ 200: '{authorizeUrl, authorizeUrlExpiresAt}' }, [400, 401, 404, 409]),
        },
      },
      '/api/box/app-keys': {
        get: {
          summary: 'Box app client id per data centre',
          responses: responses({ 200: '{items}' }, [401]),
        },
      },
      '/oauth/box/callback': {
        get: {
          summary: "Box's OAuth redirect target (HTML page)",
          security: [],
          parameters: ['code', 'state', 'error', 'error_description'].map((name) => ({
            name,
            in: 'query',
            schema: { type: 'string' },
          })),
          responses: {
            200: { description: 'outcome page' },
            400: { description: 'bad or replayed state' },
            403: { description: 'access denied in Box' },
          },
        },
      },
      '/healthz': {
        get: {
          summary: 'Health of store and Temporal',
          security: [],
          responses: { 200: { description: 'ok' }, 503: { description: 'degraded' } },
        },
      },
    },
  };
}
