/* Long slots in pages that fit the screen, for the lead's huddle screen and the paired TV. */
"use strict";

window.HuddlesPaging = {
  // Fill a page block by block; the block that makes it overflow starts the next one. The
  // blocks off the current page carry the class is-off-page; the pages are lists of blocks.
  split: function (slot, blocks, overflows) {
    var pages = [];
    var filling = [];
    blocks.forEach(function (block) { block.classList.add("is-off-page"); });
    blocks.forEach(function (block) {
      block.classList.remove("is-off-page");
      if (filling.length && overflows(slot)) {
        filling.forEach(function (done) { done.classList.add("is-off-page"); });
        pages.push(filling);
        filling = [];
      }
      filling.push(block);
    });
    pages.push(filling);
    return pages;
  }
};
