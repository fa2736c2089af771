/** The service kit reads the producers' schema-version pins from EVENT_SCHEMA_VERSIONS, and refuses a malformed list at start. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../services/shared/logger.ts';
import { configFromEnv } from '../../services/shared/server.ts';

const logger = createLogger('schema-versions-test', { level: 'silent' });
const env = { AUTH_SECRET: 'test-secret' };

describe('EVENT_SCHEMA_VERSIONS', () => {
  it('pins nothing when unset: every event goes in its current version', () => {
    expect(configFromEnv(env, 3000, logger).eventSchemaVersions).toEqual({});
  });

  it('pins the events it lists', () => {
    const config = configFromEnv(
      { ...env, EVENT_SCHEMA_VERSIONS: 'UserRegistered:1,OrderPlaced:3' },
      3000,
      logger,
    );
    expect(config.eventSchemaVersions).toEqual({ UserRegistered: 1, OrderPlaced: 3 });
  });

  it('stops the service on a malformed list, naming the variable', () => {
    expect(() => configFromEnv({ ...env, EVENT_SCHEMA_VERSIONS: 'UserRegistered=1' }, 3000, logger)).toThrow(
      /EVENT_SCHEMA_VERSIONS must list EventType:version pairs/,
    );
  });
});
