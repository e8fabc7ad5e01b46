/** One way of printing an event's badges; `fields` is JSON (see modules/badges/badge.types.ts). */
export interface BadgeLayoutsTable {
  id: string;
  org_id: string;
  event_id: string;
  name: string;
  page_size: string;
  fields: string;
  qr_size: string;
  qr_position: string;
  created_at: string;
  updated_at: string;
}
