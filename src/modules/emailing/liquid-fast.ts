import { createRequire } from 'node:module';
import type * as LiquidJs from 'liquidjs';
import type { Liquid, Template } from 'liquidjs';

/**
 * A faster way through liquidjs for what email templates mostly are: markup and plain variables.
 * liquidjs evaluates every `{{ first_name }}` through its generator machinery (~3 µs each, and a
 * campaign renders the same template's outputs millions of times); here a template is cut once
 * into static text, plain variable reads (`{{ name }}`, `{{ fields.key }}`, no filters) and
 * chunks left to liquidjs (blocks, outputs with filters), all chunks of one render sharing one
 * liquidjs Context, so the time and memory limits hold for the whole template as before.
 *
 * What liquidjs would print is what this prints: a read follows liquidjs's rules for our scopes
 * (own properties only, nil prints nothing), and a value of any other shape than string, number,
 * boolean or nil sends the whole render back to liquidjs. Templates with tags that keep state
 * between parts (assign, capture, counters, break at top level, comments of tags) are not cut.
 */
type Read = { root: string; key: string | null };
/** `{% if read %}`, `{% if read == "text" %}`, `{% if read != "text" %}` */
type Test = { read: Read; equals: string | null; negate: boolean };
type Choice = { branches: Array<{ test: Test; body: Segment[] }>; otherwise: Segment[] };
type Segment = string | Read | Choice | Template[];
export interface FastTemplate {
  segments: Segment[];
}

const IDENTIFIER = '[A-Za-z_][A-Za-z0-9_]*';
const READ = `(${IDENTIFIER})(?:\\.(${IDENTIFIER}))?`;
const PLAIN_READ = new RegExp(`^${READ}$`);
const SIMPLE_TEST = new RegExp(`^${READ}(?:\\s*(==|!=)\\s*(?:"([^"\\\\]*)"|'([^'\\\\]*)'))?$`);
// liquidjs answers these from the object's shape (a count, an element), not from a property.
const COMPUTED = new Set(['size', 'first', 'last']);
// Literals in liquidjs, not variables (and names starting like one, to stay clear of its tokenizer).
const LITERAL = /^(?:true|false|nil|null|empty|blank)/;
const BLOCKS = new Set(['if', 'unless', 'case', 'for', 'tablerow', 'raw']);
const BRANCHES = new Set(['elsif', 'else', 'when']);
const STATEFUL = new Set(['assign', 'capture', 'increment', 'decrement', 'liquid', 'comment']);

let lib: typeof LiquidJs | null = null;
const liquidjs = () => (lib ??= createRequire(import.meta.url)('liquidjs') as typeof LiquidJs);

interface Token {
  kind: number;
  begin: number;
  end: number;
  name?: string;
  args?: string;
  content?: string;
  getContent?(): string;
}

function plainRead(root: string | undefined, key: string | undefined): Read | null {
  if (!root || LITERAL.test(root) || COMPUTED.has(root) || COMPUTED.has(key ?? '')) return null;
  return { root, key: key ?? null };
}

function simpleTest(args: string): Test | null {
  const m = SIMPLE_TEST.exec(args.trim());
  const read = m && plainRead(m[1], m[2]);
  if (!m || !read) return null;
  return { read, equals: m[3] ? (m[4] ?? m[5] ?? '') : null, negate: m[3] === '!=' };
}

class Cutter {
  /** For each block tag: the index of its end tag, and of its elsif/else/when tags. */
  private readonly ends = new Map<number, number>();
  private readonly branches = new Map<number, number[]>();

  constructor(
    private readonly engine: Liquid,
    private readonly source: string,
    private readonly tokens: Token[],
    private readonly tagKind: number,
  ) {}

  /** Pairs block tags; false when a tag keeps state between parts of the template, or they do not pair. */
  pair(): boolean {
    const open: number[] = [];
    for (const [i, token] of this.tokens.entries()) {
      if (token.kind !== this.tagKind) continue;
      const name = token.name!;
      if (STATEFUL.has(name)) return false;
      if (BLOCKS.has(name)) {
        open.push(i);
        this.branches.set(i, []);
      } else if (BRANCHES.has(name) && open.length > 0) this.branches.get(open.at(-1)!)!.push(i);
      else if (name.startsWith('end') && BLOCKS.has(name.slice(3))) {
        const start = open.pop();
        if (start === undefined) return false;
        this.ends.set(start, i);
      }
    }
    return open.length === 0;
  }

