// Part of the MAIN-world hook (src/page/hook.ts calls hookLongLived once at start): wraps EventSource like
// WebSocket (same compatibility bar: a Proxy of the native constructor, natives saved at start, null-prototype
// objects, trusted events only), and notes the workers a page starts (their sockets are out of reach).
// Inlined into the hook by the bundler; no imports but protocol constants and types.
import { CLOSE_ABNORMAL, CLOSE_NO_STATUS, DIR_RECEIVE, KIND_EVENTSOURCE, type PageContextType, type PageRecord } from '../protocol/page';

/** What the hook lends: its saved natives and its queue. */
export interface HookKit {
  win: Window & typeof globalThis;
  uncurry: (fn: (...args: never[]) => unknown) => (self: unknown, ...args: unknown[]) => unknown;
  weakGet: (map: WeakMap<object, unknown>, key: unknown) => unknown;
  weakSet: (self: unknown, ...args: unknown[]) => unknown;
  weakDelete: (self: unknown, ...args: unknown[]) => unknown;
  /** Drops the prototype of an array or object the hook built. */
  bare: <T extends object>(value: T) => T;
  getter: (proto: object, name: string) => (...args: never[]) => unknown;
  rethrow: (error: unknown, frame: unknown) => never;
  trusted: (event: unknown) => unknown;
  on: (target: EventTarget, type: string, listener: (this: never, event: never) => void, capture?: boolean) => void;
  /** Function.prototype.toString prints `source` for `wrapper`. */
  disguise: (wrapper: object, native: object) => void;
  replace: (owner: object, name: string, value: unknown) => void;
  stamp: () => number;
  nextId: () => number;
  /** Queues a record, filling its `at`. */
  record: (record: PageRecord) => void;
  /** Queues a received text message; `event` and `lastEventId` go in the batch's sparse `sse` column. */
  message: (id: number, dir: number, data: unknown, event: string, lastEventId: string) => void;
  pageRecord: (type: PageContextType, detail?: string) => void;
  /** The page's first connection of any kind: the hook takes its event natives and starts watching the page. */
  firstConnection: () => void;
  /** Same shape as the hook's socket states: the hook ends them at pagehide (a navigation close, recorded once). */
  alive: Record<string, { id: number; opened: boolean; ended?: boolean }>;
  opened: () => void;
  closed: () => void;
}

interface StreamState {
  id: number;
  opened: boolean;
  ended?: boolean;
  /** Named event types already listened to. */
  types: Record<string, 1>;
  onEvent: (event: Event) => void;
}

