export * from './event.types.js';
export { createEvent, getEvent, getPublicEvent, isTimeZone, updateEvent } from './event.service.js';
export { findEvents as listEvents, findEventsPage as listEventsPage } from './event.repository.js';
export { updateEventAccess, type EventAccessInput } from './event-access.js';
export { onEventCreated, type EventCreatedHook } from './event-hooks.js';
