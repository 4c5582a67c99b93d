import 'server-only';

export { checkAccess, clientOf, overHttps } from './gatekeeper';
export { getAccess, type Access } from './state';
export { cameOverHttps, clientAddressOf, identityOf, scopeOf } from './request';
export { ANONYMOUS, NOBODY, type Identity } from './identity';
export { compileScope, parseScope, withinScope, ScopeError, SCOPE_MAX_LENGTH } from './scope';
export { verifyPassword, PASSWORD_MAX_LENGTH } from './password';
export { issueSession, SESSION_COOKIE } from './session';
export { ROLES, NAME_PATTERN, AuthFileError, type Role } from './auth-file';
export { dataView, viewFor, type DataView, type StoreReads } from './view';