  /** Segments for tokens [from, to); null when a top-level tag would stop or alter what follows. */
  cut(from: number, to: number): Segment[] | null {
    const segments: Segment[] = [];
    for (let i = from; i < to; i += 1) {
      const token = this.tokens[i]!;
      if (token.kind === this.tagKind) {
        const end = this.ends.get(i);
        if (end === undefined) {
          if (token.name === '#') continue;
          return null; // break, continue, cycle, echo ... at the top: left to liquidjs whole
        }
        segments.push((token.name === 'if' && this.choice(i, end)) || this.chunk(token.begin, this.tokens[end]!.end));
        i = end;
      } else if (token.getContent) segments.push(token.getContent());
      else {
        const m = PLAIN_READ.exec(token.content!);
        segments.push((m && plainRead(m[1], m[2])) || this.chunk(token.begin, token.end));
      }
    }
    return segments;
  }

  private choice(open: number, end: number): Choice | null {
    const marks = [open, ...this.branches.get(open)!, end];
    const choice: Choice = { branches: [], otherwise: [] };
    for (let k = 0; k + 1 < marks.length; k += 1) {
      const tag = this.tokens[marks[k]!]!;
      const body = this.cut(marks[k]! + 1, marks[k + 1]!);
      if (!body) return null;
      if (tag.name === 'else') {
        choice.otherwise = body;
        continue;
      }
      const test = simpleTest(tag.args!);
      if (!test) return null;
      choice.branches.push({ test, body });
    }
    return choice;
  }

  private chunk(begin: number, end: number): Template[] {
    return this.engine.parse(this.source.slice(begin, end));
  }
}

/** Cuts a template once; null when it should always render through liquidjs. */
export function compileFast(engine: Liquid, source: string): FastTemplate | null {
  const { Tokenizer, TokenKind } = liquidjs();
  const tokens = new Tokenizer(source, engine.options.operators).readTopLevelTokens(engine.options) as unknown as Token[];
  const cutter = new Cutter(engine, source, tokens, TokenKind.Tag);
  const segments = cutter.pair() ? cutter.cut(0, tokens.length) : null;
  return segments && { segments };
}

const GIVE_UP = Symbol('give up');
const own = (object: object, key: string): unknown => (Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined);

function read(scope: Record<string, unknown>, { root, key }: Read): unknown {
  let value = own(scope, root);
  if (key !== null) {
    if (value === undefined || value === null) return value;
    if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return GIVE_UP;
    value = own(value, key);
  }
  const printable = value === undefined || value === null || ['string', 'number', 'boolean'].includes(typeof value);
  return printable ? value : GIVE_UP;
}

/** liquidjs's truthiness (only false and nil are false) and its `==` on plain values. */
function passes(scope: Record<string, unknown>, test: Test): boolean | typeof GIVE_UP {
  const value = read(scope, test.read);
  if (value === GIVE_UP) return GIVE_UP;
  const result = test.equals === null ? value !== false && value !== undefined && value !== null : value === test.equals;
  return test.negate ? !result : result;
}

class Render {
  out = '';
  private context: LiquidJs.Context | null = null;

  constructor(
    private readonly engine: Liquid,
    private readonly scope: Record<string, unknown>,
    private readonly print: (value: unknown) => string,
  ) {}

  /** False when a value's shape needs liquidjs's own rendering. */
  segments(segments: Segment[]): boolean {
    for (const segment of segments) {
      if (typeof segment === 'string') this.out += segment;
      else if (Array.isArray(segment)) {
        this.context ??= new (liquidjs().Context)(this.scope, this.engine.options, { sync: true }, { liquid: this.engine });
        this.out += String(this.engine.renderSync(segment, this.context));
      } else if ('branches' in segment) {
        if (!this.choice(segment)) return false;
      } else {
        const value = read(this.scope, segment);
        if (value === GIVE_UP) return false;
        this.out += this.print(value);
      }
    }
    return true;
  }

  private choice(choice: Choice): boolean {
    for (const { test, body } of choice.branches) {
      const passed = passes(this.scope, test);
      if (passed === GIVE_UP) return false;
      if (passed) return this.segments(body);
    }
    return this.segments(choice.otherwise);
  }
}

/**
 * Renders a cut template; `print` turns a plain value into output as the engine's output escape
 * would (escaping for HTML). Null when a value's shape needs liquidjs's own rendering.
 */
export function renderFast(fast: FastTemplate, engine: Liquid, scope: Record<string, unknown>, print: (value: unknown) => string): string | null {
  const render = new Render(engine, scope, print);
  return render.segments(fast.segments) ? render.out : null;
}

/** liquidjs's `escape` filter, which its HTML output escape applies. */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
export const printEscaped = (value: unknown): string => printPlain(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
/** A plain value as liquidjs prints it. */
export const printPlain = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
