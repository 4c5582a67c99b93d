export { HttpError, clip, ECHO_MAX, errorResponse, toErrorResponse, toIssues, formatPath, handle, type Issue } from './errors';
export { bearerToken, bearerMatches } from './bearer';
export { addressMatcher } from './address';
export { parseHost, isAllowedHost, isSameOrigin, type HostName } from './origin';
