/* The page of the scans made without network (/onsite/offline/): lists them and, when the
   network returns, sends each with the time it was made. A scan leaves the queue once the
   server has answered it (applied, already applied, or refused): each is applied once. */
(function () {
  "use strict";
  var box = document.getElementById("onsite-queue");
  var list = document.getElementById("onsite-queue-list");
  if (!box || !("indexedDB" in window)) return;
  var sending = false;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("onsite", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("scans", { keyPath: "id" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function all(db) {
    return new Promise(function (resolve) {
      var request = db.transaction("scans").objectStore("scans").getAll();
      request.onsuccess = function () { resolve(request.result || []); };
      request.onerror = function () { resolve([]); };
    });
  }

  function remove(db, id) {
    return new Promise(function (resolve) {
      var tx = db.transaction("scans", "readwrite");
      tx.objectStore("scans").delete(id);
      tx.oncomplete = resolve;
      tx.onerror = resolve;
    });
  }

  function line(text, state) {
    var item = document.createElement("li");
    item.className = "onsite-queue-item " + state;
    item.textContent = text;
    list.appendChild(item);
  }

  function render(scans) {
    list.textContent = "";
    scans.forEach(function (scan) {
      line(new Date(scan.at).toLocaleTimeString() + " · " + box.dataset.waiting, "waiting");
    });
  }

  function token() {
    return fetch(box.dataset.csrfUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (data) { return data.token; });
  }

  function flush() {
    if (sending || !navigator.onLine) return;
    sending = true;
    open().then(function (db) {
      return all(db).then(function (scans) {
        if (!scans.length) return;
        return token().then(function (csrf) {
          list.textContent = "";
          return scans.reduce(function (previous, scan) {
            return previous.then(function () {
              var form = new FormData();
              form.append("kind", scan.kind);
              form.append("token", scan.token);
              form.append("at", scan.at);
              return fetch(box.dataset.sync.replace("SLUG", scan.slug), {
                method: "POST",
                body: form,
                credentials: "same-origin",
                headers: { "X-CSRFToken": csrf },
              }).then(function (response) {
                return response.json().then(function (data) {
                  line(data.message, data.ok ? "sent" : "refused");
                  // A refusal is final (the server's answer will not change); a server error is not.
                  if (response.status < 500) return remove(db, scan.id);
                });
              });
            });
          }, Promise.resolve());
        });
      });
    }).catch(function () { /* still offline: try again at the next "online" */ })
      .then(function () { sending = false; });
  }

  open().then(all).then(render).then(flush);
  window.addEventListener("online", flush);
})();
