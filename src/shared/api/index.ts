// The app API contract: channels, events, DTO schemas, errors, and the generic client proxy.
import type { ApiChannel } from './contract';
import type { ApiEventName } from './events';
import type { API_CHANNEL_NAMES, API_EVENT_NAMES } from './channel-names';

export * from './errors';
export * from './dto';
export * from './events';
export * from './contract';
export * from './client';
export * from './genotype-scores';
export * from './channel-names';

// The preload's plain name lists must name exactly the contract's channels and events.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const CHANNEL_NAMES_MATCH: Same<(typeof API_CHANNEL_NAMES)[number], ApiChannel> = true;
export const EVENT_NAMES_MATCH: Same<(typeof API_EVENT_NAMES)[number], ApiEventName> = true;
