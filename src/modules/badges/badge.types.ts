export type BadgePageSize = 'a6' | 'label_4x3in' | 'label_100x70mm';
export type BadgeQrSize = 'small' | 'medium' | 'large';
export type BadgeQrPosition = 'bottom' | 'right';

const MM = 72 / 25.4;

/** Sizes in PDF points (1/72 in), width first, as the printer's media is loaded. */
export const PAGE_SIZES: Record<BadgePageSize, { label: string; width: number; height: number }> = {
  a6: { label: 'A6 portrait (105 × 148 mm)', width: 105 * MM, height: 148 * MM },
  label_4x3in: { label: 'Label 4 × 3 in (102 × 76 mm)', width: 4 * 72, height: 3 * 72 },
  label_100x70mm: { label: 'Label 100 × 70 mm', width: 100 * MM, height: 70 * MM },
};
export const BADGE_PAGE_SIZES = Object.keys(PAGE_SIZES) as BadgePageSize[];

/**
 * QR side in millimetres. Even "small" keeps a module of a ~160-character code at about 0.5 mm,
 * which label printers at 203 dpi still print sharply and phone cameras read at arm's length.
 */
export const QR_SIZES: Record<BadgeQrSize, number> = { small: 26 * MM, medium: 33 * MM, large: 40 * MM };
export const BADGE_QR_SIZES = Object.keys(QR_SIZES) as BadgeQrSize[];
export const BADGE_QR_POSITIONS: BadgeQrPosition[] = ['bottom', 'right'];

/** Built-in sources; a custom field is `field:<key>`. */
export const BUILT_IN_SOURCES = ['first_name', 'last_name', 'full_name'] as const;
export type BuiltInSource = (typeof BUILT_IN_SOURCES)[number];
export const BUILT_IN_LABELS: Record<BuiltInSource, string> = { first_name: 'First name', last_name: 'Last name', full_name: 'First and last name' };

export const MIN_FONT_SIZE = 6;
export const MAX_FONT_SIZE = 72;
export const MAX_BADGE_FIELDS = 8;

export interface BadgeField {
  /** `first_name`, `last_name`, `full_name` or `field:<custom field key>`. */
  source: string;
  /** Font size in points; a value too wide for the badge is shrunk down to MIN_FONT_SIZE, then cut. */
  size: number;
  bold: boolean;
}

export interface BadgeLayout {
  /** null for the built-in layout used when the event has none. */
  id: string | null;
  eventId: string;
  name: string;
  pageSize: BadgePageSize;
  fields: BadgeField[];
  qrSize: BadgeQrSize;
  qrPosition: BadgeQrPosition;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface BadgeLayoutInput {
  name: string;
  pageSize: string;
  fields: Array<{ source: string; size: number; bold: boolean }>;
  qrSize: string;
  qrPosition: string;
}

/** What the built-in layout prints: the name large, then the company when the event has such a field. */
export function defaultLayout(eventId: string, customKeys: string[]): BadgeLayout {
  const company = customKeys.find((key) => key === 'company' || key === 'organisation' || key === 'organization');
  const fields: BadgeField[] = [
    { source: 'first_name', size: 28, bold: true },
    { source: 'last_name', size: 20, bold: false },
  ];
  if (company) fields.push({ source: `field:${company}`, size: 14, bold: false });
  return { id: null, eventId, name: 'Standard A6', pageSize: 'a6', fields, qrSize: 'large', qrPosition: 'bottom', createdAt: null, updatedAt: null };
}
