/** Where the project's scripts find Kafka: `KAFKA_BROKERS` (comma-separated), else the native broker's address. */
export function kafkaBrokersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env.KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  return [`127.0.0.1:${env.KAFKA_NATIVE_PORT ?? '9092'}`];
}
