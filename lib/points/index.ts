// One validation path for every producer: the HTTP body, Prometheus text and each Redis entry form
// are checked by lib/schema's point schemas and turned into a batch here.
export { pointsToBatch, type PointIssue, type PointsInput } from './batch';
export { issuesOf, placeIssues, reasonOf, MAX_ISSUES } from './issues';
export { pointLimits } from './limits';
export { parseSampleValue, parseMillis, MAX_NUMBER_LENGTH } from './number';
