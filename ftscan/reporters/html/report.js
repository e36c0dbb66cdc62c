// The inventory page's one script: it reads the inventory from the page's JSON block, and
// draws the timeline, sorts and filters the table, opens a row's sites and follows team links.
// Everything from a repository or a provider reaches the page as text (textContent, attribute
// values), never as markup; the page's Content-Security-Policy runs this script alone.
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var STATUS_ORDER = ["retired", "retiring", "deprecated", "active", "unknown", "example"];
  var MAX_LANES = 40;
  var data = JSON.parse(document.getElementById("ftscan-inventory").textContent);
  var models = data.models;
  var table = document.getElementById("models");
  var bodies = Array.prototype.slice.call(table.querySelectorAll("tbody[data-row]"));
  var asOf = day(data.asOf);

  function day(iso) { return Date.parse(iso + "T00:00:00Z") / 86400000; }
  function plural(count, word) { return count + " " + word + (count === 1 ? "" : "s"); }

  function shown(model) {
    if (model.modelId) { return model.modelId; }
    if (model.outside !== null) { return "set outside the repository: " + model.outside; }
    return model.label || "";
  }

  // an id quoted only as an example (a placeholder, or in tests, docs and examples) and
  // defined nowhere: no deployment serves it (Row.example_only)
  function exampleOnly(model) {
    return model.examples.length > 0 && !model.definitions.length;
  }

  function status(model) { return exampleOnly(model) ? "example" : model.status; }

  function isFineTune(model) {
    return (model.kind === "model" && model.modelId !== "" && !exampleOnly(model)) ||
      model.kind === "outside";
  }

  function element(name, attributes, text) {
    var node = document.createElement(name);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // ------------------------------------------------------------------ filters

  var FACETS = [
    {key: "team", title: "Team", none: "(no owner)", values: function (m) { return m.owners; }},
    {key: "service", title: "Service", none: "(none)", values: function (m) { return m.services; }},
    {key: "provider", title: "Provider", none: "(none)", values: function (m) { return [m.provider]; }},
    {key: "status", title: "Status", none: "(none)", values: function (m) { return [status(m)]; }},
    {key: "repository", title: "Repository", none: "(none)",
     values: function (m) { return m.repositories; }},
    {key: "base", title: "Base model", none: "(unknown)",
     values: function (m) { return m.baseModel ? [m.baseModel] : []; }}
  ];
  if (data.reconciliation) {
    FACETS.push({key: "remote", title: "At the provider", none: "(not checked)",
                 values: function (m) { return m.remote ? [m.remote.category] : []; }});
  }

  function facetValues(facet, model) {
    var values = facet.values(model);
    return values.length ? values : [""];
  }

  var form = document.getElementById("filters");
  var search = element("input", {type: "search", id: "filter-text", placeholder: "part of an id or path"});
  FACETS.forEach(function (facet) {
    var seen = {};
    models.forEach(function (m) { facetValues(facet, m).forEach(function (v) { seen[v] = true; }); });
    facet.options = Object.keys(seen).sort(function (a, b) {
      if (facet.key === "status") { return STATUS_ORDER.indexOf(a) - STATUS_ORDER.indexOf(b); }
      return a === "" ? 1 : b === "" ? -1 : a.localeCompare(b);
    });
    var label = element("label", {}, facet.title);
    facet.select = element("select", {id: "filter-" + facet.key, "data-facet": facet.key});
    facet.select.appendChild(element("option", {value: "-1"}, "all (" + facet.options.length + ")"));
    facet.options.forEach(function (value, index) {
      facet.select.appendChild(element("option", {value: String(index)}, value === "" ? facet.none : value));
    });
    facet.select.addEventListener("change", update);
    label.appendChild(facet.select);
    form.appendChild(label);
  });
  var searchLabel = element("label", {}, "Search");
  searchLabel.appendChild(search);
  form.appendChild(searchLabel);
  search.addEventListener("input", update);
  var reset = element("button", {type: "button", id: "filter-reset"}, "Show all");
  reset.addEventListener("click", function () { resetFilters(); });
  form.appendChild(reset);
  form.addEventListener("submit", function (event) { event.preventDefault(); });

  function chosen(facet) {
    var index = Number(facet.select.value);
    return index < 0 ? null : facet.options[index];
  }

  function setFilter(key, value) {
    FACETS.forEach(function (facet) {
      if (facet.key === key) {
        var index = facet.options.indexOf(value);
        facet.select.value = String(index);
      }
    });
    update();
  }

  function resetFilters() {
    FACETS.forEach(function (facet) { facet.select.value = "-1"; });
    search.value = "";
    update();
  }

  function searchText(model) {
    var sites = [].concat(model.definitions, model.uses, model.mentions, model.examples,
                          model.recipe.sites);
    return [shown(model)].concat(model.names, model.recipe.trainingFiles, sites.map(function (s) {
      return s.repository + "/" + s.path + ":" + s.line;
    })).join("\n").toLowerCase();
  }

  function update() {
    var needle = search.value.trim().toLowerCase();
    var active = FACETS.filter(function (facet) { return chosen(facet) !== null; });
    var count = 0;
    bodies.forEach(function (body) {
      var model = models[Number(body.getAttribute("data-row"))];
      var visible = active.every(function (facet) {
        return facetValues(facet, model).indexOf(chosen(facet)) >= 0;
      }) && (!needle || searchText(model).indexOf(needle) >= 0);
      body.hidden = !visible;
      count += visible ? 1 : 0;
    });
    var words = active.map(function (facet) {
      var value = chosen(facet);
      return facet.title.toLowerCase() + " " + (value === "" ? facet.none : value);
    });
    if (needle) { words.push("“" + search.value.trim() + "”"); }
    document.getElementById("shown").textContent = words.length
      ? "Showing " + count + " of " + plural(models.length, "row") + ": " + words.join(", ") + "."
      : plural(models.length, "row") + ".";
  }

  // ------------------------------------------------------------------ sorting

  function text(list) { return list.join(", ").toLowerCase() || "\uffff"; }
  var SORTS = {
    status: function (m) { return STATUS_ORDER.indexOf(status(m)); },
    model: function (m) { return shown(m).toLowerCase(); },
    base: function (m) { return (m.baseModel || "\uffff").toLowerCase(); },
    shutdown: function (m) { return m.daysLeft === null ? Infinity : m.daysLeft; },
    owners: function (m) { return text(m.owners); },
    services: function (m) { return text(m.services); },
    repositories: function (m) { return text(m.repositories); },
    definitions: function (m) { return m.definitions.length; },
    uses: function (m) { return m.uses.length; },
    recipe: function (m) { return m.recipe.sites.length * 10000 + m.recipe.trainingFiles.length; },
    remote: function (m) { return m.remote ? m.remote.category + " " + m.remote.state : "\uffff"; }
  };

  function sortBy(header) {
    var key = header.getAttribute("data-sort");
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[data-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var value = SORTS[key];
    var order = bodies.map(function (body) { return Number(body.getAttribute("data-row")); });
    order.sort(function (a, b) {
      var x = value(models[a]), y = value(models[b]);
      var by = x < y ? -1 : x > y ? 1 : 0;
      return (ascending ? by : -by) || a - b;
    });
    bodies = order.map(function (index) { return document.getElementById("row-" + index); });
    bodies.forEach(function (body) { table.appendChild(body); });
  }

  table.querySelectorAll("th[data-sort] button").forEach(function (button) {
    button.addEventListener("click", function () { sortBy(button.parentNode); });
  });

  // ------------------------------------------------------------------ a row's sites

  function openRow(body, open) {
    var button = body.querySelector("button.open");
    body.querySelector("tr.sites").hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = open ? "▾" : "▸";
  }

  bodies.forEach(function (body) {
    var details = body.querySelector("tr.sites");
    details.id = body.id + "-sites";
    var button = element("button", {type: "button", "class": "open", "aria-controls": details.id,
                                     title: "Where it is defined, used and trained"});
    body.querySelector("td.model").insertBefore(button, body.querySelector("td.model").firstChild);
    button.addEventListener("click", function () { openRow(body, details.hidden); });
    openRow(body, false);
  });

  // ------------------------------------------------------------------ timeline

  function svg(name, attributes, content) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function titled(node, words) {
    node.appendChild(svg("title", {}, words));
    return node;
  }

  function lanesBy(mode) {
    var lanes = {};
    models.filter(isFineTune).forEach(function (model) {
      var keys = mode === "team" ? (model.owners.length ? model.owners : [""])
        : [model.baseModel || ""];
      keys.forEach(function (key) {
        var lane = lanes[key] || (lanes[key] = {key: key, past: [], undated: [], dates: {}, first: Infinity});
        if (model.shutdownDate === null) { lane.undated.push(model); return; }
        var when = day(model.shutdownDate);
        if (when < asOf) { lane.past.push(model); return; }
        (lane.dates[model.shutdownDate] = lane.dates[model.shutdownDate] || []).push(model);
        lane.first = Math.min(lane.first, when);
      });
    });
    var sorted = Object.keys(lanes).map(function (key) { return lanes[key]; }).sort(function (a, b) {
      return a.first - b.first || b.past.length - a.past.length || (a.key < b.key ? -1 : 1);
    });
    if (sorted.length > MAX_LANES) {
      var rest = sorted.splice(MAX_LANES - 1);
      var merged = {key: null, past: [], undated: [], dates: {}, first: Infinity, groups: rest.length};
      rest.forEach(function (lane) {
        merged.past = merged.past.concat(lane.past);
        merged.undated = merged.undated.concat(lane.undated);
        Object.keys(lane.dates).forEach(function (date) {
          merged.dates[date] = (merged.dates[date] || []).concat(lane.dates[date]);
        });
      });
      sorted.push(merged);
    }
    return sorted;
  }

  function drawChart(mode) {
    var chart = document.getElementById("chart");
    var lanes = lanesBy(mode);
    chart.textContent = "";
    if (!lanes.length) {
      chart.appendChild(element("p", {"class": "note"}, "No fine-tune to draw."));
      return;
    }
    var jobsEnd = data.jobCreationEnds ? day(data.jobCreationEnds) : null;
    var last = asOf + 180;
    lanes.forEach(function (lane) {
      Object.keys(lane.dates).forEach(function (date) { last = Math.max(last, day(date)); });
    });
    if (jobsEnd !== null && jobsEnd >= asOf) { last = Math.max(last, jobsEnd); }
    last += 20;
    var laneHeight = 28, top = 62, nameWidth = 270, band = 74, width = 1200;
    var plotLeft = nameWidth + band, plotRight = width - band - 10;
    var height = top + lanes.length * laneHeight + 8;
    function x(when) { return plotLeft + 12 + (when - asOf) / (last - asOf) * (plotRight - plotLeft - 24); }
    var root = svg("svg", {viewBox: "0 0 " + width + " " + height, role: "img",
                           "aria-label": "Shutdown dates of " + plural(models.filter(isFineTune).length, "fine-tune")
                             + " in " + plural(lanes.length, "group") + ", by " + (mode === "team" ? "team" : "base model")});
    lanes.forEach(function (lane, index) {
      root.appendChild(svg("rect", {"class": "lane", x: 0, y: top + index * laneHeight, width: width, height: laneHeight}));
    });
    // month ticks, at most about ten
    var start = new Date(asOf * 86400000), months = (last - asOf) / 30.4;
    var step = Math.max(1, Math.ceil(months / 10));
    for (var m = 1; ; m += step) {
      var tick = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + m, 1) / 86400000;
      if (tick > last) { break; }
      var g = svg("g", {"class": "tick"});
      g.appendChild(svg("line", {"class": "grid", x1: x(tick), x2: x(tick), y1: top - 4, y2: height}));
      g.appendChild(svg("text", {x: x(tick), y: top - 8, "text-anchor": "middle"},
                        new Date(tick * 86400000).toISOString().slice(0, 7)));
      root.appendChild(g);
    }
    root.appendChild(svg("text", {x: nameWidth + band / 2, y: top - 8, "text-anchor": "middle", "class": "legend-past"}, "shut down"));
    root.appendChild(svg("text", {x: plotRight + band / 2 + 5, y: top - 8, "text-anchor": "middle"}, "no date"));
    root.appendChild(svg("line", {"class": "today", x1: x(asOf), x2: x(asOf), y1: 4, y2: height}));
    root.appendChild(svg("text", {x: x(asOf) + 4, y: 14}, "today, " + data.asOf));
    if (jobsEnd !== null && jobsEnd >= asOf) {
      root.appendChild(svg("line", {"class": "jobs", x1: x(jobsEnd), x2: x(jobsEnd), y1: 20, y2: height}));
      root.appendChild(svg("text", {x: x(jobsEnd) + 4, y: 32}, "job creation ends (OpenAI), " + data.jobCreationEnds));
    }
    lanes.forEach(function (lane, index) {
      var middle = top + index * laneHeight + laneHeight / 2;
      var total = lane.past.length + lane.undated.length +
        Object.keys(lane.dates).reduce(function (sum, date) { return sum + lane.dates[date].length; }, 0);
      var name = lane.key === null ? plural(lane.groups, "more group")
        : lane.key === "" ? (mode === "team" ? "(no owner)" : "(base model unknown)") : lane.key;
      var short = name.length > 36 ? name.slice(0, 35) + "…" : name;
      var label = titled(svg("text", {x: 4, y: middle + 4, "class": "group-name"}, short + " (" + total + ")"),
                         name + ": " + plural(total, "fine-tune"));
      if (lane.key !== null) {
        label.setAttribute("tabindex", "0");
        label.setAttribute("role", "button");
        var select = function () {
          setFilter(mode === "team" ? "team" : "base", lane.key);
          document.getElementById("inventory").scrollIntoView();
        };
        label.addEventListener("click", select);
        label.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(); }
        });
      }
      root.appendChild(label);
      if (lane.past.length) { marker(root, nameWidth + band / 2, middle, lane.past, "past", name + ": shut down already"); }
      if (lane.undated.length) { marker(root, plotRight + band / 2 + 5, middle, lane.undated, "undated", name + ": no shutdown date"); }
      Object.keys(lane.dates).sort().forEach(function (date) {
        var left = day(date) - asOf;
        var kind = left <= data.warningWindowDays ? "soon" : left <= 365 ? "later" : "far";
        marker(root, x(day(date)), middle, lane.dates[date], kind, name + ": shut down on " + date +
               " (" + plural(left, "day") + " left)");
      });
    });
    chart.appendChild(root);
  }

  function marker(root, cx, cy, list, kind, words) {
    var names = list.slice(0, 8).map(shown);
    var more = list.length > names.length ? "\n… and " + (list.length - names.length) + " more" : "";
    var g = titled(svg("g", {"class": "marker " + kind}), plural(list.length, "fine-tune") + ", " + words + "\n" + names.join("\n") + more);
    var radius = Math.min(12.5, 7 + 1.6 * Math.sqrt(list.length));
    g.appendChild(svg("circle", {cx: cx, cy: cy, r: radius, "class": kind}));
    g.appendChild(svg("text", {x: cx, y: cy + 4, "text-anchor": "middle"}, String(list.length)));
    root.appendChild(g);
  }

  document.querySelectorAll("input[name=group]").forEach(function (radio) {
    radio.addEventListener("change", function () { drawChart(radio.value); });
  });

  // ------------------------------------------------------------------ teams and links

  document.querySelectorAll("section.team button.show-team").forEach(function (button) {
    button.addEventListener("click", function () {
      setFilter("team", button.closest("section.team").getAttribute("data-team"));
      document.getElementById("inventory").scrollIntoView();
    });
  });

  function followHash() {
    var name;
    try { name = decodeURIComponent(location.hash.slice(1)); } catch (error) { return; }
    var target = name && document.getElementById(name);
    if (!target) { return; }
    if (target.classList.contains("team")) {
      setFilter("team", target.getAttribute("data-team"));
    } else if (target.hasAttribute("data-row")) {
      if (target.hidden) { resetFilters(); }
      openRow(target, true);
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", followHash);

  drawChart("base");
  update();
  followHash();
})();
