// The hook timed as an inline script (bench/run.mjs in Chromium, bench/firefox-startup.mjs in Firefox): run in the page
// by the driver's evaluate, so it must be self-contained. Sample `i`'s texts carry a unique comment, which defeats the
// browser's compilation cache: every sample is a cold compile, as on a user's first page.

/** The two scripts of sample `i`: the hook, and an empty script of the same length (the DOM's own cost of running one). */
export function inlineSample(source, i) {
  return [`${source}\n// sample ${i} ${Math.random()}`, `/*${' '.repeat(source.length)}*/ // empty ${i} ${Math.random()}`];
}

/** In the page: appends the empty script, then the hook, each as an inline script, timing each append (parse, compile, run). */
export function timeInlineScripts([text, filler]) {
  const time = (code) => {
    const script = document.createElement('script');
    script.textContent = code;
    const start = performance.now();
    document.head.appendChild(script);
    return performance.now() - start;
  };
  const emptyMs = time(filler);
  return { emptyMs, hookMs: time(text), isolated: crossOriginIsolated };
}
