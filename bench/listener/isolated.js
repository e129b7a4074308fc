// As bench/floor/isolated.js: the top frame opens a Port to the worker at once.
if (window === window.top) chrome.runtime.connect({ name: 'floor' });
