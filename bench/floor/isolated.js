// The floor's isolated-world script: injected where SocketScope's relay is; like the relay, the top frame
// opens a Port to the service worker at once (the relay says hello so the background sees every navigation).
if (window === window.top) chrome.runtime.connect({ name: 'floor' });
