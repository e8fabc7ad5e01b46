import type { CustomFieldType } from '../../db/database.js';

export type { CustomFieldType };
export const FIELD_TYPES: readonly CustomFieldType[] = [
  'text',
  'long_text',
  'email',
  'phone',
  'country',
  'date',
  'single_choice',
  'multiple_choice',
  'checkbox',
];

export interface CustomField {
  id: string;
  eventId: string;
  key: string;
  label: string;
  type: CustomFieldType;
  required: boolean;
  options: string[];
  position: number;
}

export interface CustomFieldInput {
  key: string;
  label: string;
  type: CustomFieldType;
  required?: boolean | undefined;
  options?: string[] | undefined;
}

export type FieldValue = string | string[] | boolean;
export type FieldValues = Record<string, FieldValue>;

/** Keys used by the participant itself; custom fields cannot shadow them. */
export const RESERVED_KEYS = ['email', 'first_name', 'last_name', 'status', 'id', 'created_at', 'updated_at'];

export const MAX_LENGTH: Record<CustomFieldType, number> = {
  text: 500,
  long_text: 5000,
  email: 254,
  phone: 40,
  country: 2,
  date: 10,
  single_choice: 200,
  multiple_choice: 2000,
  checkbox: 5,
};
