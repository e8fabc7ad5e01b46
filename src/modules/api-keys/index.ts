export * from './api-key.types.js';
export { createApiKey, listApiKeys, revokeApiKey, verifyApiKey, type CreatedApiKey } from './api-key.service.js';
export {
  IDEMPOTENCY_TTL_MS,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  claimIdempotencyKey,
  completeIdempotencyKey,
  pruneIdempotencyKeys,
  requestHash,
  type Claim,
  type IdempotentRequest,
} from './idempotency.service.js';
