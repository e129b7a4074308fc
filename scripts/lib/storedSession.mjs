// What the demo prints of a tab's stored session (storage.session, as src/core/stored.ts writes it), read in
// plain node: the page URL, and per connection its id, close and last message time. The stored form is one
// JSON string per tab with messages as columns, the older ones in chunks under keys of their own; older builds
// stored the object itself: both are read. test/unit/demoStored.test.ts reads what the real writer writes.

/** The time of the last message of `columns` (a chunk or a connection's inline `m`), epoch ms. */
function lastTime(columns) {
  const last = columns.time.at(-1);
  // `t`: the first message's time in whole epoch microseconds, `time` the microseconds after it (decision 59).
  return typeof columns.t === 'number' ? (columns.t + last) / 1000 : last;
}

/** The first stored tab whose page URL starts with `pageUrlPrefix`, from `stored` (all of storage.session). */
export function readStoredSession(stored, pageUrlPrefix) {
  for (const [key, raw] of Object.entries(stored)) {
    if (!key.startsWith('tab:')) continue;
    let value = raw;
    try {
      if (typeof raw === 'string') value = JSON.parse(raw);
    } catch {
      continue;
    }
    const session = value?.session;
    if (!session?.pageUrl?.startsWith(pageUrlPrefix)) continue;
    const connections = (session.connections ?? []).map((connection) => {
      let lastMessageAt;
      if (connection.messages) lastMessageAt = connection.messages.at(-1)?.time;
      else if (connection.m?.time.length) lastMessageAt = lastTime(connection.m);
      else {
        // Messages inline (m), after those in chunks (k: [key, count] pairs, in order): the last one is in m, or in the last chunk.
        const lastChunk = connection.k?.at(-1);
        if (lastChunk && typeof stored[lastChunk[0]] === 'string') lastMessageAt = lastTime(JSON.parse(stored[lastChunk[0]]));
      }
      return { id: connection.id, close: connection.close, lastMessageAt };
    });
    return { tabId: Number(key.slice(4)), session: { pageUrl: session.pageUrl, connections } };
  }
  return undefined;
}
