/**
 * The test run gets a native broker of its own: the `test` profile differs
 * from `npm start`'s `dev` profile in both listener ports and the state
 * folder (its own topics, groups, offsets), and the environment still wins.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KAFKA_VERSION, nativeBrokers, nativeKafkaConfig } from '../../infra/kafka/native.ts';
import { npmStartDefaultBrokers, testKafkaConfig } from '../support/infrastructure.ts';

const home = { HOME: '/home/dev' };
const cache = path.join('/home/dev', '.cache', 'contract-events', `kafka-${KAFKA_VERSION}`);

describe('native Kafka profiles', () => {
  it('runs `npm start` on 127.0.0.1:9092 with state/, the test run on 127.0.0.1:19092 with state-test/', () => {
    const dev = nativeKafkaConfig(home);
    const test = testKafkaConfig(home);
    expect([dev.port, dev.controllerPort, dev.stateDir]).toEqual([9092, 9093, path.join(cache, 'state')]);
    expect([test.port, test.controllerPort, test.stateDir]).toEqual([
      19092,
      19093,
      path.join(cache, 'state-test'),
    ]);
    // Same jars, nothing else shared.
    expect(test.libDir).toBe(dev.libDir);
    expect(nativeBrokers(test)).toEqual(['127.0.0.1:19092']);
  });

  it('lets KAFKA_NATIVE_PORT, KAFKA_NATIVE_CONTROLLER_PORT and KAFKA_NATIVE_STATE_DIR win over either profile', () => {
    const env = {
      ...home,
      KAFKA_NATIVE_PORT: '39092',
      KAFKA_NATIVE_CONTROLLER_PORT: '39093',
      KAFKA_NATIVE_STATE_DIR: '/tmp/kafka-own',
    };
    for (const config of [nativeKafkaConfig(env), testKafkaConfig(env)]) {
      expect([config.port, config.controllerPort, config.stateDir]).toEqual([39092, 39093, '/tmp/kafka-own']);
    }
  });

  it('names npm start’s default broker whatever KAFKA_NATIVE_* the test process has', () => {
    expect(npmStartDefaultBrokers({ ...home, KAFKA_NATIVE_PORT: '39092' })).toEqual(['127.0.0.1:9092']);
  });
});
