import type { CustomFieldType, FieldValue } from '../custom-fields/index.js';

/** What a participant's card shares besides the name, which every card carries. */
export interface CardSettings {
  email: boolean;
  /** Custom field keys of the event, in the event's field order. */
  fields: string[];
  /** False while the participant never saved settings: the defaults apply. */
  saved: boolean;
}

export interface CardField {
  key: string;
  label: string;
  type: CustomFieldType;
  value: FieldValue;
}

/** A business card as another attendee sees it: only what its owner shares, at this moment. */
export interface Card {
  name: string;
  email: string | null;
  fields: CardField[];
}

export interface CollectedCard {
  exchangeId: string;
  collectedAt: string;
  note: string;
  card: Card;
}

/** Someone who collected my card: their name and when, nothing else of theirs. */
export interface Collector {
  name: string;
  collectedAt: string;
}

export interface CollectResult {
  exchangeId: string;
  /** False when this card was already collected: nothing new was written. */
  created: boolean;
  collectedAt: string;
  card: Card;
}

export const MAX_NOTE_LENGTH = 2000;
