export { HttpError, errorResponse, toErrorResponse, toIssues, formatPath, handle, type Issue } from './errors';