export function hookLongLived(kit: HookKit): void {
  const { win, uncurry, getter, rethrow, trusted, on, disguise, replace, stamp, record, weakGet, weakSet, weakDelete, bare } = kit;
  const { apply, construct } = Reflect;

  // ---- workers: the page starting one is recorded; what it does inside is not visible to a content script ----
  const NativeWorker = win.Worker;
  const workerHandler: ProxyHandler<typeof Worker> = {
    __proto__: null,
    construct(target, args, newTarget) {
      let worker: object;
      try {
        worker = construct(target, args, newTarget) as object;
      } catch (error) {
        return rethrow(error, workerHandler.construct);
      }
      try {
        // Only a primitive URL is read: converting an object would call the page's own toString a second time.
        const kind = target === NativeWorker ? 'Worker' : 'SharedWorker';
        const url = args[0];
        kit.pageRecord('worker', typeof url === 'string' ? kind + ' ' + url : kind);
      } catch {
        /* never let the hook break the page */
      }
      return worker;
    },
  } as ProxyHandler<typeof Worker>;
  const wrapWorker = (name: 'Worker' | 'SharedWorker') => {
    const Native = win[name] as unknown as typeof Worker;
    if (typeof Native !== 'function') return;
    const wrapped = new Proxy(Native, workerHandler);
    disguise(wrapped, Native);
    replace(win, name, wrapped);
    replace(Native.prototype, 'constructor', wrapped);
  };
  wrapWorker('Worker');
  wrapWorker('SharedWorker');

  // ---- EventSource ----
  const NativeEventSource = win.EventSource;
  if (typeof NativeEventSource !== 'function') return;
  const esProto = NativeEventSource.prototype;
  const states = new WeakMap<object, StreamState>();
  const stateOf = (es: unknown) => weakGet(states, es) as StreamState | undefined;
  // Taken at the first stream, like the hook's event natives (touching Event interfaces costs every page; a page
  // that redefines these getters before its first stream is the price, as for WebSocket).
  let readyState: (es: unknown) => number;
  let urlOf: (es: unknown) => string;
  let credentialsOf: (es: unknown) => boolean;
  let dataOf: (event: unknown) => unknown;
  let lastEventIdOf: (event: unknown) => string;
  let typeOf: (event: unknown) => string;
  let anyStream = false;

  const create = (state: StreamState, es: EventSource, after?: number) => {
    const id = kit.nextId();
    state.id = id;
    state.opened = false;
    kit.alive[id] = state;
    const created = { __proto__: null, k: 'create', id, time: stamp(), url: urlOf(es), protocols: bare([] as string[]), kind: KIND_EVENTSOURCE } as unknown as PageRecord & { k: 'create' };
    if (credentialsOf(es)) created.credentials = 1;
    if (after !== undefined) created.after = after;
    record(created);
  };
  const end = (state: StreamState, code: number) => {
    delete kit.alive[state.id];
    record({ __proto__: null, k: 'close', id: state.id, time: stamp(), code, reason: '', wasClean: false } as unknown as PageRecord);
    if (state.opened) kit.closed();
    state.opened = false;
  };

  function onOpen(this: EventSource, event: Event): void {
    try {
      const state = stateOf(this);
      if (!state || state.ended || !trusted(event)) return;
      state.opened = true;
      kit.opened();
      record({ __proto__: null, k: 'open', id: state.id, time: stamp(), protocol: '', extensions: '' } as unknown as PageRecord);
    } catch {
      /* never let the hook break the page */
    }
  }
  /**
   * readyState tells the two errors apart: CONNECTING, the browser reconnects by itself (a drop, or a failed attempt
   * that will be retried): this attempt ends as an abnormal close and the next one starts; CLOSED, it gave up.
   */
  function onError(this: EventSource, event: Event): void {
    try {
      const state = stateOf(this);
      if (!state || state.ended || !trusted(event)) return;
      record({ __proto__: null, k: 'error', id: state.id, time: stamp() } as unknown as PageRecord);
      const previous = state.id;
      end(state, CLOSE_ABNORMAL);
      if (readyState(this) === 0) create(state, this, previous);
      else weakDelete(states, this);
    } catch {
      /* never let the hook break the page */
    }
  }

  function track(es: EventSource): void {
    if (!anyStream) {
      anyStream = true;
      readyState = uncurry(getter(esProto, 'readyState')) as (es: unknown) => number;
      urlOf = uncurry(getter(esProto, 'url')) as (es: unknown) => string;
      credentialsOf = uncurry(getter(esProto, 'withCredentials')) as (es: unknown) => boolean;
      const messageProto = MessageEvent.prototype;
      dataOf = uncurry(getter(messageProto, 'data'));
      lastEventIdOf = uncurry(getter(messageProto, 'lastEventId')) as (event: unknown) => string;
      typeOf = uncurry(getter(Reflect.getPrototypeOf(messageProto) as object, 'type')) as (event: unknown) => string;
      kit.firstConnection();
    }
    const state = { __proto__: null, id: 0, opened: false, types: { __proto__: null } } as unknown as StreamState;
    // One listener per stream that knows its state: no lookup per event.
    state.onEvent = (event: Event) => {
      try {
        if (!state.ended && trusted(event)) kit.message(state.id, DIR_RECEIVE, dataOf(event), typeOf(event), lastEventIdOf(event));
      } catch {
        /* never let the hook break the page */
      }
    };
    weakSet(states, es, state);
    create(state, es);
    on(es, 'open', onOpen);
    on(es, 'message', state.onEvent as (event: never) => void);
    on(es, 'error', onError);
  }

  /**
   * Named events (`event: update`) are dispatched only to listeners of that type, and a page listens with
   * addEventListener (there is no `onupdate`). The first time the page listens to a new type on one of its streams,
   * the hook adds its own listener for it first, through the native: it then sees every event the page can see.
   * A type nobody listens to is seen by nobody, the hook included. EventTarget.prototype.addEventListener is
   * wrapped at start, not at the first stream, so that a reference the page saved earlier stays the same function;
   * until the page's first EventSource the trap only checks a flag.
   */
  function wrapAddEventListener(): void {
    const eventTargetProto = EventTarget.prototype;
    const native = eventTargetProto.addEventListener;
    const handler: ProxyHandler<typeof native> = {
      __proto__: null,
      apply(target, self: object, args: unknown[]) {
        if (anyStream) {
          try {
            const state = stateOf(self);
            const type = args[0];
            if (state && typeof type === 'string' && type !== 'message' && type !== 'open' && type !== 'error' && !state.types[type]) {
              state.types[type] = 1;
              on(self as EventTarget, type, state.onEvent as (event: never) => void);
            }
          } catch {
            /* never let the hook break the page */
          }
        }
        try {
          return apply(target, self, args);
        } catch (error) {
          return rethrow(error, handler.apply);
        }
      },
    } as ProxyHandler<typeof native>;
    const wrapped = new Proxy(native, handler);
    disguise(wrapped, native);
    replace(eventTargetProto, 'addEventListener', wrapped);
  }

  const constructHandler: ProxyHandler<typeof EventSource> = {
    __proto__: null,
    construct(target, args, newTarget) {
      let es: EventSource;
      try {
        es = construct(target, args, newTarget) as EventSource;
      } catch (error) {
        return rethrow(error, constructHandler.construct);
      }
      try {
        track(es);
      } catch {
        /* never let the hook break the page */
      }
      return es;
    },
  } as ProxyHandler<typeof EventSource>;
  // close(): no event follows, so the close is recorded here (no code: an EventSource has none).
  const closeHandler: ProxyHandler<EventSource['close']> = {
    __proto__: null,
    apply(target, es: EventSource, args: unknown[]) {
      let result: unknown;
      try {
        result = apply(target, es, args);
      } catch (error) {
        return rethrow(error, closeHandler.apply);
      }
      try {
        const state = stateOf(es);
        if (state && !state.ended) {
          weakDelete(states, es);
          record({ __proto__: null, k: 'closing', id: state.id, time: stamp() } as unknown as PageRecord);
          end(state, CLOSE_NO_STATUS);
        }
      } catch {
        /* never let the hook break the page */
      }
      return result;
    },
  } as ProxyHandler<EventSource['close']>;
  wrapAddEventListener();
  const WrappedEventSource = new Proxy(NativeEventSource, constructHandler);
  const wrappedClose = new Proxy(esProto.close, closeHandler);
  disguise(WrappedEventSource, NativeEventSource);
  disguise(wrappedClose, esProto.close);
  replace(win, 'EventSource', WrappedEventSource);
  replace(esProto, 'constructor', WrappedEventSource);
  replace(esProto, 'close', wrappedClose);
}
