export * from './lead.types.js';
export { cardOf, defaultSettings } from './card.js';
export { collectLead, getCardSettings, getCollectedCard, listCollectedCards, listCollectors, MAX_CARDS, setCardSettings, setLeadNote } from './lead.service.js';
