/**
 * GET /api/v1/health, the one public route: what the login screen can learn
 * before there is a token — above all where a server that made its own token
 * keeps it (`sessionTokenFile`, <data-dir>/session-token).
 */
import type { HealthResponse } from '@vfioscope/protocol';
import { api } from './rest.ts';

/** null when the server cannot be reached (the login screen then says so) */
export function fetchHealth(): Promise<HealthResponse | null> {
  return api.call('health').catch(() => null);
}
