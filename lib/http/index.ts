export { HttpError, clip, ECHO_MAX, errorResponse, toErrorResponse, toIssues, formatPath, handle, type Issue } from './errors';
