export * from './attendee-session.types.js';
export { endAttendeeSession, endParticipantSessions, resolveAttendeeSession, startAttendeeSession, type StartSessionInput } from './attendee-session.service.js';
