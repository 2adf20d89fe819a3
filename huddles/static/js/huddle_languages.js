// The huddle screen in the team's languages: switch the topic's language live (L, or the
// select), and show a second language beside it (each title and question in both, the text
// in the main one). The screen's own words (buttons, headings, states, attendance) follow the
// main language, and the page turns right to left for Arabic. The choice is remembered on
// this device. The texts and the words come embedded in the page (rendered and sanitised by
// the server), so switching needs no reload and no network.
(function () {
  "use strict";
  var data = document.getElementById("huddle-languages");
  var main = document.querySelector(".js-lang-main");
  var second = document.querySelector(".js-lang-second");
  if (!data || !main || !second) { return; }
  var texts;
  try { texts = JSON.parse(data.textContent); } catch (error) { return; }
  var labels = {};
  try { labels = JSON.parse(document.getElementById("huddle-labels").textContent); } catch (error) { /* words stay */ }
  var RTL = { ar: true };
  var KEY_MAIN = "huddles.screen.language";
  var KEY_SECOND = "huddles.screen.second-language";

  function remembered(key) {
    try { return window.localStorage.getItem(key) || ""; } catch (error) { return ""; }
  }
  function remember(key, value) {
    try { window.localStorage.setItem(key, value); } catch (error) { /* private mode */ }
  }
  function mark(element, lang) {
    element.setAttribute("lang", lang);
    element.setAttribute("dir", RTL[lang] ? "rtl" : "ltr");
  }
  function put(section, selector, value, lang, html) {
    var element = section.querySelector(selector);
    if (!element || value === null || value === undefined) { return; }
    if (html) { element.innerHTML = value; } else { element.textContent = value; }
    mark(element, lang);
  }
  function secondLine(section, selector, value, lang) {
    var element = section.querySelector(selector);
    if (!element) { return; }
    if (!value) { element.hidden = true; element.textContent = ""; return; }
    element.textContent = value;
    mark(element, lang);
    element.hidden = false;
  }

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }
  // The screen's words in `language`: each element marked data-l="key" gets the word as its
  // text, data-l-aria and data-l-alt as its label; data-l-value shows one of the huddle's
  // values (its day). huddle.js hears the words too, for the messages it writes itself.
  function relabel(language) {
    var set = labels[language];
    if (!set) { return; }
    var words = {};
    Object.keys(set.words).forEach(function (key) { words[key] = fill(set.words[key], set.values); });
    document.querySelectorAll("[data-l]").forEach(function (element) {
      var word = words[element.getAttribute("data-l")];
      if (word !== undefined) { element.textContent = word; }
    });
    document.querySelectorAll("[data-l-aria]").forEach(function (element) {
      var word = words[element.getAttribute("data-l-aria")];
      if (word !== undefined) { element.setAttribute("aria-label", word); }
    });
    document.querySelectorAll("[data-l-alt]").forEach(function (element) {
      var word = words[element.getAttribute("data-l-alt")];
      if (word !== undefined) { element.setAttribute("alt", word); }
    });
    document.querySelectorAll("[data-l-value]").forEach(function (element) {
      var value = set.values[element.getAttribute("data-l-value")];
      if (value !== undefined) { element.textContent = value; }
    });
    var languages = document.querySelector(".js-languages");
    if (languages && words.next_language) { languages.setAttribute("data-key-hint", words.next_language); }
    document.documentElement.setAttribute("lang", language);
    document.documentElement.setAttribute("dir", RTL[language] ? "rtl" : "ltr");
    document.dispatchEvent(new CustomEvent("huddle:labels", {
      detail: { language: language, dir: RTL[language] ? "rtl" : "ltr", words: words }
    }));
  }

  function apply() {
    var language = main.value;
    relabel(language);
    var also = second.value === language ? "" : second.value;
    var items = texts.items[language] || {};
    var extra = also ? (texts.items[also] || {}) : {};
    document.querySelectorAll(".slot[data-position]").forEach(function (section) {
      var position = section.getAttribute("data-position");
      var item = items[position];
      if (!item) { return; }
      put(section, ".js-l-title", item.title, item.untranslated.indexOf("title") >= 0 ? "en" : item.lang);
      put(section, ".js-l-prompt", item.prompt, item.untranslated.indexOf("prompt") >= 0 ? "en" : item.lang);
      put(section, ".js-l-avoid", item.avoid, item.untranslated.indexOf("avoid") >= 0 ? "en" : item.lang);
      put(section, ".js-l-say", item.say_instead, item.untranslated.indexOf("say_instead") >= 0 ? "en" : item.lang);
      put(section, ".js-l-body", item.body_html, item.untranslated.indexOf("body") >= 0 ? "en" : item.lang, true);
      var columns = section.querySelector(".slot-columns");
      if (columns) { columns.setAttribute("lang", item.lang); }
      var other = extra[position];
      secondLine(section, ".js-l-title2", other ? other.title : "", other ? other.lang : "en");
      secondLine(section, ".js-l-prompt2", other ? other.prompt : "", other ? other.lang : "en");
    });
    document.documentElement.classList.toggle("huddle-two-languages", !!also);
    // Another language is another length: the screen splits the slot into pages anew.
    document.dispatchEvent(new CustomEvent("huddle:content"));
  }

  function choose(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) { select.value = value; return true; }
    }
    return false;
  }

  choose(main, remembered(KEY_MAIN));
  choose(second, remembered(KEY_SECOND));
  main.addEventListener("change", function () { remember(KEY_MAIN, main.value); apply(); });
  second.addEventListener("change", function () { remember(KEY_SECOND, second.value); apply(); });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "l" && event.key !== "L") { return; }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    event.preventDefault();
    main.selectedIndex = (main.selectedIndex + 1) % main.options.length;
    remember(KEY_MAIN, main.value);
    apply();
  });
  apply();
})();
