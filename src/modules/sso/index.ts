export {
  createSsoProvider,
  getSsoProvider,
  issuerAllowed,
  listSsoProviders,
  updateSsoProvider,
  type SsoProvider,
  type SsoProviderInput,
} from './sso-provider.service.js';
export { finishSsoFlow, startSsoFlow, type SsoClaims, type SsoFlowState } from './oidc-flow.js';
export { signInWithSso, type SsoSignInResult } from './sso-account.service.js';
