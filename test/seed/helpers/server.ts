/**
 * The FHIR server the seeder's integration tests talk to: FHIR_BASE_URL when set (any external
 * server), else fhirseed's embedded server on a free port. One switch for all suites: test/helpers/fhir-server.ts.
 */
export { externalBaseUrl as externalServer, startTestServer, type TestServer } from '../../helpers/fhir-server.js';
