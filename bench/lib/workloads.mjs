// The capture workloads: what each page does, and the URL that runs it by itself (bench/pages/*.html,
// which report their timings to the bench server). Shared by run.mjs and threads.mjs.
// Limits (pageLimit, cpuLimit) are with ÷ without; run.mjs explains them.
export const WORKLOADS = [
  { name: 'recv-text', title: 'receive 50k text messages of 100 B', kind: 'receive', count: 50_000, size: 100, binary: false, pageLimit: 1.1, cpuLimit: 1.15 },
  { name: 'recv-binary', title: 'receive 2k binary messages of 64 KiB as ArrayBuffers', kind: 'receive', count: 2_000, size: 65_536, binary: true, binaryType: 'arraybuffer', pageLimit: 1.05, cpuLimit: 1.05 },
  { name: 'recv-blob', title: 'receive 2k binary messages of 64 KiB as Blobs (the default binaryType)', kind: 'receive', count: 2_000, size: 65_536, binary: true, binaryType: 'blob', pageLimit: 1.1, cpuLimit: 1.05 },
  // Small Blobs: what a binary protocol on the default binaryType receives; every preview within the budget is a read (docs/decisions.md, 75).
  { name: 'recv-blob-small', title: 'receive 2k binary messages of 1 KiB as Blobs', kind: 'receive', count: 2_000, size: 1024, binary: true, binaryType: 'blob', pageLimit: 1.1, cpuLimit: 1.05 },
  // Blobs at the largest size a held document still reads (docs/decisions.md, 78). `optIn`: run only when named
  // (`--only=recv-blob-16k`, or `bench:threads -- --workload=recv-blob-16k`), not in a default run.
  { name: 'recv-blob-16k', title: 'receive 2k binary messages of 16 KiB as Blobs', kind: 'receive', count: 2_000, size: 16_384, binary: true, binaryType: 'blob', pageLimit: 1.1, cpuLimit: 1.05, optIn: true },
  // Small Blobs in a flood (protobuf, MessagePack, CBOR frames of 100 B): what the held document's count of Blob reads
  // bounds, where the character budget alone let thousands through (docs/decisions.md, 81). `optIn`, as above.
  { name: 'recv-blob-tiny', title: 'receive 10k binary messages of 100 B as Blobs', kind: 'receive', count: 10_000, size: 100, binary: true, binaryType: 'blob', pageLimit: 1.1, cpuLimit: 1.05, optIn: true },
  // ArrayBuffers read by the page (the first 1 KiB of each decoded as text): a page whose handler allocates, as a
  // real protocol's does, and so collects its young generation during the flood. `optIn`, as above.
  { name: 'recv-binary-decode', title: 'receive 2k binary messages of 64 KiB as ArrayBuffers, each one\'s first 1 KiB decoded by the page', kind: 'receive', count: 2_000, size: 65_536, binary: true, binaryType: 'arraybuffer', decode: 1024, pageLimit: 1.05, cpuLimit: 1.05, optIn: true },
  // 1 KiB Blobs each read by the page (`arrayBuffer()`), as a page on the default binaryType must to use a message; its
  // page time runs to the last read's result. What a real Blob protocol pays, beside recv-blob-small's page that only
  // touches each Blob's size. `optIn`, as above.
  { name: 'recv-blob-small-read', title: 'receive 2k binary messages of 1 KiB as Blobs, each read by the page', kind: 'receive', count: 2_000, size: 1024, binary: true, binaryType: 'blob', read: true, pageLimit: 1.1, cpuLimit: 1.05, optIn: true },
  { name: 'send-text', title: 'send 50k text messages of 100 B', kind: 'send', count: 50_000, size: 100, pageLimit: 1.1, cpuLimit: 1.15 },
  // What the extension costs a page whatever its traffic (content scripts, the relay's port, the handshake, a write):
  // the floor under every other workload's CPU. Information, not a target: its page time is a millisecond.
  // A tab at its cap (the blast fills it) that keeps receiving a message every 100 ms for 5 s: what keeping a
  // long session costs while it goes on (each persist used to write the whole tab again). Information: its page time is the trickle's.
  { name: 'steady-full', title: 'a tab at its cap receiving 10 messages a second for 5 s (information)', kind: 'receive', count: 40_000, then: 50, every: 100, size: 100, binary: false, info: true, pageLimit: Infinity, cpuLimit: Infinity },
  { name: 'recv-one', title: 'fixed cost: open a socket, receive one 100 B message (information)', kind: 'receive', count: 1, size: 100, binary: false, info: true, pageLimit: Infinity, cpuLimit: Infinity },
];

/** Page time's limit under --busy (each workload's own, when higher, stands). */
export const BUSY_PAGE_LIMIT = 1.15;

/** Workload w's page-time limit under `load` ('quiet' or 'busy'). */
export function pageLimitOf(w, load) {
  return load === 'busy' ? Math.max(w.pageLimit, BUSY_PAGE_LIMIT) : w.pageLimit;
}

/** The page time of one run, from the page's report (bench/pages/*.html): go to the last message received, or the first send to the server's confirmation. */
export function pageMsOf(w, report) {
  return w.kind === 'send' ? report.startToConfirmMs : report.goToLastMs;
}

/** The page that runs workload w once, reporting under runId (server: lib/server.mjs, with w's frames prepared). */
export function workloadUrl(server, w, runId) {
  if (w.kind === 'send') {
    const socketUrl = `${server.wsOrigin}/sink?expect=${w.count}`;
    return `${server.origin}/send.html?run=${runId}&ws=${encodeURIComponent(socketUrl)}&autorun=${w.count}&size=${w.size}`;
  }
  const socketUrl = `${server.wsOrigin}/blast?count=${w.count}&size=${w.size}&binary=${w.binary ? 1 : 0}${w.then ? `&then=${w.then}&every=${w.every}` : ''}`;
  return `${server.origin}/recv.html?run=${runId}&ws=${encodeURIComponent(socketUrl)}&binaryType=${w.binaryType ?? 'arraybuffer'}${w.decode ? `&decode=${w.decode}` : ''}${w.read ? '&read=1' : ''}&autorun=${w.count + (w.then ?? 0)}`;
}
