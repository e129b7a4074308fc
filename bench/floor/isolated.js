// The floor's isolated-world script: injected where SocketScope's relay is. Its top frame opens a Port to the worker
// at once, as the relay did until docs/decisions.md 71 (now it connects with a page's first socket, or a task after its
// start while something reads the tab); kept so that the floor's figures stay comparable. On a page without sockets the
// floor therefore does a little more than SocketScope (bench:firefox-startup measured its Port at a few ms in Firefox).
if (window === window.top) chrome.runtime.connect({ name: 'floor' });
