// Reading a pasted metric curve: one column of numbers (newline, comma or space separated), or a
// CSV with a header row and several columns, one of which is picked. Pure functions, no DOM.

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SHOWN_ERRORS = 5;

/** The cell delimiter of `text`: tab, comma or semicolon when present, else runs of spaces. */
function delimiter(text) {
  if (text.includes('\t')) return /\t/;
  if (text.includes(',')) return /,/;
  if (text.includes(';')) return /;/;
  return /\s+/;
}

const unquote = (cell) => cell.trim().replace(/^"(.*)"$/, '$1').trim();

/** The non-blank lines of `text` as {line (1-based, as pasted), cells}. */
function rows(text) {
  const lines = text.split(/\r\n|\r|\n/).map((raw) => raw.trim()); // a trailing tab or space delimits nothing
  const split = delimiter(lines.join('\n'));
  const out = [];
  lines.forEach((line, i) => { if (line !== '') out.push({ line: i + 1, cells: line.split(split).map(unquote) }); });
  return out;
}

/** The number a cell holds, or the reason it holds none. */
function cellNumber(cell) {
  if (cell === undefined || cell === '') return { error: 'empty' };
  if (!NUMBER.test(cell)) return { error: `“${cell}” is not a number` };
  const v = Number(cell);
  if (!Number.isFinite(v)) return { error: `${cell} is not a finite number` };
  return { value: v };
}

/**
 * Read a paste. `column`: the column index to read (null: the one named `name`, else the last);
 * `maxValues`: the most values a curve takes. Returns {values, errors: [text], columns: [label] |
 * null (one column), column, header (a header row was skipped)}.
 */
export function readPaste(text, { column = null, name = '', maxValues = Infinity } = {}) {
  const all = rows(String(text ?? ''));
  const out = { values: [], errors: [], columns: null, column: 0, header: false };
  if (!all.length) {
    out.errors.push('Paste one value per evaluation (a column of numbers, or a CSV with a header row).');
    return out;
  }
  let cells; // [{where, cell}]
  if (all.length === 1) {
    // one line of values: "0.9, 0.8, 0.7" or "0.9 0.8 0.7"
    cells = all[0].cells.map((cell, i) => ({ where: `value ${i + 1}`, cell }));
  } else {
    out.header = all[0].cells.some((c) => c !== '' && cellNumber(c).error);
    const data = out.header ? all.slice(1) : all;
    const width = Math.max(...all.map((r) => r.cells.length));
    if (width > 1) {
      out.columns = Array.from({ length: width }, (_, k) => (out.header && all[0].cells[k]) || `column ${k + 1}`);
      const named = out.header ? all[0].cells.indexOf(name) : -1;
      out.column = Number.isInteger(column) && column >= 0 && column < width ? column : (named >= 0 ? named : width - 1);
    }
    cells = data.map((r) => ({ where: `row ${r.line}`, cell: r.cells[out.column] }));
  }
  for (const { where, cell } of cells) {
    const r = cellNumber(cell);
    if (r.error) out.errors.push(`${where}: ${r.error}`);
    else out.values.push(r.value);
  }
  if (out.values.length > maxValues) out.errors.push(`At most ${maxValues} values (one per evaluation); ${out.values.length} read.`);
  return out;
}

/** The errors of a paste as one message: the first few, then how many more. */
export function errorText(errors) {
  const shown = errors.slice(0, SHOWN_ERRORS).join('; ');
  return errors.length > SHOWN_ERRORS ? `${shown}; and ${errors.length - SHOWN_ERRORS} more` : shown;
}

/** "Read 37 values from column “val_loss” (header row skipped)." */
export function countText(r) {
  const n = r.values.length;
  const from = r.columns ? ` from column “${r.columns[r.column]}”` : '';
  return `Read ${n} value${n === 1 ? '' : 's'}${from}${r.header ? ' (header row skipped)' : ''}.`;
}
