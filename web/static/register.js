// Search-as-you-type for the unit fields of the review form: the shared <datalist> is
// filled from /don-vi/tim; without JavaScript the clerk types codes or names.
(function () {
  var list = document.getElementById("units-found");
  if (!list || !window.fetch) return;
  var timer = null;
  function fill(units) {
    list.textContent = "";
    units.forEach(function (u) {
      var option = document.createElement("option");
      option.value = u.code;
      option.textContent = u.name;
      list.appendChild(option);
    });
  }
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("input[data-unit-search]")) return;
    var q = field.value.trim();
    clearTimeout(timer);
    if (q.length < 2) return;
    timer = setTimeout(function () {
      fetch("/don-vi/tim?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { units: [] }; })
        .then(function (data) { fill(data.units || []); })
        .catch(function () {});
    }, 200);
  });
})();
