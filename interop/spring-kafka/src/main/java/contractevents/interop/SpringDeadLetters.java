package contractevents.interop;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.annotation.EnableKafka;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.support.DefaultKafkaHeaderMapper;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.support.converter.MessagingMessageConverter;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Headers;
import org.springframework.messaging.handler.annotation.Payload;
import org.springframework.util.backoff.FixedBackOff;

/**
 * What a Spring Kafka service does with dead letters, as a command line program:
 *
 * <pre>
 * read        --brokers b --topic t.dlq --count n [--timeout-ms ms]
 *             a @KafkaListener on the dead-letter topic, headers mapped by DefaultKafkaHeaderMapper and
 *             bound with @Header(KafkaHeaders.DLT_*) as a Spring DLT listener binds them (required by
 *             default); one JSON line per record with what it decoded, or the error Spring raised.
 * dead-letter --brokers b --topic t --partition p --offset o --dlq t.dlq --group g --message m
 *             reads that record and hands it to DeadLetterPublishingRecoverer as a listener failure
 *             (ListenerExecutionFailedException caused by IllegalStateException(m)).
 * </pre>
 */
public final class SpringDeadLetters {

	private static final ObjectMapper JSON = new ObjectMapper();

	private SpringDeadLetters() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length == 0) {
			throw new IllegalArgumentException("usage: read … | dead-letter … (see the class comment)");
		}
		Map<String, String> options = options(args);
		switch (args[0]) {
			case "read" -> read(options);
			case "dead-letter" -> deadLetter(options);
			default -> throw new IllegalArgumentException("unknown command " + args[0]);
		}
		System.exit(0);
	}

	private static Map<String, String> options(String[] args) {
		Map<String, String> options = new HashMap<>();
		for (int i = 1; i + 1 < args.length; i += 2) {
			if (!args[i].startsWith("--")) {
				throw new IllegalArgumentException("expected an --option, got " + args[i]);
			}
			options.put(args[i].substring(2), args[i + 1]);
		}
		return options;
	}

	private static String required(Map<String, String> options, String name) {
		String value = options.get(name);
		if (value == null) {
			throw new IllegalArgumentException("--" + name + " is required");
		}
		return value;
	}

	static synchronized void emit(Map<String, Object> line) {
		try {
			System.out.println(JSON.writeValueAsString(line));
			System.out.flush();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	// ------------------------------------------------------------------ read

	private static void read(Map<String, String> options) throws Exception {
		int count = Integer.parseInt(required(options, "count"));
		long timeoutMs = Long.parseLong(options.getOrDefault("timeout-ms", "60000"));
		DeadLetterListener.latch = new CountDownLatch(count);
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
			Map<String, Object> properties = new HashMap<>();
			properties.put("interop.brokers", required(options, "brokers"));
			properties.put("interop.topic", required(options, "topic"));
			context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("interop", properties));
			context.register(ReaderConfiguration.class);
			context.refresh();
			if (!DeadLetterListener.latch.await(timeoutMs, TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("read " + (count - DeadLetterListener.latch.getCount()) + " of "
						+ count + " dead letters in " + timeoutMs + " ms");
			}
		}
	}

	@Configuration
	@EnableKafka
	static class ReaderConfiguration {

		@Bean
		ConsumerFactory<byte[], byte[]> consumerFactory(org.springframework.core.env.Environment env) {
			Map<String, Object> props = new HashMap<>();
			props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.getRequiredProperty("interop.brokers"));
			props.put(ConsumerConfig.GROUP_ID_CONFIG, "spring-interop-reader-" + UUID.randomUUID());
			props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
			props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
			return new DefaultKafkaConsumerFactory<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
		}

		@Bean
		ConcurrentKafkaListenerContainerFactory<byte[], byte[]> kafkaListenerContainerFactory(
				ConsumerFactory<byte[], byte[]> consumerFactory) {
			ConcurrentKafkaListenerContainerFactory<byte[], byte[]> factory = new ConcurrentKafkaListenerContainerFactory<>();
			factory.setConsumerFactory(consumerFactory);
			// A reader, not a service: it never acknowledges, so the container commits no offset.
			factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.MANUAL);
			MessagingMessageConverter converter = new MessagingMessageConverter();
			converter.setHeaderMapper(new DefaultKafkaHeaderMapper());
			factory.setRecordMessageConverter(converter);
			// A record the listener cannot bind (a required header missing) is reported, not retried.
			factory.setCommonErrorHandler(new DefaultErrorHandler((record, ex) -> {
				Map<String, Object> line = new LinkedHashMap<>();
				line.put("partition", record.partition());
				line.put("offset", record.offset());
				Throwable root = ex;
				while (root.getCause() != null && root.getCause() != root) {
					root = root.getCause();
				}
				line.put("error", root.getClass().getName() + ": " + root.getMessage());
				emit(line);
				DeadLetterListener.latch.countDown();
			}, new FixedBackOff(0L, 0L)));
			return factory;
		}

		@Bean
		DeadLetterListener deadLetterListener() {
			return new DeadLetterListener();
		}

	}

	static class DeadLetterListener {

		static volatile CountDownLatch latch;

		@KafkaListener(topics = "${interop.topic}")
		public void onDeadLetter(@Payload byte[] value,
				@Header(KafkaHeaders.RECEIVED_PARTITION) int partition,
				@Header(KafkaHeaders.OFFSET) long offset,
				@Header(name = KafkaHeaders.RECEIVED_KEY, required = false) byte[] key,
				@Header(KafkaHeaders.DLT_ORIGINAL_TOPIC) String originalTopic,
				@Header(KafkaHeaders.DLT_ORIGINAL_PARTITION) int originalPartition,
				@Header(KafkaHeaders.DLT_ORIGINAL_OFFSET) long originalOffset,
				@Header(KafkaHeaders.DLT_ORIGINAL_TIMESTAMP) long originalTimestamp,
				@Header(KafkaHeaders.DLT_ORIGINAL_TIMESTAMP_TYPE) String originalTimestampType,
				@Header(KafkaHeaders.DLT_ORIGINAL_CONSUMER_GROUP) String originalConsumerGroup,
				@Header(KafkaHeaders.DLT_EXCEPTION_FQCN) String exceptionFqcn,
				@Header(KafkaHeaders.DLT_EXCEPTION_CAUSE_FQCN) String exceptionCauseFqcn,
				@Header(KafkaHeaders.DLT_EXCEPTION_MESSAGE) String exceptionMessage,
				@Header(KafkaHeaders.DLT_EXCEPTION_STACKTRACE) String exceptionStacktrace,
				@Header(name = KafkaHeaders.DELIVERY_ATTEMPT, required = false) Integer deliveryAttempt,
				@Header(name = "kafka_dlt-reason", required = false) String reason,
				@Header(name = "ce_id", required = false) String ceId,
				@Headers Map<String, Object> headers) {

			Map<String, Object> line = new LinkedHashMap<>();
			line.put("partition", partition);
			line.put("offset", offset);
			line.put("key", key == null ? null : new String(key, StandardCharsets.UTF_8));
			line.put("value", new String(value, StandardCharsets.UTF_8));
			line.put("ceId", ceId);
			line.put("originalTopic", originalTopic);
			line.put("originalPartition", originalPartition);
			line.put("originalOffset", originalOffset);
			line.put("originalTimestamp", originalTimestamp);
			line.put("originalTimestampType", originalTimestampType);
			line.put("originalConsumerGroup", originalConsumerGroup);
			line.put("exceptionFqcn", exceptionFqcn);
			line.put("exceptionCauseFqcn", exceptionCauseFqcn);
			line.put("exceptionMessage", exceptionMessage);
			line.put("exceptionStacktraceFirstLine", exceptionStacktrace.lines().findFirst().orElse(""));
			line.put("deliveryAttempt", deliveryAttempt);
			Object mapped = headers.get(KafkaHeaders.DELIVERY_ATTEMPT);
			line.put("deliveryAttemptType", mapped == null ? null : mapped.getClass().getName());
			line.put("reason", reason);
			emit(line);
			latch.countDown();
		}

	}

	// ------------------------------------------------------------------ dead-letter

	private static void deadLetter(Map<String, String> options) {
		String brokers = required(options, "brokers");
		String topic = required(options, "topic");
		int partition = Integer.parseInt(required(options, "partition"));
		long offset = Long.parseLong(required(options, "offset"));
		String dlq = required(options, "dlq");
		String group = required(options, "group");
		String message = required(options, "message");

		Map<String, Object> consumerProps = new HashMap<>();
		consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
		consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		Map<String, Object> producerProps = new HashMap<>();
		producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
		producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
		producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);

		DefaultKafkaProducerFactory<byte[], byte[]> producerFactory = new DefaultKafkaProducerFactory<>(producerProps,
				new ByteArraySerializer(), new ByteArraySerializer());
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
				new ByteArrayDeserializer())) {
			TopicPartition tp = new TopicPartition(topic, partition);
			consumer.assign(List.of(tp));
			consumer.seek(tp, offset);
			ConsumerRecord<byte[], byte[]> record = null;
			long deadline = System.currentTimeMillis() + 30_000;
			while (record == null && System.currentTimeMillis() < deadline) {
				for (ConsumerRecord<byte[], byte[]> candidate : consumer.poll(Duration.ofMillis(500))) {
					if (candidate.offset() == offset) {
						record = candidate;
						break;
					}
				}
			}
			if (record == null) {
				throw new IllegalStateException("no record at " + topic + "-" + partition + "@" + offset);
			}
			KafkaTemplate<byte[], byte[]> template = new KafkaTemplate<>(producerFactory);
			DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(template,
					(rec, ex) -> new TopicPartition(dlq, rec.partition()));
			recoverer.accept(record, consumer,
					new ListenerExecutionFailedException("Listener failed", group, new IllegalStateException(message)));
			template.flush();
			Map<String, Object> line = new LinkedHashMap<>();
			line.put("deadLettered", topic + "-" + partition + "@" + offset);
			line.put("to", dlq);
			emit(line);
		}
		finally {
			producerFactory.destroy();
		}
	}

}
