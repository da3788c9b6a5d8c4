// Shapes of the /api/* JSON, inferred from the one contract the server is tested against
// (app/api-contract/, test/integration/api-contract.test.ts). Types only: no zod in the bundle.
export type * from '../../app/api-contract/index.js';
