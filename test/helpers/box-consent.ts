export { clickThroughConsent } from '../../box-sim/consent-client';
