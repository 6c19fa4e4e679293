// The system URIs live one floor down (src/util/systems.ts) so the code-map loader can use them too.
export { SYSTEMS, type PlanNetSystemName, type SystemName } from '../util/systems.js';
