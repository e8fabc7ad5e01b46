/**
 * What a new password must be: 8 to 200 characters, not one of the most common passwords, not a
 * sequence or repetition, not made of the person's own name or address. Returns why not, or null.
 */
const COMMON = new Set(
  `password password1 password12 password123 passw0rd 12345678 123456789 1234567890 87654321 11111111 00000000 12341234
  qwertyui qwertyuiop qwerty123 qwerty12 azertyuiop azerty123 asdfghjk asdfghjkl 1q2w3e4r 1qaz2wsx zaq12wsx iloveyou
  iloveyou1 welcome1 welcome123 letmein1 letmein123 sunshine princess football baseball dragon123 monkey123 trustno1
  changeme changeme1 admin123 administrator secret123 master123 superman batman123 starwars whatever computer internet
  michelle jennifer shadow12 abc12345 abcd1234 a1b2c3d4 motdepasse soleil123 bonjour1 hello123 helloworld tickets1
  ticket123 concert1 festival letmein! p@ssw0rd p@ssword passpass testtest test1234 temp1234 guest123 login123`.split(/\s+/).filter(Boolean),
);

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;

function simplePattern(value: string): boolean {
  const chars = [...value];
  const steps = new Set(chars.slice(1).map((c, i) => c.charCodeAt(0) - chars[i]!.charCodeAt(0)));
  if (steps.size === 1 && [0, 1, -1].includes([...steps][0]!)) return true;
  for (let size = 1; size <= chars.length / 2; size++) {
    if (chars.length % size === 0 && chars.slice(0, size).join('').repeat(chars.length / size) === value) return true;
  }
  return false;
}

export function weakPasswordReason(password: string, personal: readonly string[] = []): string | null {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'This password is one of the most common ones: choose another.';
  if (simplePattern(lower)) return 'This password is a simple sequence or repetition: choose another.';
  const words = personal.flatMap((text) => text.toLowerCase().split(/[^a-z0-9]+/)).filter((w) => w.length >= 4);
  if (words.some((w) => lower.includes(w) && lower.length - w.length < 4)) return 'This password is mostly your name or email address: choose another.';
  return null;
}
