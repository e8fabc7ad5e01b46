/**
 * Refuses codes a person might choose that an attacker would try first. Compared after
 * normalising (upper case, separators removed). The list is short on purpose: with at most ten
 * tries before growing waits, only the very top of the guessing order matters.
 */
const COMMON = new Set(
  `PASSWORD PASSWORD1 PASSWORD12 PASSWORD123 PASSW0RD P4SSWORD 12345678 123456789 1234567890 87654321 11111111 00000000
  12341234 11223344 12121212 ABCD1234 ABC12345 A1B2C3D4 QWERTYUI QWERTYUIOP QWERTY12 QWERTY123 AZERTYUI AZERTY12 ASDFGHJK
  ZXCVBNM1 ILOVEYOU ILOVEYOU1 WELCOME1 WELCOME123 LETMEIN1 LETMEIN123 SUNSHINE PRINCESS FOOTBALL BASEBALL DRAGON12 MONKEY12
  IWANTIN1 CHANGEME CHANGEME1 ADMIN123 ADMINISTRATOR TRUSTNO1 SECRET12 SECRET123 MASTER12 PASSCODE ACCESSCODE ACCESS123
  EVENT123 EVENT2026 EVENT2027 TICKET12 TICKET123 SPRING26 SUMMER26 AUTUMN26 WINTER26 CONFERENCE 2026EVENT 20262026 01012026
  GUEST123 GUESTGUEST VISITOR1 ATTENDEE ATTENDEE1 PARTICIPANT MEMBER12 DEFAULT1 DEFAULT123 TEMPORARY TEMP1234 TESTTEST TEST1234
  TESTING1 TESTING123 HELLO123 HELLOWORLD 1Q2W3E4R 1QAZ2WSX ZAQ12WSX QAZWSXEDC PASSWORD2026 LOGIN123 MYPASSWORD`.split(/\s+/).filter(Boolean),
);

const ROWS = ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM', 'AZERTYUIOP', 'QSDFGHJKLM', 'WXCVBN', '1234567890', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];

function runOfOneStep(code: string): boolean {
  const steps = new Set<number>();
  for (let i = 1; i < code.length; i++) steps.add(code.charCodeAt(i) - code.charCodeAt(i - 1));
  return steps.size === 1 && [0, 1, -1].includes([...steps][0]!);
}

function repeatsShortPattern(code: string): boolean {
  for (let size = 1; size <= Math.floor(code.length / 2); size++) {
    if (code.length % size === 0 && code.slice(0, size).repeat(code.length / size) === code) return true;
  }
  return false;
}

function onKeyboardOrAlphabet(code: string): boolean {
  return ROWS.some((row) => row.includes(code) || [...row].reverse().join('').includes(code));
}

/**
 * Why a chosen code is too easy to guess, or null. `personal` holds words an attacker knows about
 * this person and event (email name, event name): a code made of them is refused too.
 */
export function trivialReason(code: string, personal: readonly string[]): string | null {
  if (COMMON.has(code)) return 'This code is on the list of the most common codes and passwords.';
  if (runOfOneStep(code) || repeatsShortPattern(code) || onKeyboardOrAlphabet(code)) return 'This code is a simple sequence or repetition.';
  const words = personal.flatMap((text) => text.normalize('NFKD').toUpperCase().split(/[^A-Z0-9]+/));
  if (words.some((w) => w.length >= 4 && code.includes(w))) return 'This code contains your name, email or the event name.';
  return null;
}
