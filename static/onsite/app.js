/* Every page of the day: installs the service worker, gives it the files of this page to keep,
   shows whether the phone is online and, without network, that the page is the last version
   seen. (A static file: the site's Content-Security-Policy allows no inline script.) */
(function () {
  "use strict";
  var body = document.body;
  var net = document.querySelector(".onsite-network");
  var stale = document.querySelector(".onsite-stale");

  function show() {
    var online = navigator.onLine;
    if (net) {
      net.textContent = online ? net.dataset.online : net.dataset.offline;
      net.classList.toggle("is-offline", !online);
    }
    if (stale) stale.hidden = online;
  }
  window.addEventListener("online", show);
  window.addEventListener("offline", show);
  show();

  if (!("serviceWorker" in navigator) || !body.dataset.sw) return;
  navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.scope }).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (registration) {
    // This page, its files, and the script of the page of scans waiting (shown offline only).
    var urls = [location.href, body.dataset.keep];
    performance.getEntriesByType("resource").forEach(function (entry) { urls.push(entry.name); });
    registration.active.postMessage({ type: "keep", urls: urls });
  }).catch(function () { /* no service worker: the pages still work online */ });
})();
