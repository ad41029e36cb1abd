/**
 * The wire protocol's version. Every REST path lives under API_PREFIX and the
 * stream's hello message carries PROTOCOL_VERSION, so a UI talking to an older
 * or newer server can tell before it misreads a message. Bump the version
 * (and the prefix) only for changes an existing client would misread; adding
 * optional fields or new topics does not need a bump.
 */
export const PROTOCOL_VERSION = 1 as const;
export const API_PREFIX = '/api/v1' as const;
export const STREAM_PATH = '/api/v1/stream' as const;
/** query parameter and cookie that carry the login token (Bearer header preferred) */
export const TOKEN_QUERY_PARAM = 'token' as const;
export const TOKEN_COOKIE = 'vfioscope_token' as const;
