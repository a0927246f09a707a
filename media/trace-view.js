// Draws a packet trace (the view model built by client/src/trace-view/model.ts) with plain DOM and
// SVG. No framework, no eval, no innerHTML: every text from the dump goes through textContent.
// Links never navigate: they post { type: 'reveal', line } to the extension.
(function () {
  'use strict';

  /** @type {{ postMessage(m: unknown): void, getState(): any, setState(s: any): void }} */
  const host =
    typeof acquireVsCodeApi === 'function'
      ? acquireVsCodeApi()
      : { postMessage() {}, getState() { return undefined; }, setState() {} };

  const SVG = 'http://www.w3.org/2000/svg';
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  /** @type {any} */
  let model = null;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    return node;
  }

  /** A line link: a button (not an anchor) so nothing can navigate. */
  function lineLink(line, label) {
    const button = el('button', 'line-link', label);
    button.type = 'button';
    button.title = `Show line ${line} in the editor`;
    button.dataset.line = String(line);
    button.addEventListener('click', (event) => {
      event.stopPropagation();
      host.postMessage({ type: 'reveal', line });
    });
    return button;
  }

  /** The arrow between two steps, with the packet rewrites made by the step above it. */
  function edge(rewrites, kind) {
    const wrap = el('div', `edge edge-${kind}${rewrites.length ? ' has-rewrite' : ''}`);
    const height = rewrites.length ? 18 + 18 * rewrites.length : 18;
    const drawing = svg('svg', { width: 16, height, viewBox: `0 0 16 ${height}`, class: 'edge-arrow', 'aria-hidden': 'true' });
    drawing.appendChild(svg('line', { x1: 8, y1: 0, x2: 8, y2: height - 6, class: 'edge-line' }));
    drawing.appendChild(svg('path', { d: `M3 ${height - 7} L8 ${height} L13 ${height - 7} Z`, class: 'edge-head' }));
    wrap.appendChild(drawing);
    if (rewrites.length) {
      const labels = el('div', 'rewrites');
      for (const text of rewrites) labels.appendChild(el('span', 'rewrite', text));
      wrap.appendChild(labels);
    }
    return wrap;
  }

  function stepNode(node, table) {
    const box = el('div', `step step-${node.stepClass} depth-${Math.min(node.depth, 12)}${node.entersChain ? ' enters' : ''}`);
    box.dataset.chain = node.chain;
    if (node.line) box.dataset.line = String(node.line);
    const head = el('div', 'step-head');
    head.appendChild(el('span', 'table-chip', table));
    head.appendChild(el('span', 'chain', node.chain));
    if (node.line) head.appendChild(lineLink(node.line, node.ruleLabel === 'policy' ? `policy · line ${node.line}` : `${node.ruleLabel} · line ${node.line}`));
    else if (node.ruleLabel) head.appendChild(el('span', 'rule-label', node.ruleLabel));
    box.appendChild(head);
    const verdict = el('div', 'step-verdict');
    verdict.appendChild(el('span', `verdict verdict-${node.stepClass}`, node.verdictText));
    if (node.branch) {
      const branch = el('span', 'branch', node.branch.probabilityText ? `${node.branch.probabilityText} branch` : 'assumed');
      branch.title = node.branch.assumption;
      verdict.appendChild(branch);
    }
    box.appendChild(verdict);
    if (node.note) box.appendChild(el('div', 'note', node.note));
    return box;
  }

  function pathColumn(path, selected) {
    const column = el('section', `path path-${path.verdictClass}${selected ? ' selected' : ''}`);
    column.dataset.path = String(path.index);
    column.setAttribute('aria-label', `Path ${path.index + 1}`);
    const header = el('header', 'path-header');
    header.appendChild(el('span', 'probability', path.probabilityText));
    header.appendChild(el('span', `final-verdict chip-${path.verdictClass}`, path.verdict));
    header.appendChild(el('span', 'outcome', path.outcome));
    if (path.distinction) header.appendChild(el('div', 'distinction', path.distinction));
    header.addEventListener('click', () => select(path.index));
    column.appendChild(header);

    const flow = el('div', 'flow');
    flow.appendChild(el('div', 'packet-node', `packet ${model.input}`));
    let pendingRewrites = [];
    let pendingKind = 'start';
    for (const hook of path.hooks) {
      flow.appendChild(edge(pendingRewrites, pendingKind));
      pendingRewrites = [];
      const band = el('div', `hook hook-${hook.hook.toLowerCase()}`);
      band.appendChild(el('div', 'hook-label', hook.hook));
      const body = el('div', 'hook-body');
      let first = true;
      for (const table of hook.tables) {
        for (const node of table.nodes) {
          if (!first) body.appendChild(edge(pendingRewrites, node.entersChain ? 'enter' : 'next'));
          first = false;
          pendingRewrites = node.rewrites;
          pendingKind = 'next';
          body.appendChild(stepNode(node, table.table));
        }
      }
      band.appendChild(body);
      flow.appendChild(band);
    }
    flow.appendChild(edge(pendingRewrites, 'end'));
    const end = el('div', `final final-${path.verdictClass}`);
    end.appendChild(el('div', 'final-title', `${path.verdict} — ${path.outcome}`));
    end.appendChild(el('div', 'final-packet', path.finalPacket));
    flow.appendChild(end);
    column.appendChild(flow);

    if (path.assumptions.length) {
      const details = el('details', 'assumptions');
      details.appendChild(el('summary', '', `${path.assumptions.length} assumption${path.assumptions.length === 1 ? '' : 's'}`));
      const list = el('ul');
      for (const text of path.assumptions) list.appendChild(el('li', '', text));
      details.appendChild(list);
      column.appendChild(details);
    }
    return column;
  }

  function tabs() {
    const bar = el('div', 'tabs');
    bar.setAttribute('role', 'tablist');
    for (const path of model.paths) {
      const tab = el('button', `tab tab-${path.verdictClass}${path.index === model.selected ? ' selected' : ''}`);
      tab.type = 'button';
      tab.setAttribute('role', 'tab');
      tab.setAttribute('aria-selected', String(path.index === model.selected));
      tab.dataset.path = String(path.index);
      tab.appendChild(el('span', 'tab-title', `Path ${path.index + 1}`));
      tab.appendChild(el('span', 'probability', path.probabilityText));
      tab.appendChild(el('span', `final-verdict chip-${path.verdictClass}`, path.verdict));
      // The probability as a bar, so branches compare at a glance.
      const meter = svg('svg', { width: 60, height: 6, class: 'meter', 'aria-hidden': 'true' });
      meter.appendChild(svg('rect', { x: 0, y: 0, width: 60, height: 6, rx: 3, class: 'meter-back' }));
      meter.appendChild(svg('rect', { x: 0, y: 0, width: Math.max(2, Math.round(60 * path.probability)), height: 6, rx: 3, class: 'meter-fill' }));
      tab.appendChild(meter);
      if (path.distinction) tab.title = path.distinction;
      tab.addEventListener('click', () => select(path.index));
      bar.appendChild(tab);
    }
    return bar;
  }

  function render() {
    app.textContent = '';
    if (!model) {
      app.appendChild(el('p', 'empty', 'Waiting for a trace…'));
      return;
    }
    const top = el('header', 'trace-header');
    const title = el('h1', 'packet-title', model.packetLine);
    top.appendChild(title);
    const meta = el('div', 'meta');
    if (model.documentLabel) meta.appendChild(el('span', 'document', model.documentLabel));
    meta.appendChild(el('span', 'summary', model.summary));
    const copy = el('button', 'copy', 'Show as text');
    copy.type = 'button';
    copy.title = 'Open the same trace as text (output channel “iptables-lens trace”) for copy/paste';
    copy.addEventListener('click', () => host.postMessage({ type: 'copyText' }));
    meta.appendChild(copy);
    top.appendChild(meta);
    if (model.notes.length) {
      const notes = el('ul', 'notes');
      for (const note of model.notes) notes.appendChild(el('li', '', note));
      top.appendChild(notes);
    }
    app.appendChild(top);
    if (!model.paths.length) {
      app.appendChild(el('p', 'empty', 'No path: the trace produced nothing.'));
      return;
    }
    if (model.paths.length > 1) app.appendChild(tabs());
    const columns = el('div', `columns${model.sideBySide ? ' side-by-side' : ''}`);
    const shown = model.sideBySide ? model.paths : [model.paths[model.selected]];
    for (const path of shown) columns.appendChild(pathColumn(path, path.index === model.selected));
    app.appendChild(columns);
  }

  function select(index) {
    if (!model || index === model.selected || !model.paths[index]) return;
    model.selected = index;
    host.setState({ model });
    render();
    host.postMessage({ type: 'select', path: index });
  }

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message && message.type === 'show' && message.model) {
      model = message.model;
      host.setState({ model });
      render();
    }
  });

  const embedded = document.getElementById('trace-model');
  const restored = host.getState();
  try {
    model = (restored && restored.model) || (embedded && JSON.parse(embedded.textContent || 'null'));
  } catch {
    model = null;
  }
  render();
  host.postMessage({ type: 'ready' });
})();
