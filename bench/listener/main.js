// The listener floor's MAIN-world script: what any recorder of received messages pays at the least, and no more.
// Every socket gets one `message` listener, added before the page's own as SocketScope's hook adds its, that counts
// the message and reads nothing of it. `--baseline=bench/listener` then leaves SocketScope's own recording
// (docs/performance.md, "What recording costs, apart from the listener"). A bench tool, not a model of the hook: the
// page can see this wrapper.
(() => {
  const Native = window.WebSocket;
  let _count = 0;
  const onMessage = () => {
    _count++;
  };
  window.WebSocket = new Proxy(Native, {
    construct(target, args, newTarget) {
      const ws = Reflect.construct(target, args, newTarget);
      ws.addEventListener('message', onMessage);
      return ws;
    },
  });
})();
