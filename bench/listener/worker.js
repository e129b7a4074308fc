// As bench/floor/worker.js: accepts the Port and does nothing with it.
chrome.runtime.onConnect.addListener(() => {});
