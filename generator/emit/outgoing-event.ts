/**
 * The type a topic's publisher and outbox mapper take for one event: the
 * topic's event union from types.ts as it is, or, when an event of the topic
 * declares application headers, that union with each event's `headers`
 * member (`WithApplicationHeaders`, runtime/contract/headers.ts): required
 * when a header is required, refused on events that declare none.
 */
import type { Catalog, TopicModel } from '../model/catalog.ts';
import type { Names } from '../naming/names.ts';
import { applicationHeaderFacts } from './header-codecs.ts';
import {
  type Member,
  methodSignature,
  type Parameter,
  property,
  ref,
  type TypeNode,
  typeLiteral,
} from './ts.ts';

export interface OutgoingEventType {
  /** The type. */
  readonly type: TypeNode;
  /** Runtime types it uses. */
  readonly runtimeTypes: readonly string[];
  /** Types it uses from types.ts (the union first, when the base is the types.ts union). */
  readonly typeImports: readonly string[];
}

/**
 * `base` is the member union the headers are added to: the topic's event union (types.ts), or the
 * publish input producers.ts declares when events also take a key or address parameters.
 */
export function outgoingEventType(
  topic: TopicModel,
  catalog: Catalog,
  names: Names,
  base: string = names.topic(topic.address).union,
): OutgoingEventType {
  const fromTypes = base === names.topic(topic.address).union ? [base] : [];
  const withHeaders = topic.events.flatMap((name) => {
    const event = catalog.events.find((e) => e.name === name);
    return event?.headers !== undefined && applicationHeaderFacts(event.headers).names.length > 0
      ? [{ name, headers: names.event(name).headers }]
      : [];
  });
  if (withHeaders.length === 0) return { type: ref(base), runtimeTypes: [], typeImports: fromTypes };
  const map = typeLiteral(
    withHeaders.map((e) => property(e.name, ref(e.headers))),
    { singleLine: true },
  );
  return {
    type: ref('WithApplicationHeaders', [ref(base), map]),
    runtimeTypes: ['WithApplicationHeaders'],
    typeImports: [...fromTypes, ...withHeaders.map((e) => e.headers)],
  };
}

/**
 * One method signature of a publisher or outbox interface: all on one line for a plain union, one
 * parameter a line when the event type carries application headers (and so is long).
 */
export function outgoingMethod(
  event: OutgoingEventType,
  name: string,
  parameters: readonly Parameter[],
  returns: TypeNode,
  doc: string,
): Member {
  return methodSignature(name, parameters, returns, {
    doc,
    parametersOnLines: event.runtimeTypes.length > 0,
  });
}
