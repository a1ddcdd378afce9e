import { describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfig } from '../../functions/platform/config.js';

const base = { STAGE: 'acme-test', AWS_REGION: 'eu-west-1', LOG_LEVEL: 'ERROR' };

describe('configuration of a deployed function', () => {
  it('fails at init when a binding of its manifest entry is missing, naming the variable', () => {
    expect(() => loadConfig({ ...base, MODOS_FUNCTION: 'GetEntity' })).toThrow(ConfigurationError);
    expect(() => loadConfig({ ...base, MODOS_FUNCTION: 'GetEntity' })).toThrow(/GetEntity is missing TABLE_NAME/);
    expect(() => loadConfig({ ...base, MODOS_FUNCTION: 'ExecuteWorkflow', TABLE_NAME: 't' })).toThrow(
      /missing WORKFLOW_STATE_MACHINE_ARN/,
    );
    expect(loadConfig({ ...base, MODOS_FUNCTION: 'GetEntity', TABLE_NAME: 't' }).TABLE_NAME).toBe('t');
  });

  it('accepts the local alternative of a variable (a JWKS file for the JWKS URL)', () => {
    const env = { ...base, MODOS_FUNCTION: 'Authorizer', JWT_ISSUER: 'https://i/', JWT_AUDIENCE: 'a' };
    expect(() => loadConfig(env)).toThrow(/missing JWKS_URL/);
    expect(() => loadConfig({ ...env, JWKS_FILE: '/k.json' })).not.toThrow();
  });

  it('refuses a function name the manifest does not have', () => {
    expect(() => loadConfig({ ...base, MODOS_FUNCTION: 'Nope' })).toThrow(/not a function of the manifest/);
  });

  it('has no defaults for bound settings: reading one that is not set names it', () => {
    const c = loadConfig(base);
    expect(() => c.TABLE_NAME).toThrow(/TABLE_NAME is not set/);
    expect(() => c.PUBLIC_API_URL).toThrow(/PUBLIC_API_URL is not set/);
  });
});
