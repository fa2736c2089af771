/**
 * Side-effect import for CLIs and the test runner: drops kafkajs'
 * TimeoutNegativeWarning on Node 24 before any kafkajs client exists
 * (the runtime's own filter, in one place).
 */
import { quietKafkajsTimeoutWarnings } from '../../runtime/kafka/kafkajs.ts';

quietKafkajsTimeoutWarnings();
