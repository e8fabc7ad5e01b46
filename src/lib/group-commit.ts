/**
 * Group commit: items that arrive while a write is running go into the next write, so callers who
 * each need "mine is stored" share one transaction or one statement instead of paying for one each.
 * Every caller's promise settles only once the write holding its item has finished (or failed).
 * The first write waits one turn of the event loop, so that items from the same turn join it.
 */
export function groupCommit<T>(write: (items: T[]) => Promise<void>, maxItems = 200): (item: T) => Promise<void> {
  let queue: Array<{ item: T; done: (err?: unknown) => void }> = [];
  let running = false;
  const flush = async () => {
    while (queue.length > 0) {
      const group = queue.slice(0, maxItems);
      queue = queue.slice(group.length);
      try {
        await write(group.map((entry) => entry.item));
        for (const entry of group) entry.done();
      } catch (err) {
        for (const entry of group) entry.done(err);
      }
    }
    running = false;
  };
  return (item: T) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ item, done: (err) => (err ? reject(err) : resolve()) });
      if (running) return;
      running = true;
      setImmediate(() => void flush());
    });
}
