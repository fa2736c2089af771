import { describe, expect, it } from 'vitest';
import { connectPlatformaticAdmin } from '../topics/platformatic-admin.ts';
import {
  clientOfPort,
  createKafkaClients,
  kafkaClientFromEnv,
  parseKafkaClient,
  portsBuilt,
} from './client.ts';

const brokers = ['127.0.0.1:1'];

describe('choosing the Kafka client', () => {
  it('reads KAFKA_CLIENT, defaulting to @platformatic/kafka when unset or empty', () => {
    expect(kafkaClientFromEnv({})).toBe('platformatic');
    expect(kafkaClientFromEnv({ KAFKA_CLIENT: '' })).toBe('platformatic');
    expect(kafkaClientFromEnv({ KAFKA_CLIENT: 'platformatic' })).toBe('platformatic');
    expect(kafkaClientFromEnv({ KAFKA_CLIENT: ' Kafkajs ' })).toBe('kafkajs');
  });

  it('refuses an unknown client, naming the variable, the value and the choices', () => {
    expect(() => kafkaClientFromEnv({ KAFKA_CLIENT: 'rdkafka' })).toThrow(
      'KAFKA_CLIENT="rdkafka" is not a Kafka client: use kafkajs or platformatic',
    );
    expect(() => parseKafkaClient('x', '--client')).toThrow('--client="x"');
  });

  it('builds ports of the explicit client whatever the environment says, and records which', () => {
    const before = portsBuilt();
    const platformatic = createKafkaClients({ brokers, client: 'platformatic' });
    const kafkajs = createKafkaClients({ brokers, client: 'kafkajs' });
    expect(platformatic.client).toBe('platformatic');
    const pltProducer = platformatic.producer();
    const pltConsumer = platformatic.consumer({ groupId: 'g' });
    const jsProducer = kafkajs.producer();
    const jsConsumer = kafkajs.consumer({ groupId: 'g' });
    expect(clientOfPort(pltProducer)).toBe('platformatic');
    expect(clientOfPort(pltConsumer)).toBe('platformatic');
    expect(clientOfPort(jsProducer)).toBe('kafkajs');
    expect(clientOfPort(jsConsumer)).toBe('kafkajs');
    const after = portsBuilt();
    expect(after.platformatic.producer - before.platformatic.producer).toBe(1);
    expect(after.platformatic.consumer - before.platformatic.consumer).toBe(1);
    expect(after.kafkajs.producer - before.kafkajs.producer).toBe(1);
    expect(after.kafkajs.consumer - before.kafkajs.consumer).toBe(1);
  });

  it('refuses static membership and KIP-848 on kafkajs, which has neither', () => {
    const kafkajs = createKafkaClients({ brokers, client: 'kafkajs' });
    expect(() => kafkajs.consumer({ groupId: 'g', groupInstanceId: 'a' })).toThrow(
      /kafkajs supports neither/,
    );
    expect(() => kafkajs.consumer({ groupId: 'g', groupProtocol: 'consumer' })).toThrow(
      /kafkajs supports neither/,
    );
    expect(() =>
      createKafkaClients({ brokers, client: 'platformatic' }).consumer({
        groupId: 'g',
        groupInstanceId: 'a',
        groupProtocol: 'consumer',
      }),
    ).not.toThrow();
  });

  it('refuses an empty broker list', () => {
    expect(() => createKafkaClients({ brokers: [] })).toThrow('createKafkaClients: no Kafka brokers given');
  });

  it('says which brokers a platformatic admin could not reach', async () => {
    await expect(connectPlatformaticAdmin({ brokers, retries: 0, connectionTimeoutMs: 500 })).rejects.toThrow(
      /connectPlatformaticAdmin: cannot reach 127\.0\.0\.1:1/,
    );
  });
});

describe('options only kafkajs takes', () => {
  it('refuses TLS and SASL on @platformatic/kafka instead of dropping them', () => {
    expect(() => createKafkaClients({ brokers, client: 'platformatic', ssl: true })).toThrow(
      'createKafkaClients: ssl is not passed to @platformatic/kafka yet: use KAFKA_CLIENT=kafkajs',
    );
    expect(() => createKafkaClients({ brokers, client: 'kafkajs', ssl: true })).not.toThrow();
  });
});
