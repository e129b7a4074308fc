// The floor's service worker: accepts the Port and does nothing with it.
chrome.runtime.onConnect.addListener(() => {});
