import { createRequire } from 'node:module';
import type * as LiquidJs from 'liquidjs';
import type { Liquid, Template } from 'liquidjs';
import { compileFast, printEscaped, printPlain, renderFast, type FastTemplate } from './liquid-fast.js';

/**
 * Organiser-written templates run in a sandbox: templates see only the values we hand them
 * (own properties only, so no `constructor` or `__proto__`), unknown filters are errors, nothing
 * is read from disk (include, render and layout do not exist), and parse size, render time and
 * allocations are bounded so a template cannot stall the worker.
 */
const LIMITS = { parseLimit: 1_000_000, renderLimit: 1_000, memoryLimit: 10_000_000 };
const REMOVED_TAGS = ['include', 'render', 'layout'];

function sandboxed(outputEscape: 'escape' | ((value: unknown) => string) | undefined): Liquid {
  const { Liquid } = createRequire(import.meta.url)('liquidjs') as typeof LiquidJs;
  const engine = new Liquid({
    ...LIMITS,
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    ...(outputEscape ? { outputEscape } : {}),
    templates: {},
    relativeReference: false,
    dynamicPartials: false,
    cache: false,
  });
  for (const tag of REMOVED_TAGS) delete engine.tags[tag];
  // `raw` would let one output skip HTML escaping, and outputs carry attendee data.
  delete engine.filters['raw'];
  return engine;
}

// Built at first use: liquidjs costs ~13 MB of resident memory, which an idle server need not pay.
let html: Liquid | null = null;
let text: Liquid | null = null;
/** HTML bodies: every output is HTML-escaped, whatever its source. */
export const htmlEngine = (): Liquid => (html ??= sandboxed('escape'));
/** Subjects and plain-text bodies: not HTML, so nothing to escape. */
export const textEngine = (): Liquid => (text ??= sandboxed(undefined));
/** The same sandbox with every output passed through `outputEscape` (derived-text.ts checks values with it). */
export const sandboxedEngine = (outputEscape: (value: unknown) => string): Liquid => sandboxed(outputEscape);

export type Part = 'subject' | 'html' | 'text';
export const PART_LABEL: Record<Part, string> = { subject: 'Subject', html: 'HTML body', text: 'Text body' };

export function engineFor(part: Part): Liquid {
  return part === 'html' ? htmlEngine() : textEngine();
}

export interface VariableUse {
  /** Root name and path, e.g. ['fields', 'company']; a nested variable path is given as '*'. */
  segments: string[];
  part: Part;
  row: number;
}

/** Every variable the template reads from outside (not assigned inside it), with where. */
export function globalVariables(engine: Liquid, parsed: Template[], part: Part): VariableUse[] {
  const analysis = engine.analyzeSync(parsed, { partials: false });
  const uses: VariableUse[] = [];
  for (const variables of Object.values(analysis.globals)) {
    for (const variable of variables) {
      const segments = variable.segments.map((s) => (typeof s === 'object' ? '*' : String(s)));
      uses.push({ segments, part, row: variable.location.row });
    }
  }
  return uses;
}

export interface CompiledPart {
  part: Part;
  parsed: Template[];
  roots: Set<string>;
  /** The same template cut for liquid-fast.ts; null when it always renders through liquidjs. */
  fast: FastTemplate | null;
}

export function compilePart(part: Part, source: string): CompiledPart {
  const engine = engineFor(part);
  const parsed = engine.parse(source);
  const roots = new Set(globalVariables(engine, parsed, part).map((use) => use.segments[0] ?? ''));
  return { part, parsed, roots, fast: compileFast(engine, source) };
}

/** Renders a compiled part with its engine: what `renderSync` gives, faster for plain templates. */
export function renderPart(compiled: CompiledPart, scope: Record<string, unknown>): string {
  const engine = engineFor(compiled.part);
  const print = compiled.part === 'html' ? printEscaped : printPlain;
  return (compiled.fast && renderFast(compiled.fast, engine, scope, print)) ?? String(engine.renderSync(compiled.parsed, scope));
}
