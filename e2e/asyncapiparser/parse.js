// parse.js runs the official @asyncapi/parser on each file named on the command
// line and prints one JSON line per file: {file, valid, errors:[{code,message,path,line,col}]}.
// Modules are resolved from ../node_modules (set NODE_PATH or run from e2e/).
'use strict';
const path = require('path');
const fs = require('fs');
const { createRequire } = require('module');
const req = createRequire(path.join(__dirname, '..', 'node_modules', 'noop.js'));
const { Parser, fromFile } = req('@asyncapi/parser');

async function main() {
  const parser = new Parser();
  for (const file of process.argv.slice(2)) {
    const out = { file, valid: false, errors: [] };
    try {
      const { document, diagnostics } = await fromFile(parser, file).parse();
      for (const d of diagnostics) {
        if (d.severity !== 0) continue; // 0 = error
        out.errors.push({
          code: String(d.code),
          message: d.message,
          path: (d.path || []).join('/'),
          line: d.range ? d.range.start.line + 1 : 0,
          col: d.range ? d.range.start.character + 1 : 0,
        });
      }
      out.valid = document !== undefined && out.errors.length === 0;
    } catch (e) {
      out.errors.push({ code: 'exception', message: String(e && e.message || e) });
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  }
}
main().catch((e) => { console.error(e); process.exit(2); });
