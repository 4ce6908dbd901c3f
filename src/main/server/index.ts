// Browser mode's public face: start the server, the token, and the renderer build on first serve.
export { startApiServer, contentSecurityPolicy, isLoopback, API_PREFIX, EVENTS_PATH, type ApiServer, type ApiServerOptions } from './http-server';
export { generateToken, isAuthorized, tokenCookieName, TOKEN_QUERY, TOKEN_HEADER } from './token';
export { ensureRenderer, rendererDir, rendererStale, repoRoot, packageVersion } from './renderer-build';
export { UploadHandler, UPLOADS_PATH, type UploadLimits } from './uploads';
