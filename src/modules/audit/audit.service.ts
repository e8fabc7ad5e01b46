import type { AuditLogTable, Db } from '../../db/database.js';
import type { Actor, Ctx } from '../../lib/context.js';
import { newId } from '../../lib/ids.js';
import { findAuditEntries, insertAuditEntries, type AuditQuery } from './audit.repository.js';

export interface AuditEntry {
  id: string;
  orgId: string | null;
  actor: { type: Actor['type']; id: string | null; label: string | null };
  action: string;
  target: { type: string; id: string } | null;
  ip: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

// Defence in depth: whatever a caller passes, values under these keys never reach the log.
const SECRET_KEY = /pass(word)?|secret|token|api[_-]?key|code|hash|cookie|authorization/i;

function scrub(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (SECRET_KEY.test(key)) continue;
    out[key] = value && typeof value === 'object' && !Array.isArray(value) ? scrub(value as Record<string, unknown>) : value;
  }
  return out;
}

export interface AuditInput {
  orgId: string | null;
  action: string;
  target?: { type: string; id: string } | null;
  data?: Record<string, unknown>;
}

function auditRow(ctx: Ctx, actor: Actor, input: AuditInput, createdAt: string): AuditLogTable {
  return {
    id: newId(ctx.clock, ctx.random),
    org_id: input.orgId,
    actor_type: actor.type,
    actor_id: actor.id,
    actor_label: actor.label,
    action: input.action,
    target_type: input.target?.type ?? null,
    target_id: input.target?.id ?? null,
    ip: actor.ip,
    data: JSON.stringify(scrub(input.data ?? {})),
    created_at: createdAt,
  };
}

/** Writes one audit entry, inside the caller's transaction so the entry and the change agree. */
export async function audit(db: Db, ctx: Ctx, actor: Actor, input: AuditInput): Promise<void> {
  await insertAuditEntries(db, [auditRow(ctx, actor, input, ctx.clock.now().toISOString())]);
}

export async function listAuditEntries(db: Db, query: AuditQuery): Promise<AuditEntry[]> {
  const rows = await findAuditEntries(db, query);
  return rows.map((row) => ({
    id: row.id,
    orgId: row.org_id,
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    action: row.action,
    target: row.target_type && row.target_id ? { type: row.target_type, id: row.target_id } : null,
    ip: row.ip,
    data: JSON.parse(row.data) as Record<string, unknown>,
    createdAt: row.created_at,
  }));
}

/** Many entries in few statements, for bulk paths (an API bulk upsert audits every participant). */
export async function auditMany(db: Db, ctx: Ctx, actor: Actor, inputs: AuditInput[]): Promise<void> {
  const createdAt = ctx.clock.now().toISOString();
  const rows = inputs.map((input) => auditRow(ctx, actor, input, createdAt));
  for (let i = 0; i < rows.length; i += 500) await insertAuditEntries(db, rows.slice(i, i + 500));
}
