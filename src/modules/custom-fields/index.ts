export * from './custom-field.types.js';
export { createCustomField, deleteCustomField, getCustomField, listCustomFields, updateCustomField } from './custom-field.service.js';
export { checkFieldValue, isCountryCode, searchableValue, type FieldCheck } from './field-value.js';
